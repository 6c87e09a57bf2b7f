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

    @Flag(name: .customLong("forward-xray"), help: "Forward everything received to AWS X-Ray (PutTraceSegments).")
    var forwardXRay = false

    @Option(
        name: .customLong("forward-udp"),
        help: ArgumentHelp("Re-send daemon datagrams verbatim to this X-Ray daemon (host:port).", valueName: "addr"))
    var forwardUDP: String?

    @Option(
        name: .customLong("forward-queue"),
        help: ArgumentHelp(
            "Spans --forward-xray holds while X-Ray is slow; beyond it they are dropped, counted.", valueName: "spans"))
    var forwardQueue: Int = 100_000

    @OptionGroup(title: "AWS X-Ray (with --forward-xray)")
    var aws: AWSOptions

    func validate() throws {
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        guard maxMemory >= 16 else { throw ValidationError("--max-memory must be at least 16 (MB)") }
        guard statusInterval > 0 else { throw ValidationError("--status-interval must be positive") }
        if let forwardUDP, ListenAddress(parsing: forwardUDP) == nil {
            throw ValidationError("--forward-udp \(forwardUDP): expected host:port")
        }
        guard forwardQueue > 0, forwardQueue <= 10_000_000 else {
            throw ValidationError("--forward-queue must be 1…10000000")
        }
    }

    func run() async throws {
        var sink: XRayLinesFile?
        if let out {
            do throws(XRayLinesFile.OpenError) { sink = try XRayLinesFile(path: out) } catch {
                Terminal.warn(error.description)
                throw ExitCode(2)
            }
        }
        var forwarder: XRayForwarder?
        if forwardXRay {
            do throws(AWSError) {
                forwarder = XRayForwarder(client: try aws.client(), maxQueuedSpans: forwardQueue)
            } catch {
                Terminal.warn("--forward-xray: \(error)")
                throw ExitCode(2)
            }
        }
        var udpForwarder: DaemonUDPForwarder?
        if let forwardUDP, let address = ListenAddress(parsing: forwardUDP) {
            do throws(DaemonUDPForwarder.Failure) {
                udpForwarder = try DaemonUDPForwarder(host: address.host, port: address.port)
            } catch {
                Terminal.warn(error.description)
                throw ExitCode(2)
            }
        }
        let file = sink
        let xray = forwarder
        var record: (@Sendable ([Span]) -> Void)?
        if file != nil || xray != nil {
            record = { @Sendable (spans: [Span]) -> Void in
                if let file {
                    do throws(XRayLinesFile.WriteError) { try file.append(spans) } catch {
                        Terminal.warn("--out: \(error)")
                    }
                }
                xray?.submit(spans)
            }
        }
        let datagrams = udpForwarder
        var datagramSink: (@Sendable (UnsafeRawBufferPointer) -> Void)?
        if let datagrams {
            datagramSink = { @Sendable (bytes: UnsafeRawBufferPointer) -> Void in datagrams.forward(bytes) }
        }
        let pipeline = IngestPipeline(
            quietPeriodSeconds: 30, memoryBudgetBytes: maxMemory << 20,
            clock: { Clock.now() }, sink: record, datagramSink: datagramSink)
        let forwarding = { @Sendable () -> String in
            var parts: [String] = []
            if let xray {
                let s = xray.stats
                parts.append(
                    "X-Ray: forwarded \(s.forwarded) · retried \(s.retried) · rejected \(s.rejected) · dropped \(s.dropped)"
                        + (s.lastError.map { " · last error: \($0)" } ?? ""))
            }
            if let datagrams {
                let s = datagrams.stats
                parts.append("UDP to \(datagrams.target): forwarded \(s.forwarded) · dropped \(s.dropped)")
            }
            return parts.isEmpty ? "" : " · " + parts.joined(separator: " · ")
        }
        let collector = try await CollectorStartup.start(receivers, pipeline: pipeline)
        var banner = "tracescope collect: " + ReceiverOptions.describe(collector)
        if let out { banner += ", writing \(out)" }
        if let xray { banner += ", forwarding to X-Ray \(xray.client.endpoint.absoluteString) (\(xray.client.region))" }
        if let datagrams { banner += ", forwarding datagrams to \(datagrams.target)" }
        Terminal.printError(banner + " — Ctrl-C to stop")

        let reason = await Self.waitForStop(duration: duration, statusInterval: statusInterval) {
            var stats = pipeline.stats
            stats.kernelDrops = collector.kernelDroppedDatagrams ?? 0
            Terminal.printError(StatusLine.render(stats) + forwarding())
        }
        let drops = collector.kernelDroppedDatagrams ?? 0
        try await collector.stop()
        sink?.close()
        // Everything accepted goes on before the process ends.
        await forwarder?.drain()
        udpForwarder?.close()
        var stats = pipeline.stats
        stats.kernelDrops = drops
        Terminal.printError("tracescope collect: stopped (\(reason)). " + StatusLine.render(stats) + forwarding())
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
