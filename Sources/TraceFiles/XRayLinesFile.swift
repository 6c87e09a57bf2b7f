import Synchronization
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file that spans are appended to as X-Ray segment documents, one per line — Tracescope's native format, which
/// `summary` reads back. Shared by the library's file exporter and `collect --out`. Appends from any thread are
/// ordered by a mutex; each batch is written with one buffer.
public final class XRayLinesFile: Sendable {
    public struct OpenError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private let fd: Int32
    private let writer = Mutex(JSONWriter(capacity: 256 * 1024))

    /// Opens `path` for appending, creating it if needed.
    public init(path: String) throws(OpenError) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OpenError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Appends the spans' documents (subsegments nested in a segment of the same batch, the rest standing alone).
    public func append(_ spans: [Span]) throws(WriteError) {
        let fd = self.fd
        let failure: WriteError? = writer.withLock { w in
            w.reset()
            XRayDocumentEncoder.writeLines(for: spans, into: &w)
            return w.withUnsafeBytes { raw -> WriteError? in
                do throws(FileDescriptorIO.WriteFailure) {
                    try FileDescriptorIO.writeAll(fd, raw)
                    return nil
                } catch {
                    return WriteError(description: error.description)
                }
            }
        }
        if let failure { throw failure }
    }

    public func close() {
        let fd = self.fd
        writer.withLock { _ in _ = Glibc.close(fd) }
    }
}
