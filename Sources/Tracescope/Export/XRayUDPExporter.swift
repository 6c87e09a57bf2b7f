import Synchronization
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends finished spans to an X-Ray daemon (ours, or AWS's) over UDP: one document per datagram, each datagram the
/// header line and a document, at most 65,507 bytes.
///
/// A segment too large for one datagram is not dropped (as the X-Ray SDKs do): it is sent without its subsegments,
/// which follow as independent subsegment documents. A single span still too large loses its metadata first, then
/// has its longest strings cut, and is counted in `oversized`.
public final class XRayUDPExporter: SpanExporter {
    /// A daemon address that cannot be used (`AWS_XRAY_DAEMON_ADDRESS` or the argument).
    public struct AddressError: Error, CustomStringConvertible {
        /// What is wrong with it.
        public var description: String
    }

    private let socket: Int32
    private let headerBytes = Array(DaemonDatagram.header.utf8)
    private let limit: Int
    private let operations = OperationAnnotations()
    private let oversizedCount = Atomic<Int>(0)
    private let failedSends = Atomic<Int>(0)
    /// Spans whose document had to be cut to fit a datagram.
    public var oversized: Int { oversizedCount.load(ordering: .relaxed) }
    /// Datagrams the kernel refused (the daemon's buffer is full, no route, …).
    public var sendFailures: Int { failedSends.load(ordering: .relaxed) }

    /// - Parameter address: `host:port`; defaults to `AWS_XRAY_DAEMON_ADDRESS`, else `127.0.0.1:2000`. The SDKs' form
    ///   `tcp:HOST:PORT udp:HOST:PORT` is understood too (the UDP half is used).
    public init(address: String? = nil, maxDatagramBytes: Int = DaemonDatagram.maxSize) throws(AddressError) {
        let spec = address ?? Environment.value("AWS_XRAY_DAEMON_ADDRESS") ?? "127.0.0.1:2000"
        guard let (host, port) = Self.parse(spec) else {
            throw AddressError(description: "invalid X-Ray daemon address \"\(spec)\" (expected host:port)")
        }
        guard let resolved = PosixIO.resolve(host: host, port: port, socketType: Int32(SOCK_DGRAM.rawValue)) else {
            throw AddressError(description: "cannot resolve X-Ray daemon host \"\(host)\"")
        }
        let fd = Glibc.socket(resolved.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else {
            throw AddressError(description: "cannot open a UDP socket: \(String(cString: strerror(errno)))")
        }
        let connected = resolved.address.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard connected == 0 else {
            close(fd)
            throw AddressError(
                description: "cannot use X-Ray daemon address \(spec): \(String(cString: strerror(errno)))")
        }
        socket = fd
        limit = min(maxDatagramBytes, DaemonDatagram.maxSize)
    }

    static func parse(_ spec: String) -> (String, Int)? {
        var text = Substring(spec)
        for part in spec.split(separator: " ") where part.hasPrefix("udp:") { text = part.dropFirst(4) }
        if text.hasPrefix("tcp:") { return nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    /// Sends each segment with its subsegments as one datagram, or streamed as subsegments when too big.
    public func export(_ spans: [FinishedSpan]) throws {
        let mapped = spans.map { XRayMapping.span($0, operations: operations) }
        for document in datagramDocuments(mapped) { send(document) }
    }

    /// The documents to send, each within the datagram limit (exposed for tests).
    func datagramDocuments(_ spans: [Span]) -> [String] {
        var out: [String] = []
        for document in XRayDocumentEncoder.documents(for: spans) {
            if fits(document) {
                out.append(document)
                continue
            }
            // Too large nested: send every span of this tree on its own.
            guard let rootID = Self.rootID(of: document, in: spans) else { continue }
            for span in Self.tree(rootedAt: rootID, in: spans) { out.append(fitted(span)) }
        }
        return out
    }

    private func fits(_ document: String) -> Bool { headerBytes.count + document.utf8.count <= limit }

    private func fitted(_ span: Span) -> String {
        var document = XRayDocumentEncoder.document(for: span)
        if fits(document) { return document }
        oversizedCount.add(1, ordering: .relaxed)
        var trimmed = span
        trimmed.metadataJSON = #"{"tracescope":{"truncated":"metadata dropped to fit a UDP datagram"}}"#
        document = XRayDocumentEncoder.document(for: trimmed)
        var cut = 4096
        while !fits(document) && cut >= 16 {
            trimmed.name = String(trimmed.name.prefix(cut))
            trimmed.annotations = trimmed.annotations.mapValues { Self.cut($0, to: cut) }
            trimmed.aws = trimmed.aws.mapValues { Self.cut($0, to: cut) }
            trimmed.sql = trimmed.sql.mapValues { Self.cut($0, to: cut) }
            if var http = trimmed.http {
                http.url = http.url.map { String($0.prefix(cut)) }
                http.userAgent = http.userAgent.map { String($0.prefix(cut)) }
                trimmed.http = http
            }
            if var cause = trimmed.cause {
                cause.exceptions = cause.exceptions.prefix(4).map { e in
                    var e = e
                    e.message = e.message.map { String($0.prefix(cut)) }
                    e.stack = Array(e.stack.prefix(16))
                    return e
                }
                trimmed.cause = cause
            }
            document = XRayDocumentEncoder.document(for: trimmed)
            cut /= 4
        }
        return document
    }

    private static func cut(_ value: AttributeValue, to length: Int) -> AttributeValue {
        switch value {
        case .string(let s): .string(String(s.prefix(length)))
        case .array(let a): .array(Array(a.prefix(16)).map { cut($0, to: length) })
        default: value
        }
    }

    private static func rootID(of document: String, in spans: [Span]) -> SpanID? {
        // The encoder writes `"id"` right after `"name"`; find which span this document is.
        guard let range = document.firstRange(of: #""id":""#) else { return nil }
        let start = range.upperBound
        guard let end = document.index(start, offsetBy: 16, limitedBy: document.endIndex) else { return nil }
        return SpanID(hex: document[start..<end])
    }

    /// A span and all its descendants among `spans`.
    static func tree(rootedAt root: SpanID, in spans: [Span]) -> [Span] {
        var result: [Span] = []
        var frontier: Set<SpanID> = [root]
        var remaining = spans
        if let first = remaining.firstIndex(where: { $0.id == root }) { result.append(remaining.remove(at: first)) }
        while !frontier.isEmpty {
            var next: Set<SpanID> = []
            remaining.removeAll { span in
                guard let parent = span.parentID, frontier.contains(parent), !span.isSegment else { return false }
                var independent = span
                independent.segmentID = nil
                result.append(independent)
                next.insert(span.id)
                return true
            }
            frontier = next
        }
        return result
    }

    private func send(_ document: String) {
        var datagram = headerBytes
        datagram.append(contentsOf: document.utf8)
        let sent = datagram.withUnsafeBytes { raw in Glibc.send(socket, raw.baseAddress, raw.count, 0) }
        if sent < 0 { failedSends.add(1, ordering: .relaxed) }
    }

    /// Closes the socket.
    public func shutdown() {
        close(socket)
    }
}

/// Environment variables, read once where needed.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}
