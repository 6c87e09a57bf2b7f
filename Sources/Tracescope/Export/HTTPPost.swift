import Synchronization
import TraceFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 POSTs to one endpoint on a kept-alive connection, blocking, within a timeout: what the OTLP exporter
/// needs and no more. Written here because the library stays free of networking stacks (SwiftNIO, libcurl through
/// FoundationNetworking); plain `http://` only, for a collector on the same host or network (docs/ARCHITECTURE.md,
/// "The tracing library").
///
/// The connection is opened on first use and kept while the server keeps it; a kept connection the server has
/// closed in the meantime (an idle timeout) is noticed when its request gets no answer at all, and that request
/// is sent once more on a new connection. Requests come from the export thread one at a time; the lock only keeps
/// a `shutdown` from closing the socket under a request.
final class HTTPPost: Sendable {
    struct Response {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: [UInt8]
    }

    /// Why no response came: the connection could not be made, broke, or timed out. Always worth another try.
    struct ConnectionFailure: Error, CustomStringConvertible {
        var description: String
    }

    let host: String
    let port: Int
    let path: String
    /// The kept-alive socket, or -1.
    private let connection = Mutex<Int32>(-1)

    init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    deinit { close() }

    /// The largest response body read; OTLP answers are a few bytes.
    static let maxBody = 64 * 1024

    func send(headers: [(String, String)], body: [UInt8], timeout: Duration) throws(ConnectionFailure) -> Response {
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
        head += "User-Agent: tracescope\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + body
        return try connection.withLock { fd throws(ConnectionFailure) -> Response in
            let reused = fd >= 0
            if !reused { fd = try connect(timeout: timeout) }
            do throws(ExchangeFailure) {
                return try exchange(request, on: &fd, timeout: timeout)
            } catch {
                guard reused, !error.answered else { throw ConnectionFailure(description: error.description) }
            }
            // The server closed the kept connection while it was idle: the request never reached it.
            fd = try connect(timeout: timeout)
            do throws(ExchangeFailure) {
                return try exchange(request, on: &fd, timeout: timeout)
            } catch {
                throw ConnectionFailure(description: error.description)
            }
        }
    }

    /// Closes the kept connection (the exporter's shutdown).
    func close() {
        connection.withLock { fd in
            if fd >= 0 { closeDescriptor(fd) }
            fd = -1
        }
    }

    private struct ExchangeFailure: Error, CustomStringConvertible {
        var description: String
        /// Some of an answer arrived: the server had the request, so it is not sent again on a new connection.
        var answered: Bool
    }

    /// One request and its response on `fd`; the connection is closed (`fd` = -1) when it failed or the server
    /// will not keep it.
    private func exchange(_ request: [UInt8], on fd: inout Int32, timeout: Duration) throws(ExchangeFailure)
        -> Response
    {
        Self.setTimeout(fd, timeout)
        do {
            try FileDescriptorIO.writeAll(fd, request, socket: true)
        } catch {
            closeDescriptor(fd)
            fd = -1
            throw ExchangeFailure(description: "send to \(host):\(port): \(error)", answered: false)
        }
        do {
            let (response, keep) = try readResponse(fd)
            if !keep {
                closeDescriptor(fd)
                fd = -1
            }
            return response
        } catch {
            closeDescriptor(fd)
            fd = -1
            throw error
        }
    }

