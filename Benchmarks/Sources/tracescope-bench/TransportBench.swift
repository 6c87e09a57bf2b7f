import ArgumentParser
import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOHTTP1
import NIOPosix
import TraceBackends
import TraceCollector
import TraceFormats
import TraceModel

/// The collector's network paths for OTLP, end to end on loopback:
/// - `ingest.grpc`: OTLP batches exported over gRPC (grpc-swift's HTTP/2 client) into the collector, against the same
///   batches posted over OTLP/HTTP (AsyncHTTPClient) — the same pipeline behind both, the same sixteen requests in
///   flight (a collector serves many exporters at once; with a few in flight both are bound by round trips, not by
///   the work), the two taking turns, best of seven each;
/// - `forward.otlp`: spans received as OTLP and forwarded by `OTLPForwarder` to a loopback sink that answers 200 and
///   discards, gzip off; no loss allowed.
enum TransportBench {
    static let inFlight = 16

    struct Outcome {
        var grpcRate: Double
        var httpRate: Double
        var forwardRate: Double
        var forwardLost: UInt64
        /// X-Ray spans forwarded as OTLP (encoded on the way), when given.
        var xrayForwardRate: Double?
    }

    static func run(batches: [[UInt8]], spans: Int, xray: [[Span]] = []) async throws -> Outcome {
        let pipeline = IngestPipeline(quietPeriodSeconds: 30, clock: { 0 })
        let collector = try await Collector.start(
            udp: nil, otlp: ListenAddress(host: "127.0.0.1", port: 0),
            grpc: GRPCReceiver.Options(address: ListenAddress(host: "127.0.0.1", port: 0)), pipeline: pipeline)
        guard let grpcPort = collector.grpcAddress?.port, let httpPort = collector.otlpAddress?.port else {
            throw BenchFailure("the collector did not listen")
        }
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        var grpcBest = Double.infinity
        var httpBest = Double.infinity
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(host: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
        ) { client in
            // Seven turns each, best of seven: a round takes a fraction of a second, and this machine's noise comes
            // in spells longer than that.
            for _ in 0..<7 {
                grpcBest = min(grpcBest, try await timed { try await exportOverGRPC(batches, client: client) })
                httpBest = min(
                    httpBest, try await timed { try await postOverHTTP(batches, port: httpPort, http: http) })
            }
        }
        try await collector.stop()
        let forward = try await forwardThroughput(batches: batches, spans: spans, http: http)
        var xrayRate: Double?
        if !xray.isEmpty { xrayRate = try await forwardEncoded(xray, http: http) }
        try await http.shutdown()
        return Outcome(
            grpcRate: Double(spans) / grpcBest, httpRate: Double(spans) / httpBest, forwardRate: forward.rate,
            forwardLost: forward.lost, xrayForwardRate: xrayRate)
    }

