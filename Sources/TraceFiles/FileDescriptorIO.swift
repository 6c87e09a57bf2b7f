#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writing to a file descriptor until every byte is written: the one `write(2)` loop of the project (files, the
/// standard streams, the library's sockets). Interrupted writes are retried; any other failure is thrown.
public enum FileDescriptorIO {
    public struct WriteFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter socket: `fd` is a connected socket: a peer that closed it makes the write fail (EPIPE) instead
    ///   of raising SIGPIPE, which would end the process (on Darwin, set `SO_NOSIGPIPE` on the socket as well).
    public static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, socket: Bool = false) throws(WriteFailure) {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            #if os(Linux)
                let n =
                    socket
                    ? send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    : write(fd, base + offset, raw.count - offset)
            #else
                let n = write(fd, base + offset, raw.count - offset)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteFailure(description: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], socket: Bool = false) throws(WriteFailure) {
        // `withUnsafeBytes` rethrows untyped errors: the failure is carried out of the closure instead.
        let failure: WriteFailure? = bytes.withUnsafeBytes { raw in
            do throws(WriteFailure) {
                try writeAll(fd, raw, socket: socket)
                return nil
            } catch { return error }
        }
        if let failure { throw failure }
    }

    public static func writeAll(_ fd: Int32, _ text: String, socket: Bool = false) throws(WriteFailure) {
        try writeAll(fd, Array(text.utf8), socket: socket)
    }
}
