#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Name resolution for the exporters' sockets.
enum PosixIO {
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
