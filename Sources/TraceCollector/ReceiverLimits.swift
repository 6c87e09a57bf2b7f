import NIOCore
import NIOHTTP1
import Synchronization
import TraceFormats

/// What clients can make a receiver hold, derived from the memory budget so that no traffic — huge bodies, gzip
/// bombs, thousands of connections, bytes trickled one at a time — grows the process past it
/// (docs/SEMANTICS.md, "Limits").
public struct ReceiverLimits: Sendable {
    /// One request body as sent (413 beyond).
    public var maxBodyBytes: Int
    /// One body after gzip (413 beyond).
    public var maxInflatedBytes: Int
    /// Spans one request may make; the rest are rejected in its `partial_success`.
    public var maxSpansPerRequest: Int
    /// Bodies being received at once, over every connection (503 with `Retry-After` beyond: OTLP clients retry).
    public var maxInFlightBodyBytes: Int
    /// Open connections per listener; more are closed as they come.
    public var maxConnections: Int
    /// From a connection's start, or its previous response, to the end of the next request: a client that
    /// trickles bytes is cut when this runs out, however steadily it trickles.
    public var requestDeadline: TimeAmount
    /// A connection that sends nothing this long is closed.
    public var idleTimeout: TimeAmount

    /// Limits within `budgetBytes`: an eighth of it for requests in flight (bodies, inflated bodies and their spans).
    public static func forBudget(_ budgetBytes: Int) -> ReceiverLimits {
        let inFlight = max(4 << 20, budgetBytes / 8)
        return ReceiverLimits(
            maxBodyBytes: min(8 << 20, inFlight / 4), maxInflatedBytes: min(64 << 20, inFlight / 2),
            // A decoded span takes about a kilobyte (`Span.estimatedBytes`): a quarter of the share for one request's
            // spans, as HTTP and gRPC decode side by side.
            maxSpansPerRequest: max(1000, inFlight / 4 / 1024), maxInFlightBodyBytes: inFlight,
            maxConnections: min(4096, max(256, budgetBytes / (64 << 10))), requestDeadline: .seconds(30),
            idleTimeout: .seconds(15))
    }
}

/// Bytes of request bodies held right now by every connection of a collector.
final class InFlightBodies: Sendable {
    private let held = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `bytes` if the total stays within the limit, or if nothing else is held (so a request larger than the
    /// whole share, which a flag may allow, still goes through alone rather than being refused for ever).
    func reserve(_ bytes: Int) -> Bool {
        let after = held.add(bytes, ordering: .relaxed).newValue
        if after <= limit || after == bytes { return true }
        held.subtract(bytes, ordering: .relaxed)
        return false
    }

    func release(_ bytes: Int) {
        held.subtract(bytes, ordering: .relaxed)
    }

    var bytes: Int { held.load(ordering: .relaxed) }
}

/// Counts a listener's open connections and closes those past the limit as they open.
final class ConnectionLimitHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    private let limit: Int
    private let pipeline: IngestPipeline

    /// One per listener, shared by its connections (the server channel's child initializer adds it to each).
    final class Counter: Sendable {
        let open = Atomic<Int>(0)
    }

    private let counter: Counter

    init(counter: Counter, limit: Int, pipeline: IngestPipeline) {
        self.counter = counter
        self.limit = limit
        self.pipeline = pipeline
    }

    func channelActive(context: ChannelHandlerContext) {
        if counter.open.add(1, ordering: .relaxed).newValue > limit {
            pipeline.reject(DecodeFailure(.tooLarge, "more than \(limit) connections at once: one closed"))
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        counter.open.subtract(1, ordering: .relaxed)
        context.fireChannelInactive()
    }
}

/// Closes a connection whose request is not complete within the deadline, counted from the connection's start or its
/// last complete request. Sits after the HTTP decoder and sees its request parts.
final class RequestDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let deadline: TimeAmount
    private let pipeline: IngestPipeline
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount, pipeline: IngestPipeline) {
        self.deadline = deadline
        self.pipeline = pipeline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { arm(context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            // This request made it: the next one gets a deadline of its own.
            arm(context)
        }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let deadline = deadline
        let pipeline = pipeline
        let peer = context.remoteAddress.map { "\($0)" } ?? "?"
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: deadline) {
            pipeline.reject(
                DecodeFailure(
                    .truncated,
                    "HTTP request from \(peer) not complete within \(deadline.nanoseconds / 1_000_000_000)s: closed"))
            channel.close(promise: nil)
        }
    }
}
