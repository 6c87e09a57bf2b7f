import CZlib

/// gzip compression of a whole buffer (one member), for request bodies sent to OTLP backends.
public enum Gzip {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `level` 1 (fastest) to 9 (smallest); 6 is zlib's default.
    public static func compress(_ input: [UInt8], level: Int32 = 6) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: a gzip header and trailer rather than zlib's.
        guard tracescope_deflateInit2(&stream, level, 15 + 16) == Z_OK else {
            throw Failure(description: "zlib could not start compressing")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        let status: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "zlib could not compress (status \(status))") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
