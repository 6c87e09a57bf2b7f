#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into records, tracking line numbers, without holding more than one record in memory.
///
/// Two layouts are recognised from the first line, so callers never say which they have:
/// - **JSON lines** (the native format, OTLP file-exporter output, daemon captures): each line is a record; a line may
///   hold several JSON values back to back (a capture of datagrams written without separators), which the decoder
///   takes apart.
/// - **One JSON document** spread over lines (pretty-printed `aws xray batch-get-traces` output, or a JSON array of
///   segment documents): the first line is a lone `{` or starts with `[`. The whole input is one record.
///
/// ```swift
/// var framer = RecordFramer()
/// framer.push(chunk) { record in handle(record.bytes, record.line) }
/// framer.finish { record in handle(record.bytes, record.line) }
/// ```
public struct RecordFramer: Sendable {
    public enum Layout: Sendable, Equatable {
        case undecided
        case jsonLines
        case document
    }

    /// One record's bytes (valid only inside the callback) and the line it starts on.
    public struct Record {
        public var bytes: UnsafeRawBufferPointer
        public var line: Int
        /// Set when the record was longer than the limit; `bytes` is then empty.
        public var oversized: Bool

        public init(bytes: UnsafeRawBufferPointer, line: Int, oversized: Bool = false) {
            self.bytes = bytes
            self.line = line
            self.oversized = oversized
        }
    }

    public private(set) var layout: Layout = .undecided
    public let maxRecordBytes: Int
    private var pending: [UInt8] = []
    private var line = 1
    private var pendingStartLine = 1
    private var discarding = false
    private var discardedBytes = 0

    public init(maxRecordBytes: Int = 64 << 20) {
        self.maxRecordBytes = maxRecordBytes
    }

    public mutating func push(_ chunk: UnsafeRawBufferPointer, _ emit: (Record) -> Void) {
        guard chunk.count > 0 else { return }
        if layout == .undecided { decideLayout(adding: chunk) }
        if layout == .undecided {
            pending.append(contentsOf: chunk)
            return
        }
        if layout == .document {
            if pending.count + chunk.count > maxRecordBytes {
                discarding = true
                discardedBytes += chunk.count
            } else {
                pending.append(contentsOf: chunk)
            }
            return
        }
        var lineStart = 0
        var i = 0
        // memchr-speed scan for newlines; most lines are complete within a chunk and are emitted without copying.
        while i < chunk.count {
            guard let newline = Self.findNewline(chunk, from: i) else { break }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[lineStart..<newline])
            if pending.isEmpty && !discarding {
                if piece.count > maxRecordBytes {
                    emit(Record(bytes: UnsafeRawBufferPointer(start: nil, count: 0), line: line, oversized: true))
                } else {
                    emitLine(piece, emit)
                }
            } else {
                appendPending(piece)
                flushPending(emit)
            }
            line += 1
            lineStart = newline + 1
            i = lineStart
        }
        if lineStart < chunk.count {
            if pending.isEmpty && !discarding { pendingStartLine = line }
            appendPending(UnsafeRawBufferPointer(rebasing: chunk[lineStart...]))
        }
    }

    public mutating func finish(_ emit: (Record) -> Void) {
        if layout == .undecided {
            layout = .jsonLines
            let buffered = pending
            pending = []
            buffered.withUnsafeBytes { push($0, emit) }
        }
        if layout == .document {
            pending.withUnsafeBytes { emit(Record(bytes: $0, line: 1, oversized: discarding)) }
            pending = []
            return
        }
        flushPending(emit)
    }

    // MARK: Internals

    private mutating func decideLayout(adding chunk: UnsafeRawBufferPointer) {
        // Look at the first line (possibly spread over earlier chunks) once it is complete or long enough to tell.
        var firstLine: [UInt8] = pending
        var complete = false
        for byte in chunk {
            if byte == 0x0A {
                complete = true
                break
            }
            firstLine.append(byte)
            if firstLine.count > 4096 { break }
        }
        guard complete || firstLine.count > 4096 else { return }
        let trimmed = firstLine.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
        if trimmed == [UInt8(ascii: "{")] || trimmed.first == UInt8(ascii: "[") {
            layout = .document
        } else {
            layout = .jsonLines
        }
        if !pending.isEmpty {
            let buffered = pending
            pending = []
            if layout == .document {
                pending = buffered
            } else {
                // Re-run the buffered start through the line splitter before the new chunk.
                pendingStartLine = 1
                pending = buffered
            }
        }
    }

    private static func findNewline(_ chunk: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = chunk.baseAddress, start < chunk.count else { return nil }
        guard let found = memchr(base + start, 0x0A, chunk.count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    private mutating func appendPending(_ piece: UnsafeRawBufferPointer) {
        if discarding {
            discardedBytes += piece.count
            return
        }
        if pending.count + piece.count > maxRecordBytes {
            discarding = true
            discardedBytes = pending.count + piece.count
            pending.removeAll(keepingCapacity: false)
            return
        }
        pending.append(contentsOf: piece)
    }

    private mutating func flushPending(_ emit: (Record) -> Void) {
        if discarding {
            emit(Record(bytes: UnsafeRawBufferPointer(start: nil, count: 0), line: pendingStartLine, oversized: true))
            discarding = false
            discardedBytes = 0
        } else if !pending.isEmpty {
            let startLine = pendingStartLine
            pending.withUnsafeBytes { emitLine($0, startLine: startLine, emit) }
        }
        pending.removeAll(keepingCapacity: true)
        pendingStartLine = line + 1
    }

    private func emitLine(_ bytes: UnsafeRawBufferPointer, startLine: Int? = nil, _ emit: (Record) -> Void) {
        var end = bytes.count
        if end > 0, bytes[end - 1] == 0x0D { end -= 1 }
        let trimmed = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
        // Blank lines are not records.
        var blank = true
        for b in trimmed where b != 0x20 && b != 0x09 {
            blank = false
            break
        }
        if blank { return }
        emit(Record(bytes: trimmed, line: startLine ?? line, oversized: false))
    }
}
