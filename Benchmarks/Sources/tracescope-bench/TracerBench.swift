import ArgumentParser
import Foundation
import OTel
import TraceFormats
import TraceModel
import Tracescope
import Tracing

/// `tracer`: `tracer.withSpan("op") { _ in }` on a stored tracer, every contender the same number of spans in
/// interleaved rounds:
/// - ours as `TracescopeTracing.make` builds it from the environment with nothing set but the endpoint and the
///   sampler (`always_on`): OTLP/HTTP protobuf, the default queue and flush interval. Its spans go to a loopback
///   endpoint that discards them (`DiscardingOTLPSink`); a round is timed until `forceFlush` returns, so export is
///   in the figure. The bodies are decoded afterwards and every span counted.
/// - swift-otel's tracer, sampling on, exporter `.none`, its service running;
/// - ours unsampled against swift-distributed-tracing's `NoOpTracer`;
/// - the floor of any recording tracer through this API (`ContextOnlyTracer`).
/// Beside wall time, the export thread's own CPU time per span is read from the kernel (`/proc/self/task`).
struct TracerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracer", abstract: "Span cost vs. swift-otel, NoOpTracer and the API's floor.")

    @Flag(help: "Under a minute: fewer spans per round.")
    var quick = false

    struct Round {
        var exported = 0.0
        var caller = 0.0
        var exportCPU = 0.0
        var otel = 0.0
        var unsampled = 0.0
        var noop = 0.0
        var floor = 0.0
        var floorCPU = 0.0
    }

    func run() async throws {
        let spans = quick ? 200_000 : 1_000_000
        let rounds = quick ? 5 : 7
        print("tracer benchmark: \(spans) spans per contender per round, \(rounds) interleaved rounds")

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

        let sink = try DiscardingOTLPSink()
        sink.start()
        let tracing = try TracescopeTracing.make(
            serviceName: "bench",
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(sink.port)", "OTEL_TRACES_SAMPLER": "always_on",
            ])
        let tracer = tracing.tracer
        print("ours: exporter \(tracing.configuration.exporter), sampler \(tracing.configuration.sampler)")
        let unsampledTracer = TracescopeTracer(serviceName: "bench", exporter: NoExport(), sampler: NeverSample())
        let noop = NoOpTracer()
        let floorTracer = ContextOnlyTracer(recording: true)
        // One short pass of each first, so no contender pays for first-touch page faults in round one.
        _ = loop(tracer, spans / 10)
        tracer.forceFlush()
        _ = loop(otel.factory, spans / 10)
        _ = sink.takeBodies()
        let warmed = tracer.exportStats

        var results: [Round] = []
        for _ in 0..<rounds {
            var round = Round()
            let exportBefore = Self.exportThreadCPU()
            let start = Measure.now()
            let callerBefore = Self.threadCPU()
            for _ in 0..<spans { tracer.withSpan("op") { _ in } }
            round.caller = (Self.threadCPU() - callerBefore) / Double(spans)
            tracer.forceFlush()
            round.exported = (Measure.now() - start) * 1e9 / Double(spans)
            round.exportCPU = Double(Self.exportThreadCPU() - exportBefore) / Double(spans)
            round.otel = loop(otel.factory, spans)
            round.unsampled = loop(unsampledTracer, spans)
            round.noop = loop(noop, spans)
            let floorBefore = Self.threadCPU()
            round.floor = loop(floorTracer, spans)
            round.floorCPU = (Self.threadCPU() - floorBefore) / Double(spans)
            results.append(round)
        }
        service.cancel()
        await tracing.shutdown()
        unsampledTracer.shutdown()

        let stats = tracer.exportStats
        var received = 0
        for body in sink.takeBodies() {
            var decoded: [TraceModel.Span] = []
            body.withUnsafeBytes { raw in
                do throws(DecodeFailure) { try OTLPProtobufDecoder.decode(raw, into: &decoded) } catch {}
            }
            received += decoded.count
        }
        let timed = stats.accepted - warmed.accepted
        let dropped = stats.dropped
        print(
            "ours: \(timed) spans timed, \(stats.exported - warmed.exported) exported, \(received) decoded at the endpoint (\(dropped) dropped, \(stats.failedSpans) failed) at the default queue of \(TracescopeTracer.defaultQueueCapacity)"
        )

        func row(_ name: String, _ value: (Round) -> Double) -> Double {
            let values = results.map(value).sorted()
            let median = values[values.count / 2]
            print(
                "\(name.padding(toLength: 44, withPad: " ", startingAt: 0))\(Measure.format(values.first ?? .nan))  \(Measure.format(median))  \(Measure.format(values.last ?? .nan))"
            )
            return median
        }
        print("")
        print("ns per span                                 min  median  max")
        let exported = row("Tracescope, sampled + exported", \.exported)
        let caller = row("  the caller's share (its thread's CPU)", \.caller)
        let exportCPU = row("  the export thread's CPU", \.exportCPU)
        let otelNanos = row("swift-otel 1.6.0, sampled (exporter none)", \.otel)
        let unsampled = row("Tracescope, unsampled", \.unsampled)
        let noopNanos = row("NoOpTracer", \.noop)
        let floor = row("context-only tracer (the API's floor)", \.floor)
        let floorCPU = row("  the same in its thread's CPU", \.floorCPU)
        print("(the floor: the span in the ServiceContext, two clock reads, one allocation; no recording, no export)")
        func result(_ name: String, _ ours: Double, _ reference: Double, unit: String = " ns") {
            print(
                "RESULT \(name) ours=\(Measure.format(ours))\(unit) reference=\(Measure.format(reference))\(unit) ratio=\(Measure.format(reference / ours, 2))"
            )
        }
        result("tracer.sampled", exported, otelNanos)
        result("tracer.caller", caller, floorCPU)
        result("tracer.export", exportCPU, caller)
        result("tracer.floor", exported, floor)
        result("tracer.unsampled", unsampled, noopNanos)
        print(
            "targets: sampled ratio >= 12; caller <= floor + 100 ns (\(Measure.format(floorCPU + 100)) ns); export ratio >= 1; floor ratio >= 0.67; unsampled ratio >= 0.67; 0 dropped"
        )
    }

    /// ns per `withSpan` on a stored tracer.
    private func loop<T: Tracer>(_ tracer: T, _ count: Int) -> Double {
        let start = Measure.now()
        for _ in 0..<count { tracer.withSpan("op") { _ in } }
        return (Measure.now() - start) * 1e9 / Double(count)
    }

    /// CPU nanoseconds the calling thread has run.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
    }

    /// CPU nanoseconds the tracer's export thread has run (by its name, from the kernel's per-thread schedstat).
    static func exportThreadCPU() -> UInt64 {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var total: UInt64 = 0
        for task in tasks {
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            guard comm.trimmingCharacters(in: .whitespacesAndNewlines) == "tracescope-exp" else { continue }
            let stat = (try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8)) ?? ""
            total += stat.split(separator: " ").first.flatMap { UInt64($0) } ?? 0
        }
        return total
    }
}

/// An exporter for the unsampled tracer, which never exports.
private struct NoExport: SpanExporter {
    func export(_ spans: [FinishedSpan]) {}
}
