#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import TraceFormats
import TraceModel

/// `collect --out`: received spans appended to a file as X-Ray segment documents in JSON lines — OTLP converted, so
/// `tracescope summary` of the file draws the same service graph. Called from the receivers' thread; a mutex orders
/// the writes.
public final class SpanRecorderFile: Sendable {
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    private let fd: Int32
    private let writer = Mutex(JSONWriter(capacity: 64 * 1024))

    public init(path: String) throws(OpenError) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OpenError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    public func append(_ spans: [Span]) {
        let fd = self.fd
        writer.withLock { w in
            w.reset()
            XRayDocumentEncoder.writeLines(for: spans, into: &w)
            w.bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += n
                }
            }
        }
    }

    public func close() {
        let fd = self.fd
        writer.withLock { _ in _ = Glibc.close(fd) }
    }
}
