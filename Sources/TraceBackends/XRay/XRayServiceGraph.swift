import Foundation
import TraceAnalysis
import TraceModel

/// X-Ray's own service graph (`GetServiceGraph`): its aggregates over everything it sampled in a window, not only
/// the traces Tracescope fetched — shown as such, never merged with a graph computed from traces.
public struct XRayServiceGraph: Sendable, Equatable {
    public struct Statistics: Sendable, Equatable {
        public var counts = ClassCounts()
        public var total: UInt64 = 0
        public var totalResponseSeconds: Double = 0
        /// `(seconds, count)` buckets, as X-Ray reports them.
        public var histogram: [(seconds: Double, count: UInt64)] = []

        public static func == (a: Statistics, b: Statistics) -> Bool {
            a.counts == b.counts && a.total == b.total && a.totalResponseSeconds == b.totalResponseSeconds
                && a.histogram.elementsEqual(b.histogram) { $0.seconds == $1.seconds && $0.count == $1.count }
        }
    }

    public struct Service: Sendable, Equatable {
        public var referenceID: Int
        public var node: NodeKey
        public var root: Bool
        public var statistics: Statistics
        /// Calls from this service: the callee's reference id and the caller-side statistics.
        public var edges: [(to: Int, statistics: Statistics)]

        public static func == (a: Service, b: Service) -> Bool {
            a.referenceID == b.referenceID && a.node == b.node && a.root == b.root && a.statistics == b.statistics
                && a.edges.elementsEqual(b.edges) { $0.to == $1.to && $0.statistics == $1.statistics }
        }
    }

    public var start: Date
    public var end: Date
    public var services: [Service]

    public init(start: Date, end: Date, services: [Service]) {
        self.start = start
        self.end = end
        self.services = services
    }

    /// The graph as summary figures, the same types the dashboard and `summary` read: per service and edge the
    /// counts by class, req/s over the window and percentiles from X-Ray's histogram. Root services get an edge
    /// from the `client` node, as the X-Ray console draws them (unless X-Ray sent a client node itself).
    public func figures() -> (services: [Summary.Service], edges: [Summary.Edge]) {
        let seconds = max(1, end.timeIntervalSince(start))
        var byReference: [Int: NodeKey] = [:]
        for service in services { byReference[service.referenceID] = service.node }
        var nodes: [Summary.Service] = []
        var edges: [Summary.Edge] = []
        let hasClient = services.contains { $0.node.isClient }
        for service in services {
            let (figures, latency) = Self.figures(service.statistics, seconds: seconds)
            nodes.append(Summary.Service(node: service.node, figures: figures, latency: latency))
            if service.root, !hasClient, !service.node.isClient {
                edges.append(
                    Summary.Edge(edge: EdgeKey(from: .client, to: service.node), figures: figures, latency: latency))
            }
            for edge in service.edges {
                guard let callee = byReference[edge.to] else { continue }
                let (edgeFigures, edgeLatency) = Self.figures(edge.statistics, seconds: seconds)
                edges.append(
                    Summary.Edge(
                        edge: EdgeKey(from: service.node, to: callee), figures: edgeFigures, latency: edgeLatency))
            }
        }
        if !hasClient, services.contains(where: \.root) {
            var client = Summary.Figures()
            for edge in edges where edge.edge.from.isClient { client.counts += edge.figures.counts }
            client.requests = client.total
            nodes.append(Summary.Service(node: .client, figures: client))
        }
        return (nodes, edges)
    }

    private static func figures(_ s: Statistics, seconds: Double) -> (Summary.Figures, LatencyHistogramBox?) {
        var latency = LatencyHistogram()
        // Only the shape matters here (counts come from the statistics): past a million requests the buckets are
        // scaled down, which keeps every percentile and keeps value × count within what the histogram sums.
        let total = s.histogram.reduce(0.0) { $0 + Double($1.count) }
        let scale = total > 1e6 ? 1e6 / total : 1
        for bucket in s.histogram where bucket.seconds.isFinite && bucket.seconds >= 0 && bucket.count > 0 {
            let count = max(1, UInt64((Double(bucket.count) * scale).rounded()))
            latency.record(nanos: Int64(min(bucket.seconds, 86_400) * 1e9), count: count)
        }
        var f = Summary.Figures()
        f.counts = s.counts
        f.requests = max(s.total, s.counts.total)
        f.rps = Double(f.requests) / seconds
        f.avgMillis = f.requests > 0 ? s.totalResponseSeconds * 1000 / Double(f.requests) : nil
        f.p50 = latency.percentileMillis(50)
        f.p90 = latency.percentileMillis(90)
        f.p95 = latency.percentileMillis(95)
        f.p99 = latency.percentileMillis(99)
        f.maxMillis = latency.maxMillis
        return (f, latency.count > 0 ? LatencyHistogramBox(latency) : nil)
    }
}

