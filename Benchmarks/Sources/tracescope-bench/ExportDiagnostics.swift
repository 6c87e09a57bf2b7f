import ArgumentParser
import Foundation
import TraceAnalysis
import TraceCollector
import TraceFormats
import TraceModel
import Tracescope
import Tracing

/// `export-cost`: what exporting costs per span on the export thread, step by step (diagnostics for the tracer
/// benchmark; not a comparison).
struct ExportCost: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export-cost", shouldDisplay: false)

    @Flag var protobufOnly = false

    func run() throws {
        let count = 200_000
        if protobufOnly {
            let models = (0..<512).map { i in
                TraceModel.Span(
                    traceID: TraceID(high: 7, low: UInt64(i)), id: SpanID(UInt64(i + 1)), name: "op", source: .otlp,
                    kind: .internal, isSegment: true, serviceName: "bench", start: 1_700_000_000_000_000_000,
                    end: 1_700_000_000_000_100_000)
            }
            let (total, seconds) = Measure.time { () -> Int in
                var n = 0
                for _ in 0..<1000 { n += OTLPProtobufEncoder.request(models).count }
                return n
            }
            print("protobuf only: \(Measure.format(seconds * 1e9 / 512_000)) ns/span (\(total / 512_000) bytes)")
            return
        }
        var ids = BenchIDs()
        let spans = (0..<count).map { _ in
            FinishedSpan(
                traceID: ids.traceID(epochSeconds: 1_700_000_000), spanID: ids.spanID(), parentID: nil,
                operationName: "op", kind: .internal, serviceName: "bench", isSegment: true, origin: nil,
                start: 1_700_000_000_000_000_000, end: 1_700_000_000_000_100_000, attributes: [:],
                statusError: false, statusMessage: nil, exceptions: [], events: [])
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("export-cost-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let exporter = try JSONLinesFileExporter(path: path)
        let (_, exportSeconds) = try Measure.time {
            var offset = 0
            while offset < spans.count {
                try exporter.export(Array(spans[offset..<min(offset + 512, spans.count)]))
                offset += 512
            }
        }
        exporter.shutdown()
        // OTLP: the model spans alone, their protobuf encoding, and the whole export to a discarding endpoint, in
        // this thread's CPU time.
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
        }
        var began = cpu()
        var otlpModels: [TraceModel.Span] = []
        otlpModels.reserveCapacity(count)
        for f in spans {
            otlpModels.append(
                TraceModel.Span(
                    traceID: f.traceID, id: f.spanID, parentID: f.parentID, name: f.operationName, source: .otlp,
                    kind: .internal, isSegment: true, serviceName: f.serviceName, start: f.start, end: f.end,
                    statusError: f.statusError, statusMessage: f.statusMessage, attributes: f.attributes))
        }
        let modelNanos = (cpu() - began) / Double(count)
        began = cpu()
        var encoded = 0
        var offset = 0
        while offset < otlpModels.count {
            encoded += OTLPProtobufEncoder.request(Array(otlpModels[offset..<min(offset + 512, count)])).count
            offset += 512
        }
        let encodeNanos = (cpu() - began) / Double(count)
        let sink = try DiscardingOTLPSink()
        sink.start()
        let otlp = try OTLPHTTPExporter(endpoint: "http://127.0.0.1:\(sink.port)")
        began = cpu()
        offset = 0
        while offset < spans.count {
            try otlp.export(Array(spans[offset..<min(offset + 512, count)]))
            offset += 512
        }
        let otlpNanos = (cpu() - began) / Double(count)
        print(
            "OTLP (thread CPU): model spans \(Measure.format(modelNanos)) ns/span, protobuf \(Measure.format(encodeNanos)) ns/span (\(encoded / count) bytes each), whole export \(Measure.format(otlpNanos)) ns/span"
        )
        print("JSON-lines file export \(Measure.format(exportSeconds * 1e9 / Double(count))) ns/span")
    }
}

