import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Re-sends X-Ray daemon datagrams verbatim to another daemon — the real AWS X-Ray daemon, or an ADOT collector's
/// X-Ray receiver — so a Tracescope collector can sit in front of one (`collect --forward-udp ADDR`).
///
/// One connected, non-blocking UDP socket: a send is one system call on the receive path and never waits. A
/// datagram the kernel cannot take at once (its buffer full) is dropped and counted, as a daemon would lose it.
public final class DaemonUDPForwarder: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Stats: Sendable, Equatable {
        public var forwarded: UInt64 = 0
        public var dropped: UInt64 = 0
    }

    private let fd: Int32
    public let target: String
    private let counts = Mutex(Stats())

    public init(host: String, port: Int) throws(Failure) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result,
            let address = first.pointee.ai_addr
        else { throw Failure(description: "--forward-udp \(host):\(port): cannot resolve the host") }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "--forward-udp: socket: \(String(cString: strerror(errno)))") }
        guard connect(fd, address, first.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "--forward-udp \(host):\(port): \(reason)")
        }
        var sendBuffer: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
        self.target = "\(host):\(port)"
    }

    /// Sends one datagram as received.
    public func forward(_ datagram: UnsafeRawBufferPointer) {
        let sent = send(fd, datagram.baseAddress, datagram.count, Int32(MSG_DONTWAIT))
        counts.withLock { s in
            // A refused port (ICMP unreachable from an earlier send) or a full buffer loses this datagram only.
            if sent == datagram.count { s.forwarded += 1 } else { s.dropped += 1 }
        }
    }

    public var stats: Stats { counts.withLock { $0 } }

    public func close() { Glibc.close(fd) }
}
