import Dispatch
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads trace files with decoding spread over background threads, while the caller analyses what was already
/// decoded: one thread reads and frames records, `decoders` threads decode 1 MB units of them, and the caller
/// receives the spans in file order — the same order, stats and rejection reports as a sequential read.
///
/// ```swift
/// try ParallelTraceReader.read(paths: files) { event in
///     switch event {
///     case .spans(let spans): analyzer.ingest(spans)
///     case .finished(let path, let stats): report(path, stats)
///     }
/// }
/// ```
public enum ParallelTraceReader {
    public enum Event: Sendable {
        case spans([Span])
        /// One file was read to its end; its stats.
        case finished(path: String, stats: IngestStats)
    }

    /// Input bytes per unit of decoding work.
    static let unitBytes = 1 << 20
    /// Units in flight at most (read, decoding or decoded but not yet consumed): this bounds memory.
    static let window = 8

    /// Reads `paths` in order. A file that cannot be read stops the reading: its failure is thrown after the events
    /// of the files before it.
    public static func read(
        paths: [String], decoders: Int = 2, maxRecordBytes: Int = 64 << 20,
        _ consume: (Event) -> Void
    ) throws(TraceFileReader.Failure) {
        let work = BoundedQueue<WorkUnit?>(capacity: window)
        let results = OrderedResults()
        let tickets = DispatchSemaphore(value: window)
        var threads: [pthread_t] = []
        let reader = Reader(
            paths: paths, maxRecordBytes: maxRecordBytes, work: work, tickets: tickets,
            stopDecoders: max(1, decoders))
        for _ in 0..<max(1, decoders) {
            guard let thread = spawn({ decodeLoop(work: work, results: results, maxRecordBytes: maxRecordBytes) })
            else { break }
            threads.append(thread)
        }
        guard !threads.isEmpty, let readerThread = spawn({ reader.run() }) else {
            // No threads to be had (or only some decoders): fall back to reading on this thread.
            for _ in threads { work.push(nil) }
            for thread in threads { pthread_join(thread, nil) }
            for path in paths {
                let stats = try TraceFileReader.read(path: path, maxRecordBytes: maxRecordBytes) { consume(.spans($0)) }
                consume(.finished(path: path, stats: stats))
            }
            return
        }
        threads.append(readerThread)

        var failure: TraceFileReader.Failure?
        var fileStats = IngestStats()
        var sequence = 0
        while true {
            let result = results.take(sequence)
            sequence += 1
            tickets.signal()
            if !result.spans.isEmpty { consume(.spans(result.spans)) }
            fileStats.merge(result.stats)
            if let error = result.failure { failure = error }
            if result.endOfFile, result.failure == nil, let path = result.path {
                consume(.finished(path: path, stats: fileStats))
                fileStats = IngestStats()
            }
            if result.isLast { break }
        }
        for thread in threads { pthread_join(thread, nil) }
        if let failure { throw failure }
    }

    // MARK: Units of work

    struct RecordRef: Sendable {
        var start: Int
        var count: Int
        var line: Int
        var oversized: Bool
    }

    struct WorkUnit: Sendable {
        var sequence: Int
        var path: String?
        var layout: RecordFramer.Layout = .jsonLines
        var bytes: [UInt8] = []
        var records: [RecordRef] = []
        /// Damage found while reading (corrupt gzip data), reported with this unit.
        var damage: [DecodeFailure] = []
        var endOfFile = false
        var isLast = false
        var failure: TraceFileReader.Failure?
    }

    struct UnitResult: Sendable {
        var path: String?
        var spans: [Span]
        var stats: IngestStats
        var endOfFile: Bool
        var isLast: Bool
        var failure: TraceFileReader.Failure?
    }

