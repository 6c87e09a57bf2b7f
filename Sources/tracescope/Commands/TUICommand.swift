import ArgumentParser
import TraceAnalysis
import TraceCollector
import TraceFiles
import TraceModel
import TraceTUI

/// `tracescope tui` (and bare `tracescope`): the dashboard, live from the embedded collector or over trace files.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "The dashboard: services with req/s and error rates, latency percentiles, recent traces.",
        discussion: """
            Live (the default): an embedded collector on --udp and --otlp feeds it. With --replay, the files are \
            loaded (any format `summary` reads) and shown as of their last span. Keys: ? help, Tab pane, j/k move, \
            w window (1m/5m/15m/all), f freeze, q quit. NO_COLOR or --no-color turns colour off (states keep their \
            markers: ✖ fault, ⧗ throttle, ! error); --ascii draws with plain ASCII.
            """
    )

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Trace files to show instead of listening.", valueName: "file"))
    var replay: [String] = []

    @Option(help: ArgumentHelp("X-Ray daemon UDP address to listen on (live mode); `off` to disable.", valueName: "addr"))
    var udp = "127.0.0.1:2000"

    @Option(help: ArgumentHelp("OTLP/HTTP address to listen on (live mode); `off` to disable.", valueName: "addr"))
    var otlp = "127.0.0.1:4318"

    @Flag(help: "Draw with plain ASCII instead of box-drawing and block characters.")
    var ascii = false

    @Flag(help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    func run() async throws {
        let glyphs = ascii ? Glyphs.ascii : Glyphs.unicode
        let mono = noColor || Terminal.noColor
        guard Terminal.stdoutIsTerminal else {
            Terminal.warn("the dashboard needs a terminal; for files use `tracescope summary`")
            throw ExitCode(2)
        }
        if !replay.isEmpty {
            var analyzer = TraceAnalyzer(windowed: true)
            analyzer.keepTraces(budgetBytes: 128 << 20)
            var rejected = 0
            for path in replay {
                do throws(TraceFileReader.Failure) {
                    rejected += try TraceFileReader.read(path: path) { analyzer.ingest($0) }.rejectedCount
                } catch {
                    Terminal.warn(error.description)
                    throw ExitCode(2)
                }
            }
            analyzer.finish()
            let loaded = analyzer
            let end = max(loaded.traces.lastEnd, 0)
            let source = replay.count == 1 ? replay[0] : "\(replay.count) files"
            DashboardApp(source: source, glyphs: glyphs, noColor: mono, live: false, version: { 0 }) {
                DashboardApp.Snapshot(analyzer: loaded, rejected: rejected, now: end, version: 0)
            }.run()
            return
        }
        let pipeline = IngestPipeline(clock: { Clock.now() })
        let collector = try await CollectorStartup.start(udp: udp, otlp: otlp, pipeline: pipeline)
        let source = "live on " + [collector.udpAddress.map { "udp \($0)" }, collector.otlpAddress.map { "otlp \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
        DashboardApp(source: source, glyphs: glyphs, noColor: mono, live: true, version: { pipeline.stats.spans }) {
            let stats = pipeline.stats
            return DashboardApp.Snapshot(analyzer: pipeline.analyzer, rejected: Int(stats.rejectedCount), now: Clock.now(),
                                         version: stats.spans)
        }.run()
        try await collector.stop()
    }
}
