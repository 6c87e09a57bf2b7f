import ArgumentParser
import Foundation
import TraceAnalysis
import TraceBackends
import TraceCollector
import TraceFiles
import TraceModel
import TraceTUI

/// `tracescope tui` (and bare `tracescope`): the dashboard, live from the embedded collector or over trace files.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "The dashboard: service map, req/s and errors per service, latency, traces and their timelines.",
        discussion: """
            Live (the default): an embedded collector on --udp, --otlp and --grpc feeds it. With --replay, the files (any \
            format `summary` reads) play back at the pace they were recorded (--speed 10 is ten times faster; idle \
            gaps over 5 s are cut to 1 s), or all at once with --speed 0. Keys: ? help, Tab pane, j/k move, Enter \
            opens a trace's timeline or a service's panel, / finds a service (in the services list) or filters \
            traces (in the trace list), s sorts the list, z shows the whole map or the selection's neighbourhood (a \
            map too tall for the screen opens on the worst service's), w window (1m/5m/15m/all), f freeze, q quit. \
            c marks a trace and Enter on another puts the two side by side; in a timeline / searches its spans \
            (n/N step through them) and t compares it with the typical trace of its operation. The mouse selects, \
            opens and scrolls unless --no-mouse. \
            NO_COLOR or --no-color turns colour off (states keep their \
            markers: ✖ fault, ⧗ throttle, ! error); --ascii draws with plain ASCII.

            With --xray, the dashboard shows an AWS X-Ray account: the map and the service panels are X-Ray's own \
            service graph (GetServiceGraph, over everything X-Ray sampled), refreshed every --poll; the trace list \
            holds the newest traces (GetTraceSummaries, then BatchGetTraces), and a filter typed with / is sent to \
            X-Ray as its filter expression. Credentials, region and endpoint are found as the AWS CLI finds them.
            """
    )

    @Option(
        parsing: .upToNextOption, help: ArgumentHelp("Trace files to show instead of listening.", valueName: "file"))
    var replay: [String] = []

    @Option(
        help: ArgumentHelp(
            "Replay pace: 1 as recorded, 10 ten times faster, 0.01 the slowest, 0 everything at once.", valueName: "n"))
    var speed: Double = 1

    @OptionGroup(title: "Receivers (live mode)")
    var receivers: ReceiverOptions

    @OptionGroup(title: "Forwarding (live mode)")
    var forwarding: ForwardingOptions

    @Flag(help: "Show an AWS X-Ray account instead of listening.")
    var xray = false

    @Option(help: ArgumentHelp("How often to poll X-Ray (with --xray): 10s, 1m.", valueName: "duration"))
    var poll = "10s"

    @OptionGroup(title: "AWS X-Ray (with --xray)")
    var aws: AWSOptions

    @Flag(help: "Draw with plain ASCII instead of box-drawing and block characters.")
    var ascii = false

    @Flag(help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "Leave the mouse to the terminal (default: click selects, double-click opens, the wheel scrolls).")
    var noMouse = false

    func validate() throws {
        if xray { _ = try pollInterval() }
        guard speed == 0 || (speed >= 0.01 && speed <= 1_000_000) else {
            throw ValidationError("--speed \(speed): takes 0 (all at once) or 0.01 (a hundred times slower) to 1000000")
        }
    }

    func run() async throws {
        let glyphs = ascii ? Glyphs.ascii : Glyphs.unicode
        let mono = noColor || Terminal.noColor
        guard Terminal.stdoutIsTerminal else {
            Terminal.warn("the dashboard needs a terminal; for files use `tracescope summary`")
            throw ExitCode(2)
        }
        if !replay.isEmpty {
            try await runReplay(glyphs: glyphs, mono: mono)
            return
        }
        if xray {
            try await runXRay(glyphs: glyphs, mono: mono)
            return
        }
        let forwarders = try Forwarders(forwarding, aws: aws, out: nil)
        let pipeline = IngestPipeline(
            clock: { Clock.now() }, sink: forwarders.sink, datagramSink: forwarders.datagramSink)
        let collector = try await CollectorStartup.start(receivers, pipeline: pipeline)
        let source =
            "live on "
            + [
                collector.udpAddress.map { "udp \($0)" }, collector.otlpAddress.map { "otlp \($0)" },
                collector.grpcAddress.map { "grpc \($0)" },
            ].compactMap { $0 }.joined(separator: ", ")
        await DashboardApp(
            source: source, glyphs: glyphs, noColor: mono, live: true, mouse: !noMouse,
            version: { pipeline.stats.spans }
        ) {
            _ in
            let stats = pipeline.stats
            // Forwarding shows its counters in the header (the status line `collect` prints).
            let status = forwarders.status
            return DashboardApp.Snapshot(
                analyzer: pipeline.analyzer, rejected: Int(stats.rejectedCount), now: Clock.now(),
                version: stats.spans, source: status.isEmpty ? nil : source + status)
        }.runOnItsOwnThread()
        try await collector.stop()
        await forwarders.drain()
    }

    /// Replays the files: paced through a pipeline like live data, or (speed 0) analyzed at once and shown as of
    /// their last span.
    private func runReplay(glyphs: Glyphs, mono: Bool) async throws {
        let name = replay.count == 1 ? replay[0] : "\(replay.count) files"
        if speed == 0 {
            // All at once: spans stream straight into the analysis, so memory is bounded by the trace store.
            var analyzer = TraceAnalyzer(windowed: true)
            analyzer.keepTraces(budgetBytes: 128 << 20)
            let rejected = try readReplayFiles { analyzer.ingest($0) }
            analyzer.finish()
            let loaded = analyzer
            let end = max(loaded.traces.lastEnd, 0)
            await DashboardApp(
                source: name, glyphs: glyphs, noColor: mono, live: false, mouse: !noMouse, version: { 0 }
            ) { _ in
                DashboardApp.Snapshot(analyzer: loaded, rejected: rejected, now: end, version: 0)
            }.runOnItsOwnThread()
            return
        }
        // Paced: every span is held until its turn (ordered by when it was sent), so memory grows with the files.
        var spans: [Span] = []
        let rejected = try readReplayFiles { spans.append(contentsOf: $0) }
        let feeder = ReplayFeeder(schedule: ReplaySchedule(spans: spans, speed: speed), quietPeriodSeconds: 5)
        spans = []
        let pipeline = feeder.pipeline
        let playback = Task.detached { await feeder.run() }
        defer { playback.cancel() }
        let source = "replay of \(name) at \(Formatting.number(speed))×"
        await DashboardApp(
            source: source, glyphs: glyphs, noColor: mono, live: true, mouse: !noMouse,
            version: { pipeline.stats.spans }
        ) {
            _ in
            DashboardApp.Snapshot(
                analyzer: pipeline.analyzer, rejected: rejected, now: feeder.recordedNow(),
                version: pipeline.stats.spans)
        }.runOnItsOwnThread()
    }

    /// `--poll` in seconds: checked when the command line is, before a terminal or credentials are needed.
    private func pollInterval() throws -> TimeInterval {
        let interval: TimeInterval
        do throws(TimeSpec.Failure) { interval = try TimeSpec.duration(poll, flag: "--poll") } catch {
            throw ValidationError(error.description)
        }
        guard interval >= 1 else {
            throw ValidationError("--poll \(poll): at least 1s (X-Ray's API allows a few calls a second)")
        }
        return interval
    }

    /// The dashboard on an X-Ray account: a poller feeds the traces into a pipeline like live data, and X-Ray's
    /// own graph replaces the traces' graph on the map and in the panels.
    private func runXRay(glyphs: Glyphs, mono: Bool) async throws {
        let interval = try pollInterval()
        let client: XRayClient
        do throws(AWSError) {
            client = try aws.client()
        } catch {
            Terminal.warn(error.description)
            throw ExitCode(2)
        }
        // X-Ray hands over whole traces: they complete a second after they arrive, not after a live quiet period.
        let pipeline = IngestPipeline(quietPeriodSeconds: 1, clock: { Clock.now() })
        let poller = XRayPoller(client: client, interval: .milliseconds(Int(interval * 1000))) { pipeline.ingest($0) }
        poller.start()
        defer { poller.stop() }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                pipeline.tick()
            }
        }
        defer { ticker.cancel() }
        await DashboardApp(
            source: "X-Ray \(client.region)", glyphs: glyphs, noColor: mono, live: true, mouse: !noMouse,
            version: { pipeline.stats.spans &+ poller.status.version &+ UInt64(poller.status.polls) }
        ) { query in
            poller.setFilter(query.filter?.text)
            let analyzer = pipeline.analyzer
            // A timeline opened on a trace no longer held (evicted): fetch it again.
            if let id = query.trace, analyzer.store?.traces.contains(where: { $0.traceID == id }) == false {
                poller.fetchNow(id.xray)
            }
            let stats = pipeline.stats
            let remote = poller.remoteGraph
            var source = poller.headerText()
            if remote == nil, poller.status.polls > 0 {
                source += " · map from the traces fetched (X-Ray sent no graph)"
            }
            return DashboardApp.Snapshot(
                analyzer: analyzer, rejected: Int(stats.rejectedCount), now: Clock.now(),
                version: stats.spans &+ poller.status.version, remote: remote, source: source,
                emptyHint: poller.status.polls == 0
                    ? "Asking X-Ray for the last 15 minutes…"
                    : "X-Ray holds no traces in the window yet (\(poller.status.lastError ?? "the account is quiet")).")
        }.runOnItsOwnThread()
    }

    /// Reads every replay file into `sink`; returns how many records were rejected. A file that cannot be read ends
    /// the command (exit 2) with the reason.
    private func readReplayFiles(_ sink: ([Span]) -> Void) throws -> Int {
        var rejected = 0
        for path in replay {
            do throws(TraceFileReader.Failure) {
                rejected += try TraceFileReader.read(path: path) { sink($0) }.rejectedCount
            } catch {
                Terminal.warn(error.description)
                throw ExitCode(2)
            }
        }
        return rejected
    }
}