    static func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Sends every batch, `inFlight` at a time.
    static func concurrently(_ batches: [[UInt8]], _ send: @escaping @Sendable ([UInt8]) async throws -> Void)
        async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(inFlight, batches.count) {
                let batch = batches[next]
                next += 1
                group.addTask { try await send(batch) }
            }
            while try await group.next() != nil {
                guard next < batches.count else { continue }
                let batch = batches[next]
                next += 1
                group.addTask { try await send(batch) }
            }
        }
    }

    static let export = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export")

    static func exportOverGRPC(_ batches: [[UInt8]], client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        try await concurrently(batches) { batch in
            try await client.unary(
                request: ClientRequest(message: batch), descriptor: export, serializer: Bytes(), deserializer: Bytes(),
                options: .defaults
            ) { response in _ = try response.message }
        }
    }

    static func postOverHTTP(_ batches: [[UInt8]], port: Int, http: HTTPClient) async throws {
        try await concurrently(batches) { batch in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/traces")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-protobuf")
            request.body = .bytes(batch)
            let response = try await http.execute(request, timeout: .seconds(30))
            guard response.status == .ok else { throw BenchFailure("OTLP/HTTP answered \(response.status)") }
            _ = try await response.body.collect(upTo: 1 << 20)
        }
    }

    /// Spans handed to a forwarder as a receiver hands them (the protobuf request beside its spans), drained into a
    /// sink; the rate is spans over the time from the first submit to the end of the drain.
    static func forwardThroughput(batches: [[UInt8]], spans: Int, http: HTTPClient) async throws -> (
        rate: Double, lost: UInt64
    ) {
        let sink = try await DiscardingSink.start()
        defer { sink.stop() }
        var decoded: [[Span]] = []
        for batch in batches {
            var spans: [Span] = []
            _ = try batch.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &spans) }
            decoded.append(spans)
        }
        let forwarder = OTLPForwarder(
            OTLPForwarder.Options(
                url: URL(string: "http://127.0.0.1:\(sink.port)")!, maxQueuedSpans: spans + 1,
                flushInterval: .milliseconds(5)),
            http: http)
        let seconds = try await timed {
            for (batch, spans) in zip(batches, decoded) {
                batch.withUnsafeBytes { forwarder.submit(spans, otlpProtobuf: $0) }
            }
            await forwarder.drain()
        }
        let stats = forwarder.stats
        return (Double(stats.forwarded) / seconds, UInt64(spans) - stats.forwarded)
    }

    /// X-Ray spans forwarded as OTLP: each batch encoded by `OTLPProtobufEncoder` on the forwarder's task.
    static func forwardEncoded(_ batches: [[Span]], http: HTTPClient) async throws -> Double {
        let sink = try await DiscardingSink.start()
        defer { sink.stop() }
        let total = batches.reduce(0) { $0 + $1.count }
        let forwarder = OTLPForwarder(
            OTLPForwarder.Options(
                url: URL(string: "http://127.0.0.1:\(sink.port)")!, maxQueuedSpans: total + 1,
                flushInterval: .milliseconds(5)),
            http: http)
        let seconds = try await timed {
            for batch in batches { forwarder.submit(batch, otlpProtobuf: nil) }
            await forwarder.drain()
        }
        guard forwarder.stats.forwarded == UInt64(total) else {
            throw BenchFailure("forwarded \(forwarder.stats.forwarded) of \(total) X-Ray spans")
        }
        return Double(total) / seconds
    }

    struct Bytes: MessageSerializer, MessageDeserializer {
        func serialize<Output: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Output { Output(message) }
        func deserialize<Input: GRPCContiguousBytes>(_ bytes: Input) throws -> [UInt8] {
            bytes.withUnsafeBytes { Array($0) }
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An HTTP server on loopback that reads each request and answers 200 with an empty body: the far end of the
/// forwarding benchmark, doing as little as a server can.
final class DiscardingSink: Sendable {
    let port: Int
    private let channel: Channel

    private init(port: Int, channel: Channel) {
        self.port = port
        self.channel = channel
    }

    static func start() async throws -> DiscardingSink {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return DiscardingSink(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    func stop() { channel.close(promise: nil) }

    final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            var headers = HTTPHeaders()
            headers.add(name: "content-length", value: "0")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil
            )
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// `transport-cost`: the OTLP transport paths alone, repeated, for profiling (no comparison printed as a RESULT).
struct TransportCost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport-cost", abstract: "OTLP/gRPC and OTLP/HTTP into the collector, for profiling.",
        shouldDisplay: false)

    @Option(help: "Rounds of each.")
    var rounds = 5

    func run() async throws {
        let batches = try IngestBench.otlpBatches(traces: 10_000)
        for _ in 0..<rounds {
            let outcome = try await TransportBench.run(batches: batches.bodies, spans: batches.spans)
            print(
                "gRPC \(Int(outcome.grpcRate)) spans/s · HTTP \(Int(outcome.httpRate)) spans/s · forward \(Int(outcome.forwardRate)) spans/s"
            )
        }
    }
}
