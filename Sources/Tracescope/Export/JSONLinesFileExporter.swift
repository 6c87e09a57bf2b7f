import TraceFiles
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends finished spans to a file as X-Ray segment documents, one per line — what `tracescope summary` reads and
/// what a CI job keeps as an artifact. Subsegments whose segment ends in the same batch are nested in it; the rest are
/// written as independent subsegment documents, exactly as X-Ray SDKs stream them.
public final class JSONLinesFileExporter: SpanExporter {
    public typealias OpenError = XRayLinesFile.OpenError

    private let file: XRayLinesFile
    private let operations = OperationAnnotations()

    public init(path: String) throws(OpenError) {
        file = try XRayLinesFile(path: path)
    }

    public func export(_ spans: [FinishedSpan]) throws {
        try file.append(spans.map { XRayMapping.span($0, operations: operations) })
    }

    public func shutdown() {
        file.close()
    }
}

/// Small POSIX helpers for the exporters.
enum PosixIO {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func writeAll(_ fd: Int32, _ text: String) throws {
        try writeAll(fd, Array(text.utf8))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in try writeAll(fd, raw) }
    }

    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) throws(Failure) {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, base + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Resolves `host:port` to an IPv4 or IPv6 socket address.
    static func resolve(host: String, port: Int, socketType: Int32) -> (family: Int32, address: [UInt8])? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = socketType
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard let address = first.pointee.ai_addr else { return nil }
        let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(first.pointee.ai_addrlen)))
        return (first.pointee.ai_family, bytes)
    }
}
