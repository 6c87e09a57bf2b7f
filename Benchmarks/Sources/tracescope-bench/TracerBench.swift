import ArgumentParser
import Foundation
import OTel
import TraceFiles
import TraceModel
import Tracescope
import Tracing

/// `tracer`: `tracer.withSpan("op") { _ in }` on a stored tracer — Tracescope's against swift-otel's (sampling on,
/// exporter `.none`, its service running), and Tracescope's unsampled span against swift-distributed-tracing's
/// `NoOpTracer`. Ours is timed until every span is written by the JSON-lines file exporter (the run ends with a flush
/// and the file is read back and counted), so export is part of the figure, not deferred past it. Beside them, the
/// floor of any recording tracer through this API (`ContextOnlyTracer`), for scale.
struct TracerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracer", abstract: "Span cost vs. swift-otel and NoOpTracer.")

    @Flag(help: "Under a minute: fewer spans per measurement.")
    var quick = false

    func run() async throws {
        let spans = quick ? 200_000 : 1_000_000
        let rounds = quick ? 3 : 5
        print("tracer benchmark: \(spans) spans per round, best of \(rounds) rounds")

        // swift-otel's tracer with its background service running.
        var config = OTel.Configuration.default
        config.serviceName = "bench"
        config.traces.exporter = .none
        config.traces.sampler = .alwaysOn
        config.metrics.enabled = false
        config.logs.enabled = false
        config.diagnosticLogLevel = .error
        let otel = try OTel.makeTracingBackend(configuration: config)
        let service = Task { try await otel.service.run() }
        try await Task.sleep(for: .milliseconds(200))
        let otelNanos = best(rounds) { loop(otel.factory, spans / 10) }
        service.cancel()

        // Ours, sampled, exporting every span to a file; the clock stops after the flush.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tracescope-bench-\(getpid()).jsonl")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try? FileManager.default.removeItem(atPath: path)
        let tracer = TracescopeTracer(
            serviceName: "bench", exporter: try JSONLinesFileExporter(path: path),
            sampler: AlwaysSample(), queueCapacity: 1 << 20)
        var callerNanos = Double.infinity
        let oursNanos = best(rounds) {
            let start = Measure.now()
            for _ in 0..<spans { tracer.withSpan("op") { _ in } }
            callerNanos = min(callerNanos, (Measure.now() - start) * 1e9 / Double(spans))
            tracer.forceFlush()
            return (Measure.now() - start) * 1e9 / Double(spans)
        }
        tracer.shutdown()
        let stats = tracer.exportStats
        let written = try TraceFileReader.read(path: path) { _ in }.spans
        print(
            "exported \(stats.exported) of \(stats.accepted) accepted spans (\(stats.dropped) dropped); \(written) read back from the file"
        )

        // Unsampled: ours with a sampler that says no, against NoOpTracer.
        let unsampledTracer = TracescopeTracer(
            serviceName: "bench", exporter: InMemoryExporter(), sampler: NeverSample())
        let unsampledNanos = best(rounds) { loop(unsampledTracer, spans) }
        unsampledTracer.shutdown()
        let noop = NoOpTracer()
        let noopNanos = best(rounds) { loop(noop, spans) }
        // What any recording tracer pays through this API before it records anything (see ContextOnlyTracer).
        let floorNanos = best(rounds) { loop(ContextOnlyTracer(recording: true), spans) }

        print("")
        print("                                   ns per span")
        print(
            "Tracescope, sampled + exported     \(Measure.format(oursNanos))   (the caller's share: \(Measure.format(callerNanos)))"
        )
        print("swift-otel 1.6.0, sampled          \(Measure.format(otelNanos))")
        print("Tracescope, unsampled              \(Measure.format(unsampledNanos))")
        print("NoOpTracer                         \(Measure.format(noopNanos))")
        print(
            "context-only tracer (API floor)    \(Measure.format(floorNanos))   (span in the ServiceContext, two clock reads, one allocation; no recording, no export)"
        )
        print(
            "RESULT tracer.sampled ours=\(Measure.format(oursNanos)) ns reference=\(Measure.format(otelNanos)) ns ratio=\(Measure.format(otelNanos / oursNanos, 2))"
        )
        print(
            "RESULT tracer.unsampled ours=\(Measure.format(unsampledNanos)) ns reference=\(Measure.format(noopNanos)) ns ratio=\(Measure.format(noopNanos / unsampledNanos, 2))"
        )
    }

    /// The fastest of `rounds` measurements (ns per span).
    private func best(_ rounds: Int, _ measure: () -> Double) -> Double {
        (0..<rounds).map { _ in measure() }.min() ?? .nan
    }

    /// ns per `withSpan` on a stored tracer.
    private func loop<T: Tracer>(_ tracer: T, _ count: Int) -> Double {
        let start = Measure.now()
        for _ in 0..<count { tracer.withSpan("op") { _ in } }
        return (Measure.now() - start) * 1e9 / Double(count)
    }
}
