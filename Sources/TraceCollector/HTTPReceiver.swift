import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TraceFormats
import TraceModel

enum HTTPReceiver {
    /// - Parameter tls: with a context, every connection is TLS (HTTPS) before HTTP.
    static func bind(
        host: String, port: Int, group: EventLoopGroup, pipeline: IngestPipeline, maxBodyBytes: Int,
        idleTimeout: TimeAmount, tls: NIOSSLContext? = nil
    ) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try configure(channel, pipeline: pipeline, maxBodyBytes: maxBodyBytes, idleTimeout: idleTimeout)
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    /// Everything after TLS: HTTP/1.1 parsing, the idle cut and the request handler. One home for the pipeline, so
    /// `HTTPReceiverReplay` (tests, fuzzing) serves requests exactly as a socket would.
    static func configure(
        _ channel: Channel, pipeline: IngestPipeline, maxBodyBytes: Int, idleTimeout: TimeAmount
    ) throws {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try channel.pipeline.syncOperations.addHandler(
            HTTPReceiverHandler(pipeline: pipeline, maxBodyBytes: maxBodyBytes))
    }

    /// A server TLS context from PEM files.
    static func tlsContext(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}
