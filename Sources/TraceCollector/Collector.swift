import NIOCore
import NIOPosix
import TraceFormats
import TraceModel

/// A `host:port` to listen on.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port` (loopback) or `[v6]:port`.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The embedded collector: X-Ray daemon UDP (and the SDKs' sampling endpoints on the same TCP port) plus OTLP/HTTP,
/// feeding one `IngestPipeline`. Binds loopback unless told otherwise.
///
/// ```swift
/// let collector = try await Collector.start(udp: .init(host: "127.0.0.1", port: 2000),
///                                           otlp: .init(host: "127.0.0.1", port: 4318), pipeline: pipeline)
/// …
/// try await collector.stop()
/// ```
public final class Collector: Sendable {
    public let pipeline: IngestPipeline
    /// Where it actually listens (port 0 asks for a free one).
    public let udpAddress: ListenAddress?
    public let otlpAddress: ListenAddress?
    public var grpcAddress: ListenAddress? { grpc?.address }
    /// Whether OTLP/HTTP is served over TLS.
    public let otlpIsTLS: Bool
    private let grpc: GRPCReceiver?
    private let group: MultiThreadedEventLoopGroup
    private let channels: [Channel]
    private let ticker: RepeatedTask

    private init(
        pipeline: IngestPipeline, group: MultiThreadedEventLoopGroup, channels: [Channel], ticker: RepeatedTask,
        udp: ListenAddress?, otlp: ListenAddress?, grpc: GRPCReceiver?, otlpIsTLS: Bool
    ) {
        self.grpc = grpc
        self.otlpIsTLS = otlpIsTLS
        self.pipeline = pipeline
        self.group = group
        self.channels = channels
        self.ticker = ticker
        udpAddress = udp
        otlpAddress = otlp
    }

    public struct BindError: Error, CustomStringConvertible {
        public var description: String
    }

    /// PEM files that make a receiver speak TLS.
    public struct TLSFiles: Sendable {
        public var certificatePath: String
        public var privateKeyPath: String

        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// Starts listening. Any address may be nil to leave that receiver off; `otlpTLS` makes OTLP/HTTP HTTPS.
    public static func start(
        udp: ListenAddress?, otlp: ListenAddress?, grpc: GRPCReceiver.Options? = nil, otlpTLS: TLSFiles? = nil,
        pipeline: IngestPipeline, limits: ReceiverLimits? = nil
    ) async throws -> Collector {
        let limits = limits ?? .forBudget(pipeline.memoryBudgetBytes)
        // One share for bodies in flight over every listener: the budget is the process's, not a port's.
        let inFlight = InFlightBodies(limit: limits.maxInFlightBodyBytes)
        var samplingLimits = limits
        samplingLimits.maxBodyBytes = min(limits.maxBodyBytes, 1 << 20)
        // One thread: decoding and analysis are cheap next to the syscalls, and one thread keeps the analysis lock
        // uncontended.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var channels: [Channel] = []
        var boundUDP: ListenAddress?
        var boundOTLP: ListenAddress?
        do {
            if let udp {
                // The X-Ray SDKs poll sampling rules over TCP on the daemon's port. With port 0 the system picks a
                // free UDP port, which TCP may hold already (an outgoing connection's local port): then pick again.
                var attempt = 0
                while true {
                    attempt += 1
                    let channel = try await DaemonUDPReceiver.bind(
                        host: udp.host, port: udp.port, group: group, pipeline: pipeline)
                    let port = channel.localAddress?.port ?? udp.port
                    do {
                        let sampling = try await HTTPReceiver.bind(
                            host: udp.host, port: port, group: group, pipeline: pipeline, limits: samplingLimits,
                            inFlight: inFlight)
                        channels += [channel, sampling]
                        boundUDP = ListenAddress(host: udp.host, port: port)
                        break
                    } catch {
                        try? await channel.close()
                        if udp.port != 0 || attempt >= 16 { throw error }
                    }
                }
            }
            if let otlp {
                let tls = try otlpTLS.map {
                    try HTTPReceiver.tlsContext(certificatePath: $0.certificatePath, keyPath: $0.privateKeyPath)
                }
                let channel = try await HTTPReceiver.bind(
                    host: otlp.host, port: otlp.port, group: group, pipeline: pipeline, limits: limits,
                    inFlight: inFlight, tls: tls)
                channels.append(channel)
                boundOTLP = ListenAddress(host: otlp.host, port: channel.localAddress?.port ?? otlp.port)
            }
        } catch {
            for channel in channels { try? await channel.close() }
            try? await group.shutdownGracefully()
            let which =
                boundUDP == nil && udp != nil
                ? "UDP \(udp.map { "\($0)" } ?? "")" : "OTLP \(otlp.map { "\($0)" } ?? "")"
            throw BindError(description: "cannot listen on \(which): \(error)")
        }
        var grpcReceiver: GRPCReceiver?
        if let grpc {
            do {
                grpcReceiver = try await GRPCReceiver.start(
                    grpc, pipeline: pipeline, maxSpansPerMessage: limits.maxSpansPerRequest, inFlight: inFlight)
            } catch {
                for channel in channels { try? await channel.close() }
                try? await group.shutdownGracefully()
                throw BindError(description: "cannot listen on OTLP/gRPC \(grpc.address): \(error)")
            }
        }
        ResidentMemory.mapLargeBlocks()
        let ticks = ResidentMemory.TickCount()
        let ticker = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            pipeline.tick()
            // Memory freed on the receivers' threads stays in their malloc arenas until trimmed: every two seconds
            // it goes back to the system, so resident memory follows what is held, not what once was.
            if ticks.next() % 2 == 1 { ResidentMemory.trim() }
        }
        return Collector(
            pipeline: pipeline, group: group, channels: channels, ticker: ticker, udp: boundUDP, otlp: boundOTLP,
            grpc: grpcReceiver, otlpIsTLS: otlpTLS != nil)
    }

    /// Datagrams the kernel dropped on the UDP port (receive buffer full) since it was opened; nil off Linux.
    public var kernelDroppedDatagrams: UInt64? {
        udpAddress.flatMap { KernelUDPDrops.count(port: $0.port) }
    }

    /// Waits until the datagrams the kernel already holds for the UDP port have been read (five seconds at most), so
    /// stopping a collector that is behind loses none it was sent; what is still queued then is read out and counted
    /// as `unprocessedAtStop`, not lost silently (docs/SEMANTICS.md, "Limits").
    public func drainUDP() async {
        guard let port = udpAddress?.port else { return }
        func drained(within seconds: Int) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while (KernelUDPDrops.queuedBytes(port: port) ?? 0) > 0 {
                guard ContinuousClock.now < deadline else { return false }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return true
        }
        if await drained(within: 5) { return }
        pipeline.discardDatagrams()
        _ = await drained(within: 5)
    }

    /// Stops receiving: the UDP port is drained (`drainUDP`), every listener closes, and open traces complete.
    public func stop() async throws {
        await drainUDP()
        await grpc?.stop()
        ticker.cancel()
        for channel in channels { try? await channel.close() }
        try await group.shutdownGracefully()
        pipeline.finish()
    }
}
