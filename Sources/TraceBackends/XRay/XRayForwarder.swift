import Foundation
import Synchronization
import TraceFormats
import TraceModel

/// Forwards what a collector receives to X-Ray with `PutTraceSegments`, off the receive path.
///
/// Receivers hand over decoded spans (`submit`, a lock and an append); one task encodes them as X-Ray documents
/// (OTLP converted by the writer `collect --out` uses), batches them — at most `batchDocuments` documents or
/// `batchBytes`, or whatever waited `flushInterval` — and puts each batch. The client retries throttling and
/// transient failures with backoff; segments X-Ray returns as unprocessed are put once more, then counted as
/// rejected. The queue holds at most `maxQueuedSpans`: beyond it spans are dropped and counted, never blocking a
/// receiver. `drain()` sends everything accepted before it returns.
public final class XRayForwarder: Sendable {
    public typealias Stats = ForwardingStats

    private struct State {
        var queue: [[Span]] = []
        var queuedSpans = 0
        var closed = false
        var stats = Stats()
        var waiter: CheckedContinuation<Void, Never>?
    }

    public let client: XRayClient
    public let maxQueuedSpans: Int
    public let batchDocuments: Int
    public let batchBytes: Int
    public let flushInterval: Duration
    private let state = Mutex(State())
    private let worker = Mutex<Task<Void, Never>?>(nil)

    public init(
        client: XRayClient, maxQueuedSpans: Int = 100_000, batchDocuments: Int = 50, batchBytes: Int = 1 << 20,
        flushInterval: Duration = .seconds(1)
    ) {
        self.client = client
        self.maxQueuedSpans = max(1, maxQueuedSpans)
        self.batchDocuments = max(1, batchDocuments)
        self.batchBytes = max(XRayAPI.maxDocumentBytes, batchBytes)
        self.flushInterval = flushInterval
        let task = Task { [weak self] in
            guard let self else { return }
            await self.run()
        }
        worker.withLock { $0 = task }
    }

    public var stats: Stats {
        var stats = state.withLock { $0.stats }
        stats.retried += UInt64(client.retries.value)
        return stats
    }

    /// Queues spans for forwarding; drops (and counts) them when the queue is full or the forwarder is drained.
    public func submit(_ spans: [Span]) {
        guard !spans.isEmpty else { return }
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { s in
            guard !s.closed, s.queuedSpans + spans.count <= maxQueuedSpans else {
                s.stats.dropped += UInt64(spans.count)
                return nil
            }
            s.queue.append(spans)
            s.queuedSpans += spans.count
            // Wake the worker only once a batch's worth waits; otherwise its timer sends what is there.
            guard s.queuedSpans >= batchDocuments else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Stops accepting, sends everything queued, and returns when it is sent (or refused).
    public func drain() async {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
        let task = worker.withLock { $0 }
        await task?.value
    }

    private func run() async {
        while true {
            let (batch, closed) = state.withLock { s -> ([[Span]], Bool) in
                let batch = s.queue
                s.queue = []
                s.queuedSpans = 0
                return (batch, s.closed)
            }
            if !batch.isEmpty { await send(batch.flatMap { $0 }) }
            if closed, batch.isEmpty { return }
            if !closed { await waitForWork() }
        }
    }

    /// Sleeps until a batch's worth is queued, the flush interval passes, or the forwarder is drained.
    private func waitForWork() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [flushInterval] in try? await Task.sleep(for: flushInterval) }
            group.addTask { [self] in
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { s -> Bool in
                        if Task.isCancelled || s.closed || s.queuedSpans >= batchDocuments { return true }
                        s.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
            await group.next()
            // Whichever finished first, release the other. Cancel first: a wait registered after this sees the
            // cancellation and does not start; one registered before is resumed here (exactly once).
            group.cancelAll()
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }

    /// Encodes spans as documents (a segment with its subsegments of the same batch is one document) and puts them
    /// in batches. If a document is over X-Ray's 64 KB, the batch's spans go as documents of their own instead
    /// (independent subsegments, which X-Ray assembles the same); a single span still over it is refused, counted.
    private func send(_ spans: [Span]) async {
        var encoded = XRayDocumentEncoder.documentsWithSpanCounts(for: spans)
        if encoded.contains(where: { $0.text.utf8.count > XRayAPI.maxDocumentBytes }) {
            encoded = spans.map { (XRayDocumentEncoder.document(for: $0), 1) }
        }
        var documents: [Document] = []
        for (text, count) in encoded {
            if text.utf8.count <= XRayAPI.maxDocumentBytes {
                documents.append(Document(id: Self.documentID(text), text: text, spans: count))
            } else {
                record { s in
                    s.rejected += UInt64(count)
                    s.lastError = "a segment of \(text.utf8.count) bytes is over X-Ray's 64 KB limit"
                }
            }
        }
        var start = 0
        while start < documents.count {
            var end = start
            var bytes = 0
            while end < documents.count, end - start < batchDocuments,
                bytes + documents[end].text.utf8.count <= batchBytes
            {
                bytes += documents[end].text.utf8.count
                end += 1
            }
            await put(Array(documents[start..<end]), secondTry: false)
            start = end
        }
    }

    private struct Document {
        var id: String
        var text: String
        var spans: Int
    }

    private func put(_ documents: [Document], secondTry: Bool) async {
        do {
            let answer = try await client.call(
                .putTraceSegments, body: XRayAPI.putTraceSegmentsRequest(documents: documents.map(\.text)))
            let unprocessed = try XRayAPI.putTraceSegmentsResponse(answer)
            let unprocessedIDs = Set(unprocessed.map(\.id))
            let again = documents.filter { unprocessedIDs.contains($0.id) }
            let taken = documents.filter { !unprocessedIDs.contains($0.id) }
            record { s in
                s.forwarded += UInt64(taken.reduce(0) { $0 + $1.spans })
                if let first = unprocessed.first {
                    s.lastError = "unprocessed segment: \(first.errorCode) \(first.message)"
                }
            }
            guard !again.isEmpty else { return }
            let spans = UInt64(again.reduce(0) { $0 + $1.spans })
            if secondTry {
                record { $0.rejected += spans }
            } else {
                record { $0.retried += spans }
                await put(again, secondTry: true)
            }
        } catch {
            let spans = UInt64(documents.reduce(0) { $0 + $1.spans })
            record { s in
                s.rejected += spans
                s.lastError = error.description
            }
        }
    }

    private func record(_ change: (inout Stats) -> Void) {
        state.withLock { change(&$0.stats) }
    }

    /// A document's `id` (its first `"id":"…"` is the segment's own: the writer puts it first).
    public static func documentID(_ document: String) -> String {
        guard let range = document.range(of: #""id":""#) else { return "" }
        let rest = document[range.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }
}
