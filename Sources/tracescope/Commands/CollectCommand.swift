import ArgumentParser
import Dispatch
import Synchronization
import TraceAnalysis
import TraceBackends
import TraceCollector
import TraceFiles
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#endif

/// `tracescope collect`: the collector without a screen — receives, analyses, optionally records, reports on stderr.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive traces headless: X-Ray daemon UDP and OTLP/HTTP, with a status line on stderr.",
        discussion: """
            Point X-Ray SDKs at --udp (AWS_XRAY_DAEMON_ADDRESS) and OpenTelemetry SDKs at --otlp \
            (OTEL_EXPORTER_OTLP_ENDPOINT=http://ADDR) or, over gRPC, at --grpc (h2c, or TLS with --grpc-tls-cert and \
            --grpc-tls-key; gzip messages; at most --grpc-max-message-mb). The sampling endpoints X-Ray SDKs poll are answered on the UDP \
            address's TCP port. With --out, everything received is appended as X-Ray segment documents in JSON lines \
            (OTLP converted), which `tracescope summary` reads. Stops on SIGINT, SIGTERM or --duration, flushing \
            everything accepted, and exits 0.

            Forwarding: --forward-xray puts everything received into AWS X-Ray (PutTraceSegments; OTLP converted to \
            segments), batched off the receive path through a bounded queue, retried on throttling, drained on stop; \
            credentials, region and endpoint as the AWS CLI finds them. --forward-udp ADDR re-sends each daemon \
            datagram verbatim to a real X-Ray daemon or an ADOT collector's X-Ray receiver. The status line counts \
            what was forwarded, retried, rejected and dropped.
            """
    )

    @OptionGroup(title: "Receivers")
    var receivers: ReceiverOptions

    @Option(help: ArgumentHelp("Append what is received to this file as X-Ray JSON lines.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Option(
        help: ArgumentHelp(
            "Memory budget in MB: recent traces beyond their share are evicted oldest first (aggregates stay); a quarter caps the graph's nodes and edges.",
            valueName: "mb"))
    var maxMemory: Int = 256

    @Option(help: ArgumentHelp("Seconds between status lines on stderr.", valueName: "seconds"))
    var statusInterval: Double = 5

    @OptionGroup(title: "Forwarding")
    var forwarding: ForwardingOptions

    @OptionGroup(title: "AWS (with --forward-xray or --forward-sigv4)")
    var aws: AWSOptions

    func validate() throws {
        if let duration { try NumericFlag.seconds(duration, flag: "--duration") }
        // Up to a terabyte, in megabytes.
        try NumericFlag.count(maxMemory, flag: "--max-memory", 16...1_048_576)
        try NumericFlag.seconds(statusInterval, flag: "--status-interval")
    }

    func run() async throws {
        let forwarders = try Forwarders(forwarding, aws: aws, out: out)
        let pipeline = IngestPipeline(
            quietPeriodSeconds: 30, memoryBudgetBytes: maxMemory << 20,
            clock: { Clock.now() }, sink: forwarders.sink, datagramSink: forwarders.datagramSink)
        let collector = try await CollectorStartup.start(receivers, pipeline: pipeline)
        var banner = "tracescope collect: " + ReceiverOptions.describe(collector)
        if let out { banner += ", writing \(out)" }
        Terminal.printError(banner + forwarders.banner + " — Ctrl-C to stop")

        let reason = await Self.waitForStop(duration: duration, statusInterval: statusInterval) {
            var stats = pipeline.stats
            stats.kernelDrops = collector.kernelDroppedDatagrams ?? 0
            Terminal.printError(StatusLine.render(stats) + forwarders.status)
        }
        // What the kernel holds is read first, then the drops are final.
        await collector.drainUDP()
        let drops = collector.kernelDroppedDatagrams ?? 0
        try await collector.stop()
        // Everything accepted goes on before the process ends.
        await forwarders.drain()
        var stats = pipeline.stats
        stats.kernelDrops = drops
        Terminal.printError("tracescope collect: stopped (\(reason)). " + StatusLine.render(stats) + forwarders.status)
        for example in stats.rejectionExamples.prefix(5) { Terminal.warn(example) }
    }

    /// Waits for SIGINT, SIGTERM or the duration, calling `status` every interval meanwhile.
    static func waitForStop(duration: Double?, statusInterval: Double, status: @escaping @Sendable () -> Void) async
        -> String
    {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        var sources: [DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        let timer = Task {
            if let duration {
                try? await Task.sleep(for: .milliseconds(Int(duration * 1000)))
                continuation.yield("--duration \(Formatting.number(duration))s")
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(statusInterval * 1000)))
                if !Task.isCancelled { status() }
            }
        }
        var reason = "stopped"
        for await event in stream {
            reason = event
            break
        }
        timer.cancel()
        ticker.cancel()
        for source in sources { source.cancel() }
        return reason
    }
}
