import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A UDP socket on 127.0.0.1 with a free port, for receiving what an exporter sends. Closed by `close()`.
public final class UDPReceiver: @unchecked Sendable {
    public let fd: Int32
    public let port: Int

    public init() throws {
        (fd, port) = try bindLoopback(Int32(SOCK_DGRAM.rawValue))
        var receiveBuffer: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Every datagram that arrives until the socket has been quiet for 300 ms.
    public func receiveAll() -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 70_000)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            datagrams.append(Array(buffer[0..<n]))
        }
        return datagrams
    }

    public func close() { Glibc.close(fd) }
}

/// A one-request HTTP server on 127.0.0.1 with a free port: accepts one connection, reads one request, answers with
/// `status`, and hands over the body. Stops by itself after one request or 10 seconds.
public final class OneShotHTTPServer: @unchecked Sendable {
    public let fd: Int32
    public let port: Int
    private let status: Int
    private let done = DispatchSemaphore(value: 0)
    private var received: (headers: String, body: [UInt8])?

    public init(status: Int = 200) throws {
        self.status = status
        (fd, port) = try bindLoopback(Int32(SOCK_STREAM.rawValue))
        guard listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in serveOnce() }
    }

    private func serveOnce() {
        defer {
            Glibc.close(fd)
            done.signal()
        }
        let client = accept(fd, nil, nil)
        guard client >= 0 else { return }
        defer { Glibc.close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let range = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headerEnd, data.count - headerEnd >= contentLength { break }
        }
        if let headerEnd {
            received = (String(decoding: data[..<headerEnd], as: UTF8.self), Array(data[headerEnd...]))
        }
        let response = "HTTP/1.1 \(status) X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = response.withCString { send(client, $0, strlen($0), 0) }
    }

    /// Waits for the request (at most 10 s).
    public func request() -> (headers: String, body: [UInt8])? {
        _ = done.wait(timeout: .now() + 11)
        return received
    }
}

/// A socket of `type` bound to 127.0.0.1 on `port` (0: a free port the system picks).
public func bindLoopback(_ type: Int32, port: Int = 0) throws -> (Int32, Int) {
    let fd = socket(AF_INET, type, 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    var size = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
    }
    guard bound == 0 else {
        close(fd)
        throw POSIXError(.EADDRINUSE)
    }
    withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &size) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A port on 127.0.0.1 free for both TCP and UDP, for a server a test starts in another process. It is picked below
/// the system's ephemeral range (32768 up): a port the system picks is free only until an outgoing connection of a
/// test running beside this one takes it as its local port, which a CI run was seen to do between the probe and the
/// server's bind.
public func freeListenPort() throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000..<32_000)
        guard let (tcp, _) = try? bindLoopback(Int32(SOCK_STREAM.rawValue), port: port) else { continue }
        defer { close(tcp) }
        guard let (udp, _) = try? bindLoopback(Int32(SOCK_DGRAM.rawValue), port: port) else { continue }
        close(udp)
        return port
    }
    throw POSIXError(.EADDRINUSE)
}

/// A UDP socket that sends datagrams to a port on 127.0.0.1 (a bad peer, for tests of what a receiver refuses).
public final class UDPSender: Sendable {
    private let fd: Int32
    private let port: Int

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        self.port = port
    }

    public func send(_ bytes: [UInt8]) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    deinit { Glibc.close(fd) }
}
