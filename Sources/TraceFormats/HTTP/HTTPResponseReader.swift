/// Reads one HTTP/1.1 response from bytes as they arrive: the status line, headers, and a body framed as RFC 9112
/// §6.3 says — `Content-Length` bytes, chunks (`Transfer-Encoding: chunked`, extensions and trailers allowed), none
/// (1xx, 204, 304), or everything up to the close. The tracing library's OTLP client (which keeps its connection
/// alive, so must know where a response ends) is its user; the fuzz target `http-response` feeds it anything.
///
/// ```swift
/// var reader = HTTPResponseReader()
/// while let chunk = read() { if let response = try reader.append(chunk) { return response } }
/// return reader.closed()
/// ```
public struct HTTPResponseReader: Sendable {
    public struct Response: Sendable, Equatable {
        public var status: Int
        /// Header names lowercased; a repeated header keeps its last value.
        public var headers: [String: String]
        /// At most `HTTPResponseReader.maxBody` bytes: the rest of a longer body is read past, not kept.
        public var body: [UInt8]
        /// True when the body's end was found (not merely the connection's close): the connection can carry another
        /// request unless the server said `Connection: close`.
        public var framed: Bool

        /// Whether the connection may carry another request.
        public var keepAlive: Bool { framed && headers["connection"]?.lowercased() != "close" }
    }

    /// The bytes are not an HTTP response.
    public struct NotHTTP: Error, Sendable {}

    /// The most of a body kept; OTLP answers are a few bytes.
    public static let maxBody = 64 * 1024
    /// The most bytes read for one response: beyond it the response is taken as it stands, unframed.
    public static let maxRead = maxBody + 16 * 1024

    private var data: [UInt8] = []
    private var head: (status: Int, headers: [String: String], bodyStart: Int)?
    private var framing = Framing.untilClose

    public init() {}

    /// True once any byte has arrived (a connection that closes before then never answered).
    public var hasStarted: Bool { !data.isEmpty }

    /// True once more than `maxRead` bytes have arrived without a complete response.
    public var isOverLimit: Bool { data.count > Self.maxRead }

    /// Adds what arrived; returns the response once it is complete.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(NotHTTP) -> Response? {
        data.append(contentsOf: bytes)
        if head == nil {
            guard let end = data.firstRange(of: [13, 10, 13, 10]) else { return nil }
            let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
            let parts = lines.first?.split(separator: " ") ?? []
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]),
                (100...999).contains(status)
            else { throw NotHTTP() }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
                headers[line[..<colon].lowercased()] = String(value)
            }
            head = (status, headers, end.upperBound)
            framing = Framing(status: status, headers: headers)
        }
        guard let head, let body = framing.body(of: data[head.bodyStart...]) else { return nil }
        return Response(status: head.status, headers: head.headers, body: body, framed: true)
    }

    /// The connection closed (or the read limit was reached): the response as far as it came, unframed; nil when
    /// its headers never arrived.
    public func closed() -> Response? {
        guard let head else { return nil }
        let body = data[head.bodyStart...].prefix(Self.maxBody)
        return Response(status: head.status, headers: head.headers, body: Array(body), framed: false)
    }

    /// How a body ends.
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose

        init(status: Int, headers: [String: String]) {
            if (100..<200).contains(status) || status == 204 || status == 304 {
                self = .none
            } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                self = .chunked
            } else if let length = headers["content-length"].flatMap({ Int($0) }), length >= 0 {
                self = .length(length)
            } else {
                self = .untilClose
            }
        }

        /// The whole body once `bytes` (what followed the headers) holds it; nil while more must arrive (and always
        /// for `untilClose`, which only the close ends).
        func body(of bytes: ArraySlice<UInt8>) -> [UInt8]? {
            switch self {
            case .none: return []
            case .untilClose: return nil
            case .length(let length):
                guard bytes.count >= length else { return nil }
                return Array(bytes.prefix(min(length, HTTPResponseReader.maxBody)))
            case .chunked: return Self.dechunk(bytes)
            }
        }

        /// `size CRLF data CRLF … 0 CRLF [trailers] CRLF`; nil while incomplete, or malformed (the caller's timeout
        /// or read limit ends that).
        static func dechunk(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
            var body: [UInt8] = []
            var i = bytes.startIndex
            while true {
                guard let lineEnd = bytes[i...].firstRange(of: [13, 10]) else { return nil }
                let line = bytes[i..<lineEnd.lowerBound].prefix { $0 != UInt8(ascii: ";") }
                guard !line.isEmpty, line.count <= 16,
                    let size = Int(String(decoding: line, as: UTF8.self).filter { $0 != " " }, radix: 16), size >= 0
                else { return nil }
                i = lineEnd.upperBound
                if size == 0 {
                    // Trailers, if any, end with an empty line.
                    while true {
                        guard let end = bytes[i...].firstRange(of: [13, 10]) else { return nil }
                        if end.lowerBound == i { return body }
                        i = end.upperBound
                    }
                }
                guard bytes.endIndex - i >= size + 2 else { return nil }
                if body.count < HTTPResponseReader.maxBody {
                    body += bytes[i..<i + min(size, HTTPResponseReader.maxBody - body.count)]
                }
                i += size + 2
            }
        }
    }
}
