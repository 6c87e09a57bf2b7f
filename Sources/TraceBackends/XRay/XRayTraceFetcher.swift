import Foundation
import TraceFormats
import TraceModel

/// Reads an account's traces for a window: `GetTraceSummaries` page by page, then `BatchGetTraces` five ids at a
/// time (ids X-Ray leaves unprocessed are asked again), each answer decoded exactly as a saved
/// `aws xray batch-get-traces` file is — so `summary --xray` and `summary` of the same documents agree.
public struct XRayTraceFetcher: Sendable {
    public var client: XRayClient
    /// At most this many traces are read (a busy account's window can hold millions); `truncated` says so.
    public var maxTraces: Int
    /// A pause between calls, to stay under the API's request rate when others share it (the dashboard's poller).
    public var callSpacing: Duration

    public init(client: XRayClient, maxTraces: Int = 10_000, callSpacing: Duration = .zero) {
        self.client = client
        self.maxTraces = max(1, maxTraces)
        self.callSpacing = callSpacing
    }

    public struct Outcome: Sendable {
        public var traceIDs: Int = 0
        public var truncated = false
        public var stats = IngestStats()
        /// Ids X-Ray never returned, even when asked again.
        public var missing: [String] = []
    }

    /// The ids of the window's traces, newest pages as X-Ray orders them, at most `maxTraces`.
    public func traceIDs(start: Date, end: Date, filter: String?) async throws(AWSError) -> (
        ids: [String], truncated: Bool
    ) {
        var ids: [String] = []
        var seen = Set<String>()
        var token: String?
        repeat {
            let page = try await client.call(
                .getTraceSummaries,
                body: XRayAPI.traceSummariesRequest(start: start, end: end, filter: filter, nextToken: token))
            let (summaries, next) = try XRayAPI.traceSummariesResponse(page)
            for summary in summaries where seen.insert(summary.id).inserted {
                ids.append(summary.id)
                if ids.count >= maxTraces { return (ids, next != nil || summaries.last?.id != summary.id) }
            }
            // A token that comes back unchanged would page forever.
            if next == token { break }
            token = next
        } while token != nil
        return (ids, false)
    }

    /// Fetches the traces with these ids and hands each batch's spans to `deliver`.
    public func fetch(ids: [String], deliver: ([Span]) -> Void) async throws(AWSError) -> Outcome {
        var outcome = Outcome()
        outcome.traceIDs = ids.count
        var pending = ids[...]
        var retried = Set<String>()
        while !pending.isEmpty {
            let batch = Array(pending.prefix(XRayAPI.batchLimit))
            pending = pending.dropFirst(batch.count)
            var token: String?
            repeat {
                if callSpacing > .zero { try? await Task.sleep(for: callSpacing) }
                let body = try await client.call(
                    .batchGetTraces, body: XRayAPI.batchGetTracesRequest(ids: batch, nextToken: token))
                var spans: [Span] = []
                outcome.stats.records += 1
                let decoded = body.withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
                for var failure in decoded.failures {
                    failure.location = "BatchGetTraces"
                    outcome.stats.reject(failure)
                }
                outcome.stats.spans += spans.count
                if !spans.isEmpty { deliver(spans) }
                // An answer that does not parse was counted as a rejected record above; it has no paging to follow.
                let (unprocessed, next) = (try? XRayAPI.batchGetTracesPaging(body)) ?? ([], nil)
                for id in unprocessed {
                    // Asked again once; then reported as missing rather than retried forever.
                    if retried.insert(id).inserted { pending.append(id) } else { outcome.missing.append(id) }
                }
                if next == token { break }
                token = next
            } while token != nil
        }
        return outcome
    }
}
