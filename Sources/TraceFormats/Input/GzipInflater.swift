import CZlib

/// Streaming gzip (and zlib) decompression, so `.gz` trace files are read chunk by chunk in flat memory.
///
/// Concatenated gzip members (as `cat a.gz b.gz` or log rotation produce) are decoded one after another.
public final class GzipInflater {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private var stream = z_stream()
    private var active = false
    private var output = [UInt8](repeating: 0, count: 256 * 1024)
    public private(set) var finished = false

    public init() throws(Failure) {
        try reset()
    }

    deinit {
        if active { inflateEnd(&stream) }
    }

    private func reset() throws(Failure) {
        if active { inflateEnd(&stream) }
        stream = z_stream()
        // 15 window bits + 32: detect gzip or zlib headers automatically.
        let status = tracescope_inflateInit2(&stream, 15 + 32)
        guard status == Z_OK else { throw Failure(message: "zlib could not start (status \(status))") }
        active = true
    }

    /// Decompresses `input`, handing each piece of output to `emit`.
    public func push(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        try push(
            input,
            until: { piece in
                emit(piece)
                return true
            })
    }

    /// Decompresses `input` while `emit` returns true; a false stops at once, so a bomb costs no more work than the
    /// limit its reader set (the inflater is then left mid-stream: discard it).
    public func push(_ input: UnsafeRawBufferPointer, until emit: (UnsafeRawBufferPointer) -> Bool) throws(Failure) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var consumed = 0
        while consumed < input.count {
            if finished {
                // Another gzip member follows the one that ended.
                try reset()
                finished = false
            }
            let remaining = input.count - consumed
            stream.next_in = UnsafeMutablePointer(mutating: (base + consumed).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(remaining)
            var status: Int32 = Z_OK
            repeat {
                let produced: Int = output.withUnsafeMutableBytes { out in
                    stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw Failure(message: "corrupt gzip data: \(reason)")
                }
                if produced > 0,
                    !output.withUnsafeBytes({ emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) })
                {
                    return
                }
                if status == Z_STREAM_END { break }
                if status == Z_BUF_ERROR && produced == 0 { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
            consumed = input.count - Int(stream.avail_in)
            if status == Z_STREAM_END {
                finished = true
            } else {
                break
            }
        }
    }

    /// Call at the end of input: a member that never ended means the file was cut short.
    public func finish() throws(Failure) {
        if !finished && stream.total_in > 0 {
            throw Failure(message: "gzip data ends early (the file is truncated)")
        }
    }
}

extension GzipInflater {
    /// Inflates a whole gzip (or zlib) body, stopping as soon as it would pass `limit` bytes: the one bounded
    /// decompression every receiver and reader of request bodies uses (docs/SEMANTICS.md, "Limits").
    public static func inflateWhole(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Result<[UInt8], DecodeFailure> {
        do throws(Failure) {
            let inflater = try GzipInflater()
            var out: [UInt8] = []
            var over = false
            try inflater.push(bytes) { piece in
                guard out.count + piece.count <= limit else {
                    over = true
                    return false
                }
                out.append(contentsOf: piece)
                return true
            }
            if over { return .failure(DecodeFailure(.tooLarge, "gzip body inflates beyond \(limit) bytes")) }
            try inflater.finish()
            return .success(out)
        } catch {
            return .failure(DecodeFailure(.invalidJSON, "bad gzip body: \(error)"))
        }
    }
}