extension XRayAPI {
    public static func serviceGraphRequest(start: Date, end: Date, nextToken: String?) -> [UInt8] {
        var body: [String: Any] = ["StartTime": start.timeIntervalSince1970, "EndTime": end.timeIntervalSince1970]
        if let nextToken { body["NextToken"] = nextToken }
        return json(body)
    }

    /// One page of `GetServiceGraph`: its services (with their edges) and the next page's token.
    public static func serviceGraphResponse(_ bytes: [UInt8]) throws(AWSError) -> (
        graph: XRayServiceGraph, nextToken: String?
    ) {
        let object = try parseObject(bytes, operation: .getServiceGraph)
        guard let list = object["Services"] as? [Any] ?? (object["Services"] == nil ? [] : nil) else {
            throw AWSError.malformedResponse(operation: "GetServiceGraph", problem: "Services is not a list")
        }
        var services: [XRayServiceGraph.Service] = []
        for item in list.prefix(100_000) {
            guard let entry = item as? [String: Any], let reference = (entry["ReferenceId"] as? NSNumber)?.intValue
            else {
                throw AWSError.malformedResponse(
                    operation: "GetServiceGraph", problem: "a service without a ReferenceId")
            }
            let name = (entry["Name"] as? String) ?? (entry["Names"] as? [String])?.first ?? "unknown"
            let type = entry["Type"] as? String
            let node = type == "client" ? NodeKey.client : NodeKey(name: name, type: type)
            let edges = (entry["Edges"] as? [Any] ?? []).compactMap {
                edge -> (to: Int, statistics: XRayServiceGraph.Statistics)? in
                guard let edge = edge as? [String: Any], let to = (edge["ReferenceId"] as? NSNumber)?.intValue else {
                    return nil
                }
                return (to, statistics(edge))
            }
            services.append(
                XRayServiceGraph.Service(
                    referenceID: reference, node: node, root: entry["Root"] as? Bool ?? false,
                    statistics: statistics(entry), edges: edges))
        }
        let start = number(object["StartTime"]).map(Date.init(timeIntervalSince1970:)) ?? Date(timeIntervalSince1970: 0)
        let end = number(object["EndTime"]).map(Date.init(timeIntervalSince1970:)) ?? start
        return (
            XRayServiceGraph(start: start, end: end, services: services),
            (object["NextToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// `SummaryStatistics` and `ResponseTimeHistogram` of a service or an edge. X-Ray's error count includes its
    /// throttles; the classes here are disjoint, so errors are the others.
    static func statistics(_ entry: [String: Any]) -> XRayServiceGraph.Statistics {
        func count(_ value: Any?) -> UInt64 {
            // Up to 10^14 a figure: ten thousand histogram buckets of it still sum within 64 bits.
            guard let n = number(value), n >= 0, n < 1e14 else { return 0 }
            return UInt64(n)
        }
        var s = XRayServiceGraph.Statistics()
        let summary = entry["SummaryStatistics"] as? [String: Any] ?? [:]
        let errors = summary["ErrorStatistics"] as? [String: Any] ?? [:]
        let faults = summary["FaultStatistics"] as? [String: Any] ?? [:]
        let throttles = count(errors["ThrottleCount"])
        let errorTotal = max(count(errors["TotalCount"]), throttles &+ count(errors["OtherCount"]))
        s.counts = ClassCounts(
            ok: count(summary["OkCount"]), errors: errorTotal - throttles, throttles: throttles,
            faults: max(count(faults["TotalCount"]), count(faults["OtherCount"])))
        s.total = count(summary["TotalCount"])
        s.totalResponseSeconds = number(summary["TotalResponseTime"]) ?? 0
        s.histogram = (entry["ResponseTimeHistogram"] as? [Any] ?? []).prefix(10_000).compactMap { bucket in
            guard let bucket = bucket as? [String: Any], let value = number(bucket["Value"]) else { return nil }
            return (value, count(bucket["Count"]))
        }
        return s
    }
}

extension XRayClient {
    /// The account's service graph for a window, every page merged.
    public func serviceGraph(start: Date, end: Date) async throws(AWSError) -> XRayServiceGraph {
        var graph = XRayServiceGraph(start: start, end: end, services: [])
        var token: String?
        var pages = 0
        repeat {
            let body = try await call(
                .getServiceGraph, body: XRayAPI.serviceGraphRequest(start: start, end: end, nextToken: token))
            let (page, next) = try XRayAPI.serviceGraphResponse(body)
            if pages == 0, page.start.timeIntervalSince1970 > 0 {
                graph.start = page.start
                graph.end = page.end
            }
            graph.services += page.services
            pages += 1
            if next == token { break }
            token = next
        } while token != nil && pages < 100
        return graph
    }
}
