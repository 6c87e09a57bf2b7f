import Synchronization
import TraceFiles
import TraceFormats

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

    /// The response (`HTTPResponseReader` frames it); whether the connection can carry another request.
    private func readResponse(_ fd: Int32) throws(ExchangeFailure) -> (Response, keep: Bool) {
        var reader = HTTPResponseReader()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while !reader.isOverLimit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                let code = errno
                if reader.closed() != nil { break }
                let reason = n < 0 ? String(cString: strerror(code)) : "connection closed"
                // A reset is how a kept connection the server already closed answers; a timeout may come after the
                // server read the request, so it is not sent again at once.
                let reset = n < 0 && (code == ECONNRESET || code == EPIPE)
                throw ExchangeFailure(
                    description: "no response from \(host):\(port) (\(reason))",
                    answered: reader.hasStarted || (n < 0 && !reset))
            }
            do throws(HTTPResponseReader.NotHTTP) {
                if let response = try reader.append(buffer[0..<n]) { return (Response(response), response.keepAlive) }
            } catch {
                throw ExchangeFailure(
                    description: "\(host):\(port) answered something that is not HTTP", answered: true)
            }
        }
        guard let response = reader.closed() else {
            throw ExchangeFailure(description: "\(host):\(port) sent no response headers", answered: true)
        }
        return (Response(response), false)
    }
}

extension HTTPPost.Response {
    init(_ response: HTTPResponseReader.Response) {
        self.init(status: response.status, headers: response.headers, body: response.body)
    }
}

// Free functions: inside `HTTPPost`, `close` and `connect` name its own methods.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

private func connectDescriptor(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
