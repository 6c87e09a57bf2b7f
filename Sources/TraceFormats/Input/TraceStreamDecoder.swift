import TraceModel

/// Turns a byte stream (one file, standard input, a socket's stream) into spans: framing, format sniffing, decoding,
/// and an account of every record rejected and why.
///
/// ```swift
/// var decoder = TraceStreamDecoder(source: "traces.jsonl")
/// decoder.push(chunk) { spans in analysis.ingest(spans) }
/// decoder.finish { spans in analysis.ingest(spans) }
/// print(decoder.stats.rejected)
/// ```
public struct TraceStreamDecoder {
    public let source: String
    public private(set) var stats = IngestStats()
    private var framer: RecordFramer
    private var spans: [Span] = []

    public init(source: String, maxRecordBytes: Int = 64 << 20) {
        self.source = source
        self.framer = RecordFramer(maxRecordBytes: maxRecordBytes)
    }

    /// The layout the first line revealed (JSON lines or one document).
    public var layout: RecordFramer.Layout { framer.layout }

    public mutating func push(_ chunk: UnsafeRawBufferPointer, _ deliver: ([Span]) -> Void) {
        var framer = self.framer
        framer.push(chunk) { record in handle(record, deliver) }
        self.framer = framer
    }

    public mutating func finish(_ deliver: ([Span]) -> Void) {
        var framer = self.framer
        framer.finish { record in handle(record, deliver) }
        self.framer = framer
    }

    /// Records a failure that happened outside decoding (an unreadable file, corrupt gzip data).
    public mutating func reject(_ failure: DecodeFailure) {
        stats.reject(failure)
    }

    private mutating func handle(_ record: RecordFramer.Record, _ deliver: ([Span]) -> Void) {
        spans.removeAll(keepingCapacity: true)
        Self.decode(
            record, source: source, layout: framer.layout, maxRecordBytes: framer.maxRecordBytes,
            into: &spans, stats: &stats)
        if !spans.isEmpty { deliver(spans) }
    }

    /// Decodes one framed record, appending its spans and accounting for it in `stats`. Shared by the streaming
    /// decoder and the parallel file reader, so both report the same locations and reasons.
    public static func decode(
        _ record: RecordFramer.Record, source: String, layout: RecordFramer.Layout,
        maxRecordBytes: Int, into spans: inout [Span], stats: inout IngestStats
    ) {
        stats.records += 1
        let location = layout == .document ? source : "\(source):\(record.line)"
        if record.oversized {
            stats.reject(DecodeFailure(.tooLarge, "record longer than \(maxRecordBytes) bytes", location: location))
            return
        }
        let before = spans.count
        let outcome = TraceRecordDecoder.decode(record.bytes, into: &spans)
        stats.kinds.formUnion(outcome.kinds)
        for var failure in outcome.failures {
            failure.location = location
            stats.reject(failure)
        }
        stats.spans += spans.count - before
    }
}

/// Counts of what a stream decoder saw: records, spans, and rejections by reason with the first few messages.
public struct IngestStats: Sendable, Equatable {
    public var records = 0
    public var spans = 0
    public var rejected: [RejectReason: Int] = [:]
    /// The first rejections in full (location and problem), for a report a person can act on.
    public var examples: [DecodeFailure] = []
    public var kinds: Set<RecordKind> = []
    public static let maxExamples = 20

    public init() {}

    public var rejectedCount: Int { rejected.values.reduce(0, +) }

    public mutating func reject(_ failure: DecodeFailure) {
        rejected[failure.reason, default: 0] += 1
        if examples.count < Self.maxExamples { examples.append(failure) }
    }

    public mutating func merge(_ other: IngestStats) {
        records += other.records
        spans += other.spans
        rejected.merge(other.rejected, uniquingKeysWith: +)
        for e in other.examples where examples.count < Self.maxExamples { examples.append(e) }
        kinds.formUnion(other.kinds)
    }
}
