import NIOCore
import NIOHTTP1
import NIOPosix
import TraceFormats
import TraceModel

enum HTTPReceiver {
    static func bind(
        host: String, port: Int, group: EventLoopGroup, pipeline: IngestPipeline, maxBodyBytes: Int,
        idleTimeout: TimeAmount
    ) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPReceiverHandler(pipeline: pipeline, maxBodyBytes: maxBodyBytes))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}
