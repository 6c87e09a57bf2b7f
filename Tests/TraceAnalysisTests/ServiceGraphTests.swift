import Testing
import TraceAnalysis
import TraceModel

@Suite("Service graph rules")
struct ServiceGraphTests {
    @Test func aRootSegmentIsCalledByTheClient() {
        let a = analyze([segment("web", id: hexID(1), status: 200)])
        #expect(a.graph.nodes[node("web")]?.total == 1)
        #expect(a.graph.edges[edge(.client, node("web"))]?.ok == 1)
        #expect(a.graph.nodes[.client] != nil)
    }

    /// A queue consumer invoked after the producer's trace went quiet arrives as a late fragment: its node and its
    /// own calls count, but it is no new request from a client (that would draw a phantom client edge live).
    @Test func aLateConsumerIsNoRequestFromTheClient() {
        let a = analyze(
            [
                segment(
                    "checkout", id: hexID(1), start: 100, end: 100.5,
                    subsegments: [
                        subsegment("SQS", id: hexID(2), namespace: "aws", start: 100.2, end: 100.3)
                    ]),
                // Other traces move event time on (the median of recent spans), so the first completes before its
                // consumer arrives.
                segment("checkout", id: hexID(9), start: 140, end: 140.5, trace: "1-5759e988-00000000000000000000000b"),
                segment("clock", id: hexID(10), start: 140, end: 140.5, trace: "1-5759e988-00000000000000000000000c"),
                segment("clock", id: hexID(11), start: 140, end: 140.5, trace: "1-5759e988-00000000000000000000000d"),
                segment(
                    "email-sender", id: hexID(3), parent: hexID(2), origin: "AWS::Lambda", start: 141, end: 141.4,
                    subsegments: [subsegment("SES", id: hexID(4), namespace: "aws", start: 141.1, end: 141.3)]),
            ], quietPeriodSeconds: 30)
        let sender = node("email-sender", "AWS::Lambda")
        #expect(a.lateFragments == 1)
        #expect(a.graph.nodes[sender]?.total == 1)
        #expect(a.graph.edges[edge(.client, sender)] == nil)
        #expect(a.graph.edges[edge(sender, node("SES", "AWS::SES"))]?.total == 1)
        #expect(a.graph.edges[edge(.client, node("checkout"))]?.total == 2)
    }