/// `ingest-cost`: the OTLP in-process pipeline alone, for profiling (diagnostics; not a comparison).
struct IngestCost: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest-cost", shouldDisplay: false)

    @Flag var decodeOnly = false
    /// The bare analyzer without live windows, or without the trace store (to see what each costs).
    @Flag var noWindows = false
    @Flag var noStore = false
    /// Decode and assemble traces only (no analysis of the completed traces).
    @Flag var assembleOnly = false
    /// Through the collector's `IngestPipeline` (as `ingest` measures) instead of a bare analyzer.
    @Flag var pipeline = false
    @Option var rounds = 3
    /// The most traces held open: the default completes every trace at the end, cold; a small number completes
    /// each soon after its spans arrived, while they are still in the cache.
    @Option var maxOpen = 20_000

    func run() throws {
        let batches = try IngestBench.otlpBatches(traces: 10_000)
        for _ in 0..<rounds {
            if pipeline {
                var failure: DecodeFailure?
                let (count, seconds) = Measure.time {
                    IngestBench.throughPipeline(batches.bodies, failure: &failure) { raw, spans throws(DecodeFailure) in
                        try OTLPProtobufDecoder.decode(raw, into: &spans)
                    }
                }
                print("\(count) spans, \(Measure.format(seconds * 1e9 / Double(count))) ns/span (pipeline)")
                continue
            }
            let (count, seconds) = Measure.time { () -> Int in
                var analyzer = TraceAnalyzer(quietPeriodSeconds: 30, maxOpenTraces: maxOpen, windowed: !noWindows)
                if !noStore { analyzer.keepTraces(budgetBytes: 64 << 20) }
                var assembler = TraceAssembler(quietPeriodSeconds: 30, maxOpenTraces: maxOpen)
                var completed = 0
                var spans: [TraceModel.Span] = []
                var total = 0
                for body in batches.bodies {
                    spans.removeAll(keepingCapacity: true)
                    body.withUnsafeBytes { raw in
                        do throws(DecodeFailure) { try OTLPProtobufDecoder.decode(raw, into: &spans) } catch {}
                    }
                    total += spans.count
                    if assembleOnly {
                        assembler.add(spans) { completed += $0.spans.count }
                    } else if !decodeOnly {
                        analyzer.ingest(spans)
                    }
                }
                analyzer.finish()
                assembler.flush { completed += $0.spans.count }
                precondition(!assembleOnly || completed == total, "assembly lost spans")
                return total
            }
            print("\(count) spans, \(Measure.format(seconds * 1e9 / Double(count))) ns/span")
        }
    }
}

/// `tracer-cost`: ours alone, sampled and exported to a file, for profiling the caller's and the export thread's
/// shares (diagnostics; not a comparison).
struct TracerCost: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tracer-cost", shouldDisplay: false)

    @Option var spans = 2_000_000
    /// Export to nothing: the caller's share alone, without an export thread competing for the cores.
    @Flag var discard = false

    func run() throws {
        let sink = try DiscardingOTLPSink()
        sink.start()
        let tracer =
            discard
            ? TracescopeTracer(serviceName: "bench", exporter: Discard(), sampler: AlwaysSample())
            : try TracescopeTracing.make(
                serviceName: "bench",
                environment: [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(sink.port)", "OTEL_TRACES_SAMPLER": "always_on",
                ]
            ).tracer
        for _ in 0..<3 {
            let cpuBefore = TracerBench.exportThreadCPU()
            let start = Measure.now()
            let callerBefore = TracerBench.threadCPU()
            for _ in 0..<spans { tracer.withSpan("op") { _ in } }
            let callerCPU = (TracerBench.threadCPU() - callerBefore) / Double(spans)
            let caller = Measure.now() - start
            tracer.forceFlush()
            let total = Measure.now() - start
            let exportCPU = Double(TracerBench.exportThreadCPU() - cpuBefore) / Double(spans)
            print(
                "caller \(Measure.format(caller * 1e9 / Double(spans))) ns/span (CPU \(Measure.format(callerCPU))), with export \(Measure.format(total * 1e9 / Double(spans))) ns/span, export thread \(Measure.format(exportCPU)) ns/span, dropped \(tracer.exportStats.dropped)"
            )
        }
        tracer.shutdown()

        // What the API costs before a tracer records anything: the no-op span, a span that only puts a reference
        // into its ServiceContext, and that plus two clock reads and one allocation (see ContextOnlyTracer).
        for _ in 0..<2 {
            let floors: [(String, Double)] = [
                ("NoOpTracer", Self.loop(NoOpTracer(), spans)),
                ("context only", Self.loop(ContextOnlyTracer(recording: false), spans)),
                ("context + clocks + allocation", Self.loop(ContextOnlyTracer(recording: true), spans)),
                (
                    "that + a hand-off to a thread that frees",
                    Self.loop(ContextOnlyTracer(recording: true, handOff: HandOffQueue()), spans)
                ),
            ]
            for (name, nanos) in floors { print("floor: \(name) \(Measure.format(nanos)) ns/span (CPU)") }
        }
    }

    private struct Discard: SpanExporter {
        func export(_ spans: [FinishedSpan]) {}
    }

    private static func loop<T: Tracer>(_ tracer: T, _ count: Int) -> Double {
        let start = TracerBench.threadCPU()
        for _ in 0..<count { tracer.withSpan("op") { _ in } }
        return (TracerBench.threadCPU() - start) / Double(count)
    }
}