    private static func decodeLoop(work: BoundedQueue<WorkUnit?>, results: OrderedResults, maxRecordBytes: Int) {
        while let unit = work.pop() {
            var spans: [Span] = []
            var stats = IngestStats()
            let source = unit.path.map(TraceFileReader.sourceName) ?? ""
            unit.bytes.withUnsafeBytes { raw in
                for ref in unit.records {
                    let record = RecordFramer.Record(
                        bytes: UnsafeRawBufferPointer(rebasing: raw[ref.start..<(ref.start + ref.count)]),
                        line: ref.line, oversized: ref.oversized)
                    TraceStreamDecoder.decode(
                        record, source: source, layout: unit.layout, maxRecordBytes: maxRecordBytes,
                        into: &spans, stats: &stats)
                }
            }
            for damage in unit.damage { stats.reject(damage) }
            results.put(
                unit.sequence,
                UnitResult(
                    path: unit.path, spans: spans, stats: stats, endOfFile: unit.endOfFile,
                    isLast: unit.isLast, failure: unit.failure))
        }
    }

    /// Reads and frames files into units, in order, on its own thread.
    private final class Reader: @unchecked Sendable {
        let paths: [String]
        let maxRecordBytes: Int
        let work: BoundedQueue<WorkUnit?>
        let tickets: DispatchSemaphore
        let stopDecoders: Int
        private var sequence = 0

        init(
            paths: [String], maxRecordBytes: Int, work: BoundedQueue<WorkUnit?>, tickets: DispatchSemaphore,
            stopDecoders: Int
        ) {
            self.paths = paths
            self.maxRecordBytes = maxRecordBytes
            self.work = work
            self.tickets = tickets
            self.stopDecoders = stopDecoders
        }

        private func send(_ unit: WorkUnit) {
            tickets.wait()
            work.push(unit)
            sequence += 1
        }

        func run() {
            defer { for _ in 0..<stopDecoders { work.push(nil) } }
            if paths.isEmpty {
                send(WorkUnit(sequence: sequence, path: nil, isLast: true))
                return
            }
            for (index, path) in paths.enumerated() {
                let last = index == paths.count - 1
                var framer = RecordFramer(maxRecordBytes: maxRecordBytes)
                var unit = WorkUnit(sequence: sequence, path: path)
                // The framer must not be read while it is calling back, so the layout is passed in: records
                // emitted while pushing are JSON lines; a document arrives whole from `finish`.
                func collect(_ record: RecordFramer.Record, _ layout: RecordFramer.Layout) {
                    unit.layout = layout
                    let start = unit.bytes.count
                    unit.bytes.append(contentsOf: record.bytes)
                    unit.records.append(
                        RecordRef(
                            start: start, count: record.bytes.count, line: record.line,
                            oversized: record.oversized))
                    if unit.bytes.count >= ParallelTraceReader.unitBytes {
                        send(unit)
                        unit = WorkUnit(sequence: sequence, path: path)
                    }
                }
                do throws(TraceFileReader.Failure) {
                    try TraceFileReader.forEachChunk(
                        path: path,
                        { chunk in
                            framer.push(chunk) { collect($0, .jsonLines) }
                        }, damaged: { unit.damage.append($0) })
                } catch {
                    unit.failure = error
                    unit.endOfFile = true
                    unit.isLast = true
                    send(unit)
                    return
                }
                let finalLayout: RecordFramer.Layout = framer.layout == .document ? .document : .jsonLines
                framer.finish { collect($0, finalLayout) }
                unit.endOfFile = true
                unit.isLast = last
                send(unit)
            }
        }
    }

    private static func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, context)
        guard created == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return nil
        }
        return thread
    }
}

/// Results keyed by sequence number, taken strictly in order.
final class OrderedResults: @unchecked Sendable {
    private var ready: [Int: ParallelTraceReader.UnitResult] = [:]
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    func put(_ sequence: Int, _ result: ParallelTraceReader.UnitResult) {
        pthread_mutex_lock(&mutex)
        ready[sequence] = result
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    func take(_ sequence: Int) -> ParallelTraceReader.UnitResult {
        pthread_mutex_lock(&mutex)
        while ready[sequence] == nil { pthread_cond_wait(&changed, &mutex) }
        let result = ready.removeValue(forKey: sequence)
        pthread_mutex_unlock(&mutex)
        guard let result else { preconditionFailure("OrderedResults lost sequence \(sequence)") }
        return result
    }
}
