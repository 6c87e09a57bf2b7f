import Foundation

/// An OTLP/HTTP endpoint on 127.0.0.1 that reads every request on keep-alive connections, answers 200 with an
/// empty body, and keeps the bodies for counting afterwards: the tracer benchmark's exporter sends real requests to
/// it, and its own cost (reads into a buffer) stays far below a collector's, which would compete for the two cores.
final class DiscardingOTLPSink: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var bodies: [[UInt8]] = []

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, size) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &size) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts taking connections (each served on a thread of its own).
    func start() {
        let accepting = Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread { self.serve(connection) }.start()
            }
        }
        accepting.start()
    }

    /// The request bodies received so far, taken (the sink forgets them).
    func takeBodies() -> [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        let taken = bodies
        bodies = []
        return taken
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            // Headers, then Content-Length bytes of body.
            var headerEnd: Int?
            while headerEnd == nil {
                if let end = Self.find([13, 10, 13, 10], in: pending) {
                    headerEnd = end + 4
                    break
                }
                let n = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                guard n > 0 else { return }
                pending += chunk[0..<n]
            }
            guard let headerEnd else { return }
            let head = String(decoding: pending[0..<headerEnd], as: UTF8.self).lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            while pending.count < headerEnd + length {
                let n = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                guard n > 0 else { return }
                pending += chunk[0..<n]
            }
            let body = Array(pending[headerEnd..<headerEnd + length])
            pending.removeFirst(headerEnd + length)
            lock.lock()
            bodies.append(body)
            lock.unlock()
            let answer = Array(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n".utf8)
            guard answer.withUnsafeBytes({ write(connection, $0.baseAddress, $0.count) }) == answer.count else {
                return
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<i + needle.count]) == needle { return i }
        }
        return nil
    }
}
