import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TraceFormats
import TraceModel

enum HTTPReceiver {
    /// - Parameter tls: with a context, every connection is TLS (HTTPS) before HTTP.
    static func bind(
        host: String, port: Int, group: EventLoopGroup, pipeline: IngestPipeline, limits: ReceiverLimits,
        inFlight: InFlightBodies, tls: NIOSSLContext? = nil
    ) async throws -> Channel {
        let connections = ConnectionLimitHandler.Counter()
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimitHandler(counter: connections, limit: limits.maxConnections, pipeline: pipeline))
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try configure(channel, pipeline: pipeline, limits: limits, inFlight: inFlight)
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    /// Everything after TLS: HTTP/1.1 parsing, the idle and whole-request cuts, and the request handler. One home for
    /// the pipeline, so `HTTPReceiverReplay` (tests, fuzzing) serves requests exactly as a socket would.
    static func configure(
        _ channel: Channel, pipeline: IngestPipeline, limits: ReceiverLimits, inFlight: InFlightBodies
    ) throws {
        let sync = channel.pipeline.syncOperations
        try sync.configureHTTPServerPipeline(withErrorHandling: true)
        try sync.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
        try sync.addHandler(RequestDeadlineHandler(deadline: limits.requestDeadline, pipeline: pipeline))
        try sync.addHandler(HTTPReceiverHandler(pipeline: pipeline, limits: limits, inFlight: inFlight))
    }

    /// A server TLS context from PEM files.
    static func tlsContext(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}
