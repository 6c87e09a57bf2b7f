import NIOCore
import NIOPosix
import TraceFormats
import TraceModel

/// Receives X-Ray daemon datagrams (the protocol every X-Ray SDK speaks) on UDP.
final class DaemonUDPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let pipeline: IngestPipeline

    init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if pipeline.countIfDiscarding() { return }
        let envelope = unwrapInboundIn(data)
        pipeline.countDatagram()
        var spans: [Span] = []
        let failure: DecodeFailure? = envelope.data.withUnsafeReadableBytes { bytes in
            do throws(DecodeFailure) {
                try DaemonDatagram.decode(bytes, into: &spans)
                return nil
            } catch {
                return error
            }
        }
        if var failure {
            failure.location = "datagram from \(envelope.remoteAddress)"
            pipeline.reject(failure)
        } else {
            pipeline.ingest(spans)
            envelope.data.withUnsafeReadableBytes { pipeline.forwardDatagram($0) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A socket error on one datagram (e.g. ICMP unreachable) must not stop the receiver.
        pipeline.reject(DecodeFailure(.unreadable, "UDP receive error: \(error)"))
    }
}

enum DaemonUDPReceiver {
    /// Binds the daemon port. The receive buffer is enlarged so bursts — and the collector's own pauses — wait in the
    /// kernel rather than being lost.
    static func bind(host: String, port: Int, group: EventLoopGroup, pipeline: IngestPipeline) async throws -> Channel {
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 8 << 20)
            .channelOption(.maxMessagesPerRead, value: 64)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DaemonUDPHandler(pipeline: pipeline))
                }
            }
            .bind(host: host, port: port)
            .get()
        // SO_RCVBUF is capped by net.core.rmem_max (4 MB here, a few hundred ms at 50,000 datagrams/s); a privileged
        // collector may go past it. Refused without CAP_NET_ADMIN, which is fine: the capped buffer stays.
        let force = ChannelOptions.Types.SocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_RCVBUFFORCE))
        _ = try? await channel.setOption(force, value: 16 << 20).get()
        return channel
    }
}
