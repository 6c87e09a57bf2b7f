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

    public static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) throws(WriteFailure) {
        guard let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let n = write(fd, base + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteFailure(description: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(WriteFailure) {
        // `withUnsafeBytes` rethrows untyped errors: the failure is carried out of the closure instead.
        let failure: WriteFailure? = bytes.withUnsafeBytes { raw in
            do throws(WriteFailure) {
                try writeAll(fd, raw)
                return nil
            } catch { return error }
        }
        if let failure { throw failure }
    }

    public static func writeAll(_ fd: Int32, _ text: String) throws(WriteFailure) {
        try writeAll(fd, Array(text.utf8))
    }
}
