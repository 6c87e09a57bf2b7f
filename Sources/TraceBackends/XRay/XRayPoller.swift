import Foundation
import Synchronization
import TraceAnalysis
import TraceModel

/// Keeps a dashboard on an X-Ray account's live data: every `interval`, the account's service graph for the last
/// `windowSeconds` (`GetServiceGraph`), the newest trace summaries that match the dashboard's filter
/// (`GetTraceSummaries`, the filter sent as X-Ray's own filter expression), and those traces (`BatchGetTraces`),
/// handed to `deliver` as spans.
///
/// It stays inside X-Ray's API rate limits: calls are spaced `callSpacing` apart (the API allows a few a second), at
/// most `maxTracesPerPoll` new traces are fetched per poll, and a trace is fetched once. A failed poll keeps the last
/// data, records the error for the header, and waits twice as long before the next (up to five minutes); a
/// successful one resets the interval. It runs on its own task, so it never blocks the keyboard or a frame.
public final class XRayPoller: Sendable {
    public struct Status: Sendable {
        public var lastPoll: Date?
        public var lastError: String?
        public var graph: XRayServiceGraph?
        public var tracesFetched = 0
        public var polls = 0
        /// Bumped whenever the graph or the traces change, so the dashboard rebuilds only then.
        public var version: UInt64 = 0
    }

    public let client: XRayClient
    public let interval: Duration
    public let windowSeconds: Double
    public let maxTracesPerPoll: Int
    public let callSpacing: Duration
    /// Pages of trace summaries read per poll at most, looking for traces not fetched yet.
    public let maxSummaryPages = 5
    private let deliver: @Sendable ([Span]) -> Void
    private let state = Mutex(Status())
    private let filterText = Mutex<String?>(nil)
    private let fetched = Mutex(Set<String>())
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let pendingFetches = Mutex(Set<String>())

    public init(
        client: XRayClient, interval: Duration = .seconds(10), windowSeconds: Double = 900, maxTracesPerPoll: Int = 100,
        callSpacing: Duration = .milliseconds(250), deliver: @escaping @Sendable ([Span]) -> Void
    ) {
        self.client = client
        self.interval = interval
        self.windowSeconds = windowSeconds
        self.maxTracesPerPoll = max(1, maxTracesPerPoll)
        self.callSpacing = callSpacing
        self.deliver = deliver
    }

    public var status: Status { state.withLock { $0 } }

    /// The dashboard's filter: sent to X-Ray as written from the next poll on (which comes at once when polling).
    public func setFilter(_ text: String?) {
        let changed = filterText.withLock { current -> Bool in
            defer { current = text }
            return current != text
        }
        if changed, task.withLock({ $0 != nil }) { start() }
    }

    /// Starts polling (again, at once, if it already runs).
    public func start() {
        let next = Task { [self] in await loop() }
        let previous = task.withLock { current -> Task<Void, Never>? in
            defer { current = next }
            return current
        }
        previous?.cancel()
    }

    public func stop() {
        task.withLock { current in
            current?.cancel()
            current = nil
        }
    }

    private func loop() async {
        var wait = interval
        while !Task.isCancelled {
            do {
                try await poll()
                wait = interval
            } catch {
                state.withLock { $0.lastError = error.description }
                wait = min(wait * 2, .seconds(300))
            }
            try? await Task.sleep(for: wait)
        }
    }

    /// One round: the graph, the new summaries, their traces.
    public func poll(now: Date = Date()) async throws(AWSError) {
        let start = now.addingTimeInterval(-windowSeconds)
        let graph = try await client.serviceGraph(start: start, end: now)
        try? await Task.sleep(for: callSpacing)
        let filter = filterText.withLock { $0 }
        // Pages of summaries until a poll's worth of traces not fetched yet is found (at most `maxSummaryPages`):
        // each poll goes deeper into the window, so the list fills with older traces over the polls while the
        // newest, on the first page, always come first.
        var wanted: [String] = []
        var token: String?
        var pages = 0
        repeat {
            if pages > 0 { try? await Task.sleep(for: callSpacing) }
            let page = try await client.call(
                .getTraceSummaries,
                body: XRayAPI.traceSummariesRequest(start: start, end: now, filter: filter, nextToken: token))
            let (summaries, next) = try XRayAPI.traceSummariesResponse(page)
            let newest = summaries.sorted { ($0.startTime ?? 0) > ($1.startTime ?? 0) }.map(\.id)
            fetched.withLock { known in
                for id in newest where wanted.count < maxTracesPerPoll && !known.contains(id) && !wanted.contains(id) {
                    wanted.append(id)
                }
            }
            pages += 1
            token = next == token ? nil : next
        } while token != nil && wanted.count < maxTracesPerPoll && pages < maxSummaryPages
        var count = 0
        if !wanted.isEmpty {
            let fetcher = XRayTraceFetcher(client: client, maxTraces: maxTracesPerPoll, callSpacing: callSpacing)
            let outcome = try await fetcher.fetch(ids: wanted) { spans in
                count += spans.count
                deliver(spans)
            }
            fetched.withLock { known in
                // Remember at most a window's worth of ids; forgetting the oldest only means refetching them.
                if known.count > 50_000 { known.removeAll(keepingCapacity: true) }
                known.formUnion(wanted)
            }
            _ = outcome
        }
        state.withLock { s in
            s.lastPoll = now
            s.lastError = nil
            s.polls += 1
            s.tracesFetched += wanted.count
            if s.graph != graph || count > 0 { s.version &+= 1 }
            s.graph = graph
        }
    }

    /// Fetches one trace now (with `BatchGetTraces`), whether or not it was fetched before — for a timeline opened on
    /// a trace that is no longer held. Asked again while it is on its way, it does nothing.
    public func fetchNow(_ id: String) {
        let start = pendingFetches.withLock { pending -> Bool in pending.insert(id).inserted }
        guard start else { return }
        Task { [self] in
            defer { _ = pendingFetches.withLock { $0.remove(id) } }
            let fetcher = XRayTraceFetcher(client: client, maxTraces: 1)
            do throws(AWSError) {
                var count = 0
                _ = try await fetcher.fetch(ids: [id]) { spans in
                    count += spans.count
                    deliver(spans)
                }
                state.withLock { $0.version &+= count > 0 ? 1 : 0 }
            } catch {
                state.withLock { $0.lastError = error.description }
            }
        }
    }

    /// The header's account of the source: region, last poll, last error.
    public func headerText(now: Date = Date()) -> String {
        let s = status
        var text = "X-Ray \(client.region)"
        if let last = s.lastPoll {
            text += " · polled \(Int(max(0, now.timeIntervalSince(last))))s ago"
        } else {
            text += " · first poll…"
        }
        text += " · \(s.tracesFetched) traces fetched"
        if let error = s.lastError { text += " · last error: \(error)" }
        return text
    }

    /// X-Ray's graph as the dashboard shows it, or nil when X-Ray returned none (the map is then the traces').
    public var remoteGraph: RemoteGraph? {
        guard let graph = status.graph, !graph.services.isEmpty else { return nil }
        let (services, edges) = graph.figures()
        return RemoteGraph(label: "X-Ray's service graph", services: services, edges: edges)
    }
}
