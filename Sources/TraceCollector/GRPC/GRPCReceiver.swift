import GRPCCore
import GRPCNIOTransportHTTP2
import TraceFormats

/// The OTLP/gRPC receiver (`--grpc`, default `127.0.0.1:4317`): grpc-swift 2 on its HTTP/2 NIO transport, h2c or
/// TLS, gzip and deflate message compression, a maximum message size (default 4 MiB, as the OTLP SDKs' default),
/// and `OTLPTraceService` behind it.
///
/// Why grpc-swift 2 and not hand-written framing on swift-nio-http2: it is the ecosystem's gRPC, it already does
/// HTTP/2 flow control, deadlines, compression, status trailers and TLS, and a pass-through coder hands its bytes
/// to the OTLP decoder untouched — docs/ARCHITECTURE.md gives the build cost this adds.
public final class GRPCReceiver: Sendable {
    public struct Options: Sendable {
        public var address: ListenAddress
        /// PEM files: with both, the receiver speaks TLS; otherwise h2c.
        public var certificatePath: String?
        public var privateKeyPath: String?
        public var maxMessageBytes: Int
        /// Exports taken at once; more are answered `RESOURCE_EXHAUSTED` with a retry delay.
        public var maxConcurrentExports: Int

        public init(
            address: ListenAddress, certificatePath: String? = nil, privateKeyPath: String? = nil,
            maxMessageBytes: Int = 4 << 20, maxConcurrentExports: Int = 256
        ) {
            self.address = address
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.maxMessageBytes = maxMessageBytes
            self.maxConcurrentExports = maxConcurrentExports
        }
    }

    /// Two threads, for the life of the process: exports are short, and the pipeline takes one at a time anyway.
    private static let sharedExecutor = ReceiverExecutor(threads: 2, name: "tracescope-grpc")

    public let address: ListenAddress
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let admission: ExportAdmission
    private let serving: Task<Void, any Error>

    private init(
        address: ListenAddress, server: GRPCServer<HTTP2ServerTransport.Posix>, admission: ExportAdmission,
        serving: Task<Void, any Error>
    ) {
        self.address = address
        self.server = server
        self.admission = admission
        self.serving = serving
    }

    static func start(
        _ options: Options, pipeline: IngestPipeline, maxSpansPerMessage: Int, inFlight: InFlightBodies
    ) async throws -> GRPCReceiver {
        let executor = sharedExecutor
        var config = HTTP2ServerTransport.Posix.Config.defaults
        // The service refuses messages over the limit itself, with a RESOURCE_EXHAUSTED the client can read; the
        // transport's own limit (twice that) only stops what is absurd, by resetting the stream mid-message.
        config.rpc.maxRequestPayloadSize = options.maxMessageBytes * 2 + 65_536
        config.compression.enabledAlgorithms = [.gzip, .deflate]
        // A connection that opens streams and sends nothing is closed after this long without an RPC.
        config.connection.maxIdleTime = .seconds(300)
        // OTLP exports are large messages (hundreds of KB): HTTP/2's default 64 KB window would make the client
        // wait for a window update every few frames. A 4 MiB window and 1 MiB frames let a message go in one
        // flight.
        // The transport buffers each stream's message whole before the service sees it, and the service takes a copy:
        // the streams a connection may have open are as many largest messages, twice, as the in-flight share holds
        // (docs/SEMANTICS.md, "Limits").
        let streams = min(64, max(1, inFlight.limit / max(1, 2 * options.maxMessageBytes)))
        config.http2 = .init(maxFrameSize: 1 << 20, targetWindowSize: 4 << 20, maxConcurrentStreams: streams)
        let security: HTTP2ServerTransport.Posix.TransportSecurity
        if let certificate = options.certificatePath, let key = options.privateKeyPath {
            security = .tls(
                certificateChain: [.file(path: certificate, format: .pem)], privateKey: .file(path: key, format: .pem))
        } else {
            security = .plaintext
        }
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: options.address.host, port: options.address.port), transportSecurity: security,
            config: config)
        let admission = ExportAdmission(maxConcurrent: options.maxConcurrentExports)
        let service = OTLPTraceService(
            pipeline: pipeline, admission: admission, maxMessageBytes: options.maxMessageBytes,
            maxSpansPerMessage: maxSpansPerMessage, inFlight: inFlight, retryDelaySeconds: 1)
        let server = GRPCServer(transport: transport, services: [service])
        let serving = Task(executorPreference: executor) { try await server.serve() }
        do {
            let bound = try await transport.listeningAddress
            let port = bound.ipv4?.port ?? bound.ipv6?.port ?? options.address.port
            return GRPCReceiver(
                address: ListenAddress(host: options.address.host, port: port), server: server, admission: admission,
                serving: serving)
        } catch {
            server.beginGracefulShutdown()
            serving.cancel()
            throw error
        }
    }

    /// Refuses new exports (`UNAVAILABLE`), lets those in flight finish, and stops listening.
    func stop() async {
        admission.close()
        server.beginGracefulShutdown()
        _ = try? await serving.value
    }
}