    @Test func anUninstrumentedCallGoesToAnInferredNode() {
        let a = analyze([
            segment(
                "web", id: hexID(1),
                subsegments: [
                    subsegment("DynamoDB", id: hexID(2), namespace: "aws", flags: #""throttle":true,"error":true"#),
                    subsegment("api.stripe.com", id: hexID(3), namespace: "remote", start: 100.3, end: 100.5),
                    subsegment("render", id: hexID(4)),
                ])
        ])
        let dynamo = node("DynamoDB", "AWS::DynamoDB::Table")
        let stripe = node("api.stripe.com", "remote")
        #expect(a.graph.edges[edge(node("web"), dynamo)]?.throttles == 1)
        #expect(a.graph.nodes[dynamo]?.throttles == 1)
        #expect(a.graph.edges[edge(node("web"), stripe)]?.latency.maxNanos == 200_000_000)
        #expect(a.graph.nodes.keys.contains { $0.name == "render" } == false)
        #expect(dynamo.kind == .inferred)
    }

    @Test func anInstrumentedDownstreamReplacesTheInferredNode() {
        let a = analyze([
            segment(
                "web", id: hexID(1),
                subsegments: [
                    subsegment("orders.internal", id: hexID(2), namespace: "remote", start: 100.1, end: 100.6)
                ]),
            segment(
                "orders", id: hexID(3), parent: hexID(2), origin: "AWS::EC2::Instance", start: 100.15, end: 100.55,
                status: 503, flags: #""fault":true"#),
        ])
        let orders = node("orders", "AWS::EC2::Instance")
        #expect(a.graph.nodes[node("orders.internal", "remote")] == nil)
        // The edge is measured by the caller (500 ms, network included); the node by itself (400 ms).
        #expect(a.graph.edges[edge(node("web"), orders)]?.latency.maxNanos == 500_000_000)
        #expect(a.graph.nodes[orders]?.latency.maxNanos == 400_000_000)
        #expect(a.graph.nodes[orders]?.faults == 1)
        #expect(a.graph.edges[edge(.client, orders)] == nil)
    }

    @Test func aLambdaFunctionHasTwoNodesJoinedByAnEdge() {
        let a = analyze([
            segment(
                "api", id: hexID(1), origin: "AWS::ApiGateway::Stage",
                subsegments: [
                    subsegment("Lambda", id: hexID(2), namespace: "aws")
                ]),
            segment("checkout", id: hexID(3), parent: hexID(2), origin: "AWS::Lambda"),
            segment("checkout", id: hexID(4), parent: hexID(3), origin: "AWS::Lambda::Function"),
        ])
        let service = node("checkout", "AWS::Lambda")
        let function = node("checkout", "AWS::Lambda::Function")
        #expect(a.graph.edges[edge(node("api", "AWS::ApiGateway::Stage"), service)]?.total == 1)
        #expect(a.graph.edges[edge(service, function)]?.total == 1)
        #expect(a.graph.nodes.count == 4)
    }

    @Test func aSubsegmentThatArrivesBeforeItsSegmentStillCounts() {
        let early =
            #"{"type":"subsegment","name":"SQS","id":"\#(hexID(5))","parent_id":"\#(hexID(1))","trace_id":"\#(traceA)","start_time":100.2,"end_time":100.3,"namespace":"aws"}"#
        let a = analyze([early, segment("worker", id: hexID(1))])
        #expect(a.graph.edges[edge(node("worker"), node("SQS", "AWS::SQS::Queue"))]?.total == 1)
    }

    @Test func aSubsegmentWhoseSegmentNeverArrivesIsKept() {
        let orphan =
            #"{"type":"subsegment","name":"S3","id":"\#(hexID(5))","parent_id":"\#(hexID(1))","trace_id":"\#(traceA)","start_time":100.2,"end_time":100.3,"namespace":"aws","fault":true}"#
        let a = analyze([orphan])
        #expect(a.graph.edges[edge(.unknown, node("S3", "AWS::S3::Bucket"))]?.faults == 1)
        #expect(a.traces.total == 1)
    }

    @Test func inProgressIsReplacedByTheCompleteDocument() {
        let open = #"{"name":"web","id":"\#(hexID(1))","trace_id":"\#(traceA)","start_time":100,"in_progress":true}"#
        let a = analyze([
            open, segment("web", id: hexID(1), status: 500, flags: #""fault":true"#), segment("web", id: hexID(1)),
        ])
        #expect(a.graph.nodes[node("web")]?.total == 1)
        #expect(a.graph.nodes[node("web")]?.faults == 1)
        #expect(a.assembler.replacedInProgress == 1)
        #expect(a.assembler.duplicates == 1)
    }

    @Test func nestedCallsCountOnce() {
        let a = analyze([
            segment(
                "web", id: hexID(1),
                subsegments: [
                    subsegment(
                        "S3", id: hexID(2), namespace: "aws",
                        children: [
                            subsegment("s3.amazonaws.com", id: hexID(3), namespace: "remote")
                        ])
                ])
        ])
        #expect(a.graph.edges.count == 2)
        #expect(a.graph.nodes[node("s3.amazonaws.com", "remote")] == nil)
    }

    static func otlp(_ service: String, _ spans: [String]) -> String {
        #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
    }

    static func otlpSpan(
        _ id: Int, parent: Int? = nil, kind: Int, start: Int = 1_000, end: Int = 2_000,
        attributes: [(String, String)] = [], status: Int? = nil, error: Bool = false
    ) -> String {
        var attrs = attributes.map { #"{"key":"\#($0.0)","value":{"stringValue":"\#($0.1)"}}"# }
        if let status { attrs.append(#"{"key":"http.response.status_code","value":{"intValue":"\#(status)"}}"#) }
        let parentField = parent.map { #","parentSpanId":"\#(hexID($0))""# } ?? ""
        return
            #"{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"\#(hexID(id))"\#(parentField),"name":"op\#(id)","kind":\#(kind),"startTimeUnixNano":"\#(start)000000","endTimeUnixNano":"\#(end)000000","attributes":[\#(attrs.joined(separator: ","))],"status":{"code":\#(error ? 2 : 0)}}"#
    }

    @Test func otlpClientAndServerSpansPairAcrossServices() {
        let a = analyze([
            Self.otlp(
                "frontend",
                [
                    Self.otlpSpan(1, kind: 2, start: 1_000, end: 1_900, status: 200),
                    Self.otlpSpan(2, parent: 1, kind: 3, start: 1_100, end: 1_800, status: 500),
                    Self.otlpSpan(3, parent: 1, kind: 3, attributes: [("peer.service", "payments")]),
                ]),
            Self.otlp(
                "cart",
                [
                    Self.otlpSpan(4, parent: 2, kind: 2, start: 1_200, end: 1_700, status: 500),
                    Self.otlpSpan(
                        5, parent: 4, kind: 3, attributes: [("db.system", "postgresql"), ("db.name", "carts")]),
                    Self.otlpSpan(6, parent: 4, kind: 4, attributes: [("messaging.system", "kafka")]),
                ]),
            Self.otlp("fulfillment", [Self.otlpSpan(7, parent: 6, kind: 5, error: true)]),
        ])
        #expect(a.graph.edges[edge(.client, node("frontend"))]?.ok == 1)
        #expect(a.graph.edges[edge(node("frontend"), node("cart"))]?.faults == 1)
        #expect(a.graph.edges[edge(node("frontend"), node("cart"))]?.latency.maxNanos == 700_000_000)
        #expect(a.graph.edges[edge(node("frontend"), node("payments", "remote"))]?.total == 1)
        #expect(a.graph.edges[edge(node("cart"), node("carts", "database"))]?.total == 1)
        #expect(a.graph.edges[edge(node("cart"), node("fulfillment"))]?.total == 1)
        #expect(a.graph.nodes[node("fulfillment")]?.faults == 1)
        #expect(a.graph.nodes[node("kafka", "queue")] == nil)
    }

    @Test func anUnpairedProducerReachesAQueueNode() {
        let a = analyze([
            Self.otlp(
                "cart",
                [
                    Self.otlpSpan(1, kind: 2),
                    Self.otlpSpan(2, parent: 1, kind: 4, attributes: [("messaging.system", "kafka")]),
                ])
        ])
        #expect(a.graph.edges[edge(node("cart"), node("kafka", "queue"))]?.total == 1)
    }
}

@Suite("Service graph size limit")
struct ServiceGraphLimitTests {
    @Test func newNodesFoldIntoOtherOnceTheGraphIsFull() {
        var graph = ServiceGraph()
        // Room for three entries of a file's graph (a third of a windowed entry each).
        graph.limit(bytes: 3 * ServiceGraph.typicalWindowedEntryBytes / 3)
        let (a, b, c, d) = (node("a"), node("b"), node("c"), node("d"))
        graph.recordNode(a, .ok, start: 0, duration: 1)
        graph.recordNode(b, .ok, start: 0, duration: 1)
        graph.recordEdge(edge(a, b), .ok, start: 0, duration: 1)
        #expect(graph.foldedRequests == 0)
        // Full: c is (other), and so is the call from a to d; known nodes and edges still count as usual.
        graph.recordNode(c, .fault, start: 0, duration: 1)
        graph.recordEdge(edge(a, d), .ok, start: 0, duration: 1)
        graph.recordEdge(edge(a, b), .error, start: 0, duration: 1)
        #expect(graph.nodes[c] == nil && graph.nodes[d] == nil)
        #expect(graph.nodes[.overflow]?.faults == 1)
        #expect(graph.edges[edge(a, .overflow)]?.total == 1)
        #expect(graph.edges[edge(a, b)]?.total == 2)
        #expect(graph.foldedRequests == 2)
        // However many new names arrive, the graph stays at its limit plus the (other) entries.
        for i in 0..<1_000 { graph.recordNode(node("runaway-\(i)"), .ok, start: 0, duration: 1) }
        #expect(graph.nodes.count + graph.edges.count <= 5)
        #expect(graph.foldedRequests == 1_002)
    }
}
