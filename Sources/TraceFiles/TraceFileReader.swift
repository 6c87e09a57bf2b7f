import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads trace files — any format Tracescope knows, gzip-compressed or not, `-` for standard input — in fixed-size
/// chunks, so memory stays flat however large the file.
///
/// ```swift
/// let stats = try TraceFileReader.read(path: "traces.jsonl.gz") { spans in analysis.ingest(spans) }
/// ```
public enum TraceFileReader {
    public static let chunkSize = 1 << 20

    /// A file that cannot be read at all (as opposed to bad records inside it, which are counted in the stats).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// How a path is named in locations (`file.jsonl:12`).
    public static func sourceName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// Reads one file (or `-`) and delivers its spans record by record. Returns what was seen and rejected.
    @discardableResult
    public static func read(
        path: String, maxRecordBytes: Int = 64 << 20,
        deliver: ([Span]) -> Void
    ) throws(Failure) -> IngestStats {
        var decoder = TraceStreamDecoder(source: sourceName(path), maxRecordBytes: maxRecordBytes)
        try forEachChunk(path: path, { decoder.push($0, deliver) }, damaged: { decoder.reject($0) })
        decoder.finish(deliver)
        return decoder.stats
    }

    /// Hands the file's (decompressed) bytes to `body` chunk by chunk. Damage found on the way (corrupt or truncated
    /// gzip data) goes to `damaged` and ends the reading; a file that cannot be opened or read throws.
    public static func forEachChunk(
        path: String, _ body: (UnsafeRawBufferPointer) -> Void,
        damaged: (DecodeFailure) -> Void
    ) throws(Failure) {
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw Failure(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw Failure(path: path, message: "is a directory, not a trace file")
            }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }

        let source = sourceName(path)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var inflater: GzipInflater?
        var first = true
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress, raw.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            if first {
                first = false
                // Sniff gzip by its magic number, not the file name, so `-` and misnamed files work too.
                if count >= 2, buffer[0] == 0x1F, buffer[1] == 0x8B {
                    do throws(GzipInflater.Failure) { inflater = try GzipInflater() } catch {
                        throw Failure(path: path, message: error.message)
                    }
                }
            }
            let ok: Bool = buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                guard let inflater else {
                    body(chunk)
                    return true
                }
                do throws(GzipInflater.Failure) {
                    try inflater.push(chunk, body)
                    return true
                } catch {
                    damaged(DecodeFailure(.unreadable, error.message, location: source))
                    return false
                }
            }
            if !ok { return }
        }
        if let inflater {
            do throws(GzipInflater.Failure) { try inflater.finish() } catch {
                damaged(DecodeFailure(.truncated, error.message, location: source))
            }
        }
    }
}
