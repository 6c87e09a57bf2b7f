import TraceFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One HTTP/1.1 POST on a fresh connection, blocking, within a timeout: what the OTLP exporter needs and no more.
/// Written here because the library stays free of networking stacks (SwiftNIO, libcurl through FoundationNetworking);
/// plain `http://` only, for a collector on the same host or network (docs/ARCHITECTURE.md, "The tracing library").
struct HTTPPost {
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

    var host: String
    var port: Int
    var path: String

    /// The largest response body read; OTLP answers are a few bytes.
    static let maxBody = 64 * 1024

    func send(headers: [(String, String)], body: [UInt8], timeout: Duration) throws(ConnectionFailure) -> Response {
        guard let resolved = PosixIO.resolve(host: host, port: port, socketType: Int32(SOCK_STREAM.rawValue)) else {
            throw ConnectionFailure(description: "cannot resolve \(host)")
        }
        let fd = socket(resolved.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionFailure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds / 1_000_000_000_000)))
        if limit.tv_sec == 0, limit.tv_usec < 1000 { limit.tv_usec = 1000 }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = resolved.address.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard connected == 0 else {
            throw ConnectionFailure(description: "connect \(host):\(port): \(String(cString: strerror(errno)))")
        }
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
        head += "Connection: close\r\nUser-Agent: tracescope\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        do {
            try FileDescriptorIO.writeAll(fd, head)
            try FileDescriptorIO.writeAll(fd, body)
        } catch {
            throw ConnectionFailure(description: "send to \(host):\(port): \(error)")
        }
        return try readResponse(fd)
    }

    /// Status line, headers, and a body of `Content-Length` bytes (or up to the close).
    private func readResponse(_ fd: Int32) throws(ConnectionFailure) -> Response {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var headerEnd: Int?
        var contentLength: Int?
        var response = Response(status: 0, headers: [:], body: [])
        while true {
            if let end = headerEnd, let length = contentLength, data.count - end >= length { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                guard headerEnd != nil else {
                    throw ConnectionFailure(description: "no response from \(host):\(port)")
                }
                break
            }
            data.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let range = data.firstRange(of: [13, 10, 13, 10]) {
                headerEnd = range.upperBound
                let lines = String(decoding: data[..<range.lowerBound], as: UTF8.self).split(separator: "\r\n")
                let statusParts = lines.first?.split(separator: " ") ?? []
                guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
                    throw ConnectionFailure(description: "\(host):\(port) answered something that is not HTTP")
                }
                response.status = status
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let value = line[line.index(after: colon)...].drop { $0 == " " }
                    response.headers[line[..<colon].lowercased()] = String(value)
                }
                contentLength = response.headers["content-length"].flatMap { Int($0) }.map { min($0, Self.maxBody) }
            }
            if data.count > Self.maxBody + 16 * 1024 { break }
        }
        if let end = headerEnd {
            response.body = Array(data[end..<min(data.count, end + (contentLength ?? Self.maxBody))])
        }
        return response
    }
}
