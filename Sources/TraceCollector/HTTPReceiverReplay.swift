import NIOCore
import NIOEmbedded
import TraceModel

/// Serves raw bytes, as a client would send them on one connection, through the OTLP/HTTP receiver's own channel
/// pipeline on an in-memory channel, and returns what the receiver wrote back. No socket and no event-loop thread:
/// the fuzz harness and unit tests drive request handling (parsing, limits, decoding, responses) with it.
///
/// ```swift
/// let pipeline = IngestPipeline(clock: { 0 })
/// let response = HTTPReceiverReplay.serve(Array("GET / HTTP/1.1\r\n\r\n".utf8), pipeline: pipeline)
/// // response starts with "HTTP/1.1 404 Not Found"
/// ```
public enum HTTPReceiverReplay {
    public static func serve(
        _ bytes: [UInt8], pipeline: IngestPipeline, limits: ReceiverLimits = .forBudget(256 << 20),
        chunkSize: Int = .max
    ) -> [UInt8] {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        do {
            try HTTPReceiver.configure(
                channel, pipeline: pipeline, limits: limits,
                inFlight: InFlightBodies(limit: limits.maxInFlightBodyBytes))
        } catch {
            return []
        }
        var response: [UInt8] = []
        func drain() {
            while let out = try? channel.readOutbound(as: ByteBuffer.self) {
                response.append(contentsOf: out.readableBytesView)
            }
        }
        var offset = 0
        let step = max(1, chunkSize)
        while offset < bytes.count, channel.isActive {
            let end = min(bytes.count, offset + min(step, bytes.count - offset))
            var buffer = channel.allocator.buffer(capacity: end - offset)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do { try channel.writeInbound(buffer) } catch { break }
            drain()
        }
        drain()
        return response
    }
}
