import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 with a free port that answers each request with what `respond` returns — a
/// fake AWS endpoint (X-Ray's API, container credentials, instance metadata, an OTLP collector) shaped as a test
/// needs. One connection at a time, `Connection: close` on every answer unless `connections` says otherwise; it
/// stops on `close()` or after `lifetime`, whichever comes first.
public final class ScriptedHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
        }
    }

    /// What the server does with a connection after answering.
    public enum Connections: Sendable {
        /// Closes it, saying so (`Connection: close`).
        case close
        /// Keeps it for the client's next request.
        case keepAlive
        /// Closes it without saying so, as a server's idle timeout does between two requests.
        case closeSilently
    }

    public let port: Int
    private let fd: Int32
    private let connectionMode: Connections
    private let accepted = Mutex(0)
    private let stopped = Mutex(false)
    private let log = Mutex<[Request]>([])

    public init(
        lifetime: Duration = .seconds(600), connections: Connections = .close,
        respond: @escaping @Sendable (Request) -> Response
    ) throws {
        connectionMode = connections
        (fd, port) = try bindLoopback(Int32(SOCK_STREAM.rawValue))
        guard listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = ContinuousClock.now + lifetime
        let fd = self.fd
        Thread.detachNewThread { [self] in
            while ContinuousClock.now < deadline, !stopped.withLock({ $0 }) {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                accepted.withLock { $0 += 1 }
                serve(client, respond)
            }
            Glibc.close(fd)
        }
    }

    /// Connections accepted so far.
    public var connectionsAccepted: Int { accepted.withLock { $0 } }

    /// Every request served so far.
    public var requests: [Request] { log.withLock { $0 } }

    public var url: String { "http://127.0.0.1:\(port)" }

    public func close() { stopped.withLock { $0 = true } }

    private func serve(_ client: Int32, _ respond: (Request) -> Response) {
        defer { Glibc.close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        while let request = Self.readRequest(client, &data) {
            log.withLock { $0.append(request) }
            let response = respond(request)
            var text = "HTTP/1.1 \(response.status) Scripted\r\nContent-Length: \(response.body.count)\r\n"
            if connectionMode == .close { text += "Connection: close\r\n" }
            for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
            var bytes = Array((text + "\r\n").utf8)
            bytes += response.body
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
            if connectionMode != .keepAlive { return }
        }
    }

    /// The next request on the connection (`data` holds what was read beyond the last one).
    private static func readRequest(_ client: Int32, _ data: inout [UInt8]) -> Request? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var head: String?
        var bodyStart = 0
        var contentLength = 0
        while true {
            if head == nil, let range = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                bodyStart = range.upperBound
                for line in head!.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if head != nil, data.count - bodyStart >= contentLength { break }
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data.append(contentsOf: buffer[0..<n])
        }
        guard let head else { return nil }
        let lines = head.split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let request = Request(
            method: requestLine.count > 0 ? String(requestLine[0]) : "",
            path: requestLine.count > 1 ? String(requestLine[1]) : "", headers: headers,
            body: Array(data[bodyStart..<min(data.count, bodyStart + contentLength)]))
        data.removeFirst(min(data.count, bodyStart + contentLength))
        return request
    }
}
