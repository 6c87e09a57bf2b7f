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
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPReceiverHandler(pipeline: pipeline, maxBodyBytes: maxBodyBytes))
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    /// A server TLS context from PEM files.
    static func tlsContext(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}
