import ArgumentParser
import TraceCollector
import TraceDemo
import TraceTUI
import Tracescope

/// `tracescope demo`: a live, simulated serverless shop traced by the Tracescope library, sent over loopback UDP to
/// the embedded collector, shown in the dashboard.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The dashboard over a live, simulated serverless shop (traced by the Tracescope library).",
        discussion: """
            API Gateway → checkout, cart and auth functions → DynamoDB, S3, SQS, an external payments API; an email \
            sender behind SQS. Cold starts, a throttling burst, a failing payments API and queue dwell all show \
            within ten seconds and recur. With --headless it writes the same traffic as X-Ray JSON lines instead.
            """
    )

    @Option(help: "Seed of the simulated traffic.")
    var seed: UInt64 = 42

    @Flag(help: "No dashboard: write the traffic to --out for --duration seconds.")
    var headless = false

    @Option(help: ArgumentHelp("Seconds to run (headless; default 30).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("Where --headless writes X-Ray JSON lines.", valueName: "file"))
    var out: String?

    @Flag(help: "Draw with plain ASCII.")
    var ascii = false

    @Flag(help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Leave the mouse to the terminal (default: click selects, double-click opens, the wheel scrolls).")
    var noMouse = false

    func validate() throws {
        if headless && out == nil { throw ValidationError("--headless needs --out FILE") }
        if let duration { try NumericFlag.seconds(duration, flag: "--duration") }
    }

    func run() async throws {
        if headless, let out {
            let exporter: JSONLinesFileExporter
            do { exporter = try JSONLinesFileExporter(path: out) } catch {
                Terminal.warn("\(error)")
                throw ExitCode(2)
            }
            let tracer = TracescopeTracer(
                serviceName: "shop", exporter: exporter, sampler: AlwaysSample(),
                flushInterval: .milliseconds(200))
            await ShopWorkload(tracer: tracer, seed: seed).run(seconds: duration ?? 30)
            // Let queued emails finish before the last flush.
            try? await Task.sleep(for: .seconds(3))
            tracer.shutdown()
            let stats = tracer.exportStats
            Terminal.printError("tracescope demo: wrote \(stats.exported) spans to \(out) (\(stats.dropped) dropped)")
            return
        }
        guard Terminal.stdoutIsTerminal else {
            Terminal.warn("the demo's dashboard needs a terminal; use --headless --out FILE for a file")
            throw ExitCode(2)
        }
        // The whole path is real: library → UDP datagrams on loopback → collector → dashboard.
        // Demo traces are short: complete them 3 s after their last span so episodes show within seconds — and the
        // email sender, which the queue delivers up to ~2 s after checkout returned, still joins its trace.
        // Its memory budget keeps the demo light (it is everyone's first minute, often on a laptop): 48 MB for traces.
        let pipeline = IngestPipeline(quietPeriodSeconds: 3, memoryBudgetBytes: 48 << 20, clock: { Clock.now() })
        let collector = try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: nil, pipeline: pipeline)
        guard let udp = collector.udpAddress else { throw ExitCode(2) }
        let tracer = TracescopeTracer(
            serviceName: "shop", exporter: try XRayUDPExporter(address: "\(udp)"),
            sampler: AlwaysSample(), flushInterval: .milliseconds(100))
        let workload = Task { await ShopWorkload(tracer: tracer, seed: seed).run(seconds: duration) }
        await DashboardApp(
            source: "demo (simulated shop, X-Ray UDP \(udp))", glyphs: ascii ? .ascii : .unicode,
            noColor: noColor || Terminal.noColor, live: true, mouse: !noMouse, version: { pipeline.stats.spans }
        ) { _ in
            let stats = pipeline.stats
            return DashboardApp.Snapshot(
                analyzer: pipeline.analyzer, rejected: Int(stats.rejectedCount), now: Clock.now(),
                version: stats.spans)
        }.runOnItsOwnThread()
        workload.cancel()
        tracer.shutdown()
        try await collector.stop()
    }
}
