import Foundation
import Synchronization
import TestSupport
import Testing
import TraceAnalysis
import TraceModel
import TraceTUI

@testable import TraceBackends

/// `GetServiceGraph` (which moto does not implement): responses of the shape AWS documents, decoded, turned into the
/// figures the views read, drawn on the dashboard's map, and polled from a fake endpoint.
@Suite("X-Ray's service graph")
struct ServiceGraphTests {
    /// An API gateway stage calling a function that calls DynamoDB, as `GetServiceGraph` answers (AWS's response
    /// syntax; counts chosen so every class shows).
    static let response = #"""
        {
          "StartTime": 1795176000, "EndTime": 1795176600, "ContainsOldGroupVersions": false,
          "Services": [
            {"ReferenceId": 0, "Name": "shop-api/prod", "Names": ["shop-api/prod"], "Root": true,
             "AccountId": "123456789012", "Type": "AWS::ApiGateway::Stage", "State": "active",
             "StartTime": 1795176000, "EndTime": 1795176600,
             "Edges": [{"ReferenceId": 1, "StartTime": 1795176000, "EndTime": 1795176600,
                        "SummaryStatistics": {"OkCount": 570, "ErrorStatistics": {"ThrottleCount": 10, "OtherCount": 5, "TotalCount": 15},
                                              "FaultStatistics": {"OtherCount": 15, "TotalCount": 15}, "TotalCount": 600, "TotalResponseTime": 120.0},
                        "ResponseTimeHistogram": [{"Value": 0.1, "Count": 500}, {"Value": 0.9, "Count": 100}],
                        "Aliases": []}],
             "SummaryStatistics": {"OkCount": 570, "ErrorStatistics": {"ThrottleCount": 10, "OtherCount": 5, "TotalCount": 15},
                                   "FaultStatistics": {"OtherCount": 15, "TotalCount": 15}, "TotalCount": 600, "TotalResponseTime": 126.0},
             "DurationHistogram": [{"Value": 0.21, "Count": 600}],
             "ResponseTimeHistogram": [{"Value": 0.1, "Count": 500}, {"Value": 1.0, "Count": 100}]},
            {"ReferenceId": 1, "Name": "checkout", "Names": ["checkout"], "Root": false,
             "Type": "AWS::Lambda::Function", "State": "active",
             "Edges": [{"ReferenceId": 2, "SummaryStatistics": {"OkCount": 580, "ErrorStatistics": {"ThrottleCount": 20, "OtherCount": 0, "TotalCount": 20},
                        "FaultStatistics": {"OtherCount": 0, "TotalCount": 0}, "TotalCount": 600, "TotalResponseTime": 12.0},
                        "ResponseTimeHistogram": [{"Value": 0.02, "Count": 600}]}],
             "SummaryStatistics": {"OkCount": 570, "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": 15, "TotalCount": 15},
                                   "FaultStatistics": {"OtherCount": 15, "TotalCount": 15}, "TotalCount": 600, "TotalResponseTime": 110.0},
             "ResponseTimeHistogram": [{"Value": 0.09, "Count": 500}, {"Value": 0.8, "Count": 100}]},
            {"ReferenceId": 2, "Name": "orders", "Names": ["orders"], "Root": false, "Type": "AWS::DynamoDB::Table",
             "State": "unknown", "Edges": [],
             "SummaryStatistics": {"OkCount": 580, "ErrorStatistics": {"ThrottleCount": 20, "OtherCount": 0, "TotalCount": 20},
                                   "FaultStatistics": {"OtherCount": 0, "TotalCount": 0}, "TotalCount": 600, "TotalResponseTime": 11.0},
             "ResponseTimeHistogram": [{"Value": 0.018, "Count": 600}]}
          ]
        }
        """#

    /// A client of the fake endpoint, with fixed credentials.
    static func client(_ server: ScriptedHTTPServer) throws -> XRayClient {
        XRayClient(
            endpoint: try #require(URL(string: server.url)), region: "eu-west-1",
            credentials: CredentialChain(
                fixed: AWSCredentials(accessKeyID: "A", secretAccessKey: "s"), http: BackendHTTPClient.shared),
            http: BackendHTTPClient.shared)
    }

    static let stage = NodeKey(name: "shop-api/prod", type: "AWS::ApiGateway::Stage")
    static let function = NodeKey(name: "checkout", type: "AWS::Lambda::Function")
    static let table = NodeKey(name: "orders", type: "AWS::DynamoDB::Table")

    @Test func decodesServicesEdgesAndClasses() throws {
        let (graph, next) = try XRayAPI.serviceGraphResponse(Array(Self.response.utf8))
        #expect(next == nil)
        #expect(graph.services.map(\.node) == [Self.stage, Self.function, Self.table])
        #expect(graph.end.timeIntervalSince(graph.start) == 600)
        let stage = graph.services[0].statistics
        // X-Ray's error total includes its throttles; the classes here are disjoint.
        #expect(stage.counts == ClassCounts(ok: 570, errors: 5, throttles: 10, faults: 15))
        #expect(stage.counts.total == 600)

        let (services, edges) = graph.figures()
        let byNode = Dictionary(uniqueKeysWithValues: services.map { ($0.node, $0.figures) })
        #expect(byNode[Self.stage]?.requests == 600)
        #expect(byNode[Self.stage]?.rps == 1)
        #expect(byNode[Self.stage]?.avgMillis == 210)
        let p50 = try #require(byNode[Self.stage]?.p50)
        #expect(abs(p50 - 100) <= 1)
        let p99 = try #require(byNode[Self.stage]?.p99)
        #expect(abs(p99 - 1000) <= 10)
        #expect(byNode[.client]?.requests == 600)
        let edgeKeys = Set(edges.map(\.edge))
        #expect(
            edgeKeys
                == [
                    EdgeKey(from: .client, to: Self.stage), EdgeKey(from: Self.stage, to: Self.function),
                    EdgeKey(from: Self.function, to: Self.table),
                ])
        let call = try #require(edges.first { $0.edge == EdgeKey(from: Self.function, to: Self.table) })
        #expect(call.figures.throttles == 20)
    }

    @Test func theDashboardDrawsXRaysGraphAsSuch() throws {
        let (graph, _) = try XRayAPI.serviceGraphResponse(Array(Self.response.utf8))
        let (services, edges) = graph.figures()
        let remote = RemoteGraph(label: "X-Ray's service graph", services: services, edges: edges)
        let model = DashboardModel.make(
            from: TraceAnalyzer(windowed: true), source: "X-Ray us-east-1",
            query: DashboardQuery(window: .fifteenMinutes), now: 1_795_176_600_000_000_000, rejected: 0,
            remote: remote)
        #expect(model.graphSource == "X-Ray's service graph")
        #expect(Set(model.mapNodes.map(\.node)) == [.client, Self.stage, Self.function, Self.table])
        #expect(model.mapEdges.count == 3)
        #expect(model.services.first?.figures.worstClass == .fault) // worst first
        let screen = DashboardView.render(AppState(width: 160, height: 44), model, glyphs: .unicode).text
        #expect(screen.contains("Service map · X-Ray's service graph"))
        for name in ["shop-api/prod", "checkout", "orders", "client"] { #expect(screen.contains(name)) }
        #expect(screen.contains("✖ shop-api/prod"))
        #expect(screen.contains("⧗ orders"))

        // The service's panel shows X-Ray's figures and calls.
        var state = AppState(width: 160, height: 44)
        state.screen = .node(Self.function)
        let panel = DashboardModel.make(
            from: TraceAnalyzer(windowed: true), source: "X-Ray us-east-1", query: state.query,
            now: 1_795_176_600_000_000_000, rejected: 0, remote: remote)
        let detail = try #require(panel.nodeDetail)
        #expect(detail.figures.requests == 600)
        #expect(detail.incoming.map(\.edge.from) == [Self.stage])
        #expect(detail.outgoing.map(\.edge.to) == [Self.table])
    }

    @Test func malformedGraphsAreClearErrors() {
        for bad in ["{\"Services\": {}}", "{\"Services\": [{\"Name\": \"x\"}]}", "not json", "[1,2]"] {
            #expect(throws: AWSError.self) { try XRayAPI.serviceGraphResponse(Array(bad.utf8)) }
        }
        // Absurd numbers are refused as counts, not trapped on.
        let absurd =
            #"{"Services":[{"ReferenceId":0,"Name":"x","SummaryStatistics":{"OkCount":1e300,"TotalCount":-5},"ResponseTimeHistogram":[{"Value":1e300,"Count":3}]}]}"#
        let graph = try? XRayAPI.serviceGraphResponse(Array(absurd.utf8)).graph
        #expect(graph?.services.first?.statistics.counts.ok == 0)
        _ = graph?.figures()
    }

    /// The poller against a fake X-Ray: the graph, the summaries that match the filter it was given, the traces.
    @Test func thePollerFetchesTheGraphAndTheNewTraces() async throws {
        let trace = "1-6b003640-269e0d37f2a74de452e6b438"
        let document =
            #"{\"id\":\"128b2f330c5c7fd0\",\"name\":\"shop-api/prod\",\"trace_id\":\"\#(trace)\",\"start_time\":1795176000.0,\"end_time\":1795176000.5,\"origin\":\"AWS::ApiGateway::Stage\"}"#
        let server = try ScriptedHTTPServer { request in
            switch request.path {
            case "/ServiceGraph": return .json(Self.response)
            case "/TraceSummaries": return .json(#"{"TraceSummaries":[{"Id":"\#(trace)","StartTime":1795176000}]}"#)
            case "/Traces":
                return .json(
                    #"{"Traces":[{"Id":"\#(trace)","Segments":[{"Id":"128b2f330c5c7fd0","Document":"\#(document)"}]}]}"#
                )
            default: return .init(status: 404)
            }
        }
        defer { server.close() }
        let client = try Self.client(server)
        let received = SpanCollector()
        let poller = XRayPoller(client: client, callSpacing: .milliseconds(1)) { received.add($0) }
        poller.setFilter("service(\"checkout\") AND fault") // not polling yet: no task starts
        try await poller.poll(now: Date(timeIntervalSince1970: 1_795_176_600))
        try await poller.poll(now: Date(timeIntervalSince1970: 1_795_176_610))
        #expect(received.spans.map(\.name) == ["shop-api/prod"]) // fetched once, not on every poll
        #expect(poller.remoteGraph?.services.count == 4)
        #expect(poller.headerText(now: Date(timeIntervalSince1970: 1_795_176_615)).contains("polled 5s ago"))
        let summaries = server.requests.filter { $0.path == "/TraceSummaries" }
        let sent = try JSONSerialization.jsonObject(with: Data(try #require(summaries.last).body)) as? [String: Any]
        #expect(sent?["FilterExpression"] as? String == "service(\"checkout\") AND fault")
        #expect(server.requests.filter { $0.path == "/Traces" }.count == 1)
    }

    /// A timeline opened on a trace no longer held fetches it on its own, once however often it is asked.
    @Test func anOpenedTraceIsFetchedOnDemand() async throws {
        let trace = "1-6b003640-269e0d37f2a74de452e6b438"
        let document =
            #"{\"id\":\"128b2f330c5c7fd0\",\"name\":\"shop-api/prod\",\"trace_id\":\"\#(trace)\",\"start_time\":1795176000.0,\"end_time\":1795176000.5}"#
        let server = try ScriptedHTTPServer { request in
            guard request.path == "/Traces" else { return .init(status: 404) }
            usleep(100_000)
            return .json(
                #"{"Traces":[{"Id":"\#(trace)","Segments":[{"Id":"128b2f330c5c7fd0","Document":"\#(document)"}]}]}"#)
        }
        defer { server.close() }
        let client = try Self.client(server)
        let received = SpanCollector()
        let poller = XRayPoller(client: client) { received.add($0) }
        poller.fetchNow(trace)
        poller.fetchNow(trace) // already on its way
        for _ in 0..<100 where received.spans.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(received.spans.map(\.name) == ["shop-api/prod"])
        #expect(server.requests.count == 1)
    }

    /// Each poll reads summary pages until it has a poll's worth of traces not fetched yet: the list fills with the
    /// window's older traces over the polls.
    @Test func pollsPageDeeperIntoTheWindow() async throws {
        let ids = (1...5).map { "1-6b003640-\(String(format: "%024x", $0))" }
        let server = try ScriptedHTTPServer { request in
            switch request.path {
            case "/ServiceGraph": return .json(#"{"Services":[]}"#)
            case "/TraceSummaries":
                let sent = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
                let second = sent["NextToken"] as? String == "page-2"
                let page = second ? Array(ids[3...]) : Array(ids[..<3])
                let entries = page.map { #"{"Id":"\#($0)","StartTime":1795176000}"# }.joined(separator: ",")
                return .json(#"{"TraceSummaries":[\#(entries)]\#(second ? "" : #","NextToken":"page-2""#)}"#)
            case "/Traces": return .json(#"{"Traces":[]}"#)
            default: return .init(status: 404)
            }
        }
        defer { server.close() }
        let client = try Self.client(server)
        let poller = XRayPoller(client: client, maxTracesPerPoll: 4, callSpacing: .milliseconds(1)) { _ in }
        try await poller.poll(now: Date(timeIntervalSince1970: 1_795_176_600))
        #expect(poller.status.tracesFetched == 4)
        try await poller.poll(now: Date(timeIntervalSince1970: 1_795_176_610))
        #expect(poller.status.tracesFetched == 5)
        let asked = server.requests.filter { $0.path == "/Traces" }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])?["TraceIds"] as? [String]
        }
        #expect(Set(asked.flatMap { $0 }) == Set(ids))
    }
}

/// Spans handed over from another task, for assertions.
final class SpanCollector: Sendable {
    private let store = Mutex<[Span]>([])
    func add(_ spans: [Span]) { store.withLock { $0 += spans } }
    var spans: [Span] { store.withLock { $0 } }
}