    private func connect(timeout: Duration) throws(ConnectionFailure) -> Int32 {
        guard let resolved = PosixIO.resolve(host: host, port: port, socketType: Int32(SOCK_STREAM.rawValue)) else {
            throw ConnectionFailure(description: "cannot resolve \(host)")
        }
        let fd = socket(resolved.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionFailure(description: "socket: \(String(cString: strerror(errno)))") }
        #if canImport(Darwin)
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        Self.setTimeout(fd, timeout)
        let connected = resolved.address.withUnsafeBytes { raw in
            connectDescriptor(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            closeDescriptor(fd)
            throw ConnectionFailure(description: "connect \(host):\(port): \(reason)")
        }
        return fd
    }

    private static func setTimeout(_ fd: Int32, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds / 1_000_000_000_000)))
        if limit.tv_sec == 0, limit.tv_usec < 1000 { limit.tv_usec = 1000 }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Status line, headers, and a body — `Content-Length` bytes, chunks (`Transfer-Encoding: chunked`), none (204,
    /// 304), or up to the close; whether the connection can carry another request.
    private func readResponse(_ fd: Int32) throws(ExchangeFailure) -> (Response, keep: Bool) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var headerEnd: Int?
        var framing = BodyFraming.untilClose
        var response = Response(status: 0, headers: [:], body: [])
        var complete = false
        while true {
            if let end = headerEnd, let body = framing.body(of: data[end...]) {
                response.body = body
                complete = true
                break
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                guard headerEnd != nil else {
                    let code = errno
                    let reason = n < 0 ? String(cString: strerror(code)) : "connection closed"
                    // A reset is how a kept connection the server already closed answers; a timeout may come
                    // after the server read the request, so it is not sent again at once.
                    let reset = n < 0 && (code == ECONNRESET || code == EPIPE)
                    throw ExchangeFailure(
                        description: "no response from \(host):\(port) (\(reason))",
                        answered: !data.isEmpty || (n < 0 && !reset))
                }
                break
            }
            data.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let range = data.firstRange(of: [13, 10, 13, 10]) {
                headerEnd = range.upperBound
                let lines = String(decoding: data[..<range.lowerBound], as: UTF8.self).split(separator: "\r\n")
                let statusParts = lines.first?.split(separator: " ") ?? []
                guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
                    throw ExchangeFailure(
                        description: "\(host):\(port) answered something that is not HTTP", answered: true)
                }
                response.status = status
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let value = line[line.index(after: colon)...].drop { $0 == " " }
                    response.headers[line[..<colon].lowercased()] = String(value)
                }
                framing = BodyFraming(status: status, headers: response.headers)
            }
            if data.count > Self.maxBody + 16 * 1024 { break }
        }
        guard let end = headerEnd else { return (response, false) }
        if !complete { response.body = Array(data[end..<min(data.count, end + Self.maxBody)]) }
        // Kept only when the body's end was known and read, and neither side asked to close.
        let keep = complete && framing != .untilClose && response.headers["connection"]?.lowercased() != "close"
        return (response, keep)
    }
}

/// How a response's body ends (RFC 9112 §6.3), and reading it from what has arrived.
enum BodyFraming: Equatable {
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

    /// The whole body once `bytes` (what followed the headers) holds it; nil while more must be read (or for
    /// `untilClose`, which only the close ends). A body longer than `HTTPPost.maxBody` is cut there.
    func body(of bytes: ArraySlice<UInt8>) -> [UInt8]? {
        switch self {
        case .none: return []
        case .untilClose: return nil
        case .length(let length):
            guard bytes.count >= length else { return nil }
            return Array(bytes.prefix(min(length, HTTPPost.maxBody)))
        case .chunked: return Self.dechunk(bytes)
        }
    }

    /// `size CRLF data CRLF … 0 CRLF [trailers] CRLF`, or nil while incomplete (or malformed: the timeout ends it).
    static func dechunk(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var body: [UInt8] = []
        var i = bytes.startIndex
        while true {
            guard let lineEnd = bytes[i...].firstRange(of: [13, 10]) else { return nil }
            let sizeText =
                String(decoding: bytes[i..<lineEnd.lowerBound], as: UTF8.self)
                .split(separator: ";").first.map { $0.trimmingCharacters(in: " ") } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { return nil }
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
            if body.count < HTTPPost.maxBody { body += bytes[i..<i + min(size, HTTPPost.maxBody - body.count)] }
            i += size + 2
        }
    }
}

// Free functions: inside `HTTPPost`, `close` and `connect` name its own methods.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

private func connectDescriptor(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
