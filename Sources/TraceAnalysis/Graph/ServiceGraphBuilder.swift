import TraceModel

/// Adds one assembled trace to a service graph, following docs/SEMANTICS.md, "Service graph" (X-Ray's rules for X-Ray data, Grafana
/// Tempo's client/server pairing for OTLP data).
///
/// - Every entry span (segment, SERVER/CONSUMER span) is a request to its node.
/// - An entry with no parent — or whose parent never arrived — is a request from the `client` node. In a late fragment
///   (spans of a trace that had already completed) the parent did arrive, only earlier: no client edge then.
/// - A downstream call (aws/remote subsegment, CLIENT/PRODUCER span) is an edge from its owner's node to the node of
///   the entry span that has it as parent, or else to an inferred node; its statistics are the caller's.
///   Calls nested inside another call of the same owner are skipped, so one request is one edge.
/// - An entry whose parent is present but is not a call (a Lambda function under its `AWS::Lambda` segment) gets an
///   edge from the parent's node, measured on the callee's side since no caller-side measurement exists.
public enum ServiceGraphBuilder {
    public static func add(_ trace: AssembledTrace, to graph: inout ServiceGraph) {
        visit(trace, into: &graph)
    }

    /// The nodes and edges one trace touches, without statistics (for filters such as `service("x")`).
    public static func topology(of trace: AssembledTrace) -> (nodes: Set<NodeKey>, edges: Set<EdgeKey>) {
        var topology = Topology()
        visit(trace, into: &topology)
        return (topology.nodes, topology.edges)
    }

    /// Walks a trace by the rules above, reporting each node request and each edge call to `sink`. Generic rather
    /// than closures so the graph's hot path is specialized and inlined.
    static func visit<Sink: GraphSink>(_ trace: AssembledTrace, into graph: inout Sink) {
        // In place (see `AssembledTrace.withSpans`): a copy of every span read would retain and release its box.
        trace.withSpans { visit($0, of: trace, into: &graph) }
    }

    private static func visit<Sink: GraphSink>(
        _ spans: UnsafeBufferPointer<Span>, of trace: AssembledTrace,
        into graph: inout Sink
    ) {
        // The node of a span: for an entry span its own, for any other its owner's (the two rules agree on entries:
        // a segment owns itself, an OTLP span belongs to its service). Spans of one node come in runs, and making a
        // key hashes its name: the last key made is reused while the names match.
        var lastKey: NodeKey?
        func owner(of i: Int) -> NodeKey {
            let (name, type) = trace.ownerNodeName(of: i)
            if let lastKey, lastKey.name == name, lastKey.type == type { return lastKey }
            let key = NodeKey(name: name, type: type)
            lastKey = key
            return key
        }

        // Which call spans have an entry span as child (the instrumented callee). Most traces are a handful of
        // spans, where a scan beats building a dictionary; large ones get the dictionary.
        var calleesOfCall: [SpanID: [Int]] = [:]
        if spans.count > 32 {
            for i in spans.indices where spans[i].isEntry {
                guard let parent = spans[i].parentID, let p = trace.index(of: parent), spans[p].isDownstreamCall else {
                    continue
                }
                calleesOfCall[parent, default: []].append(i)
            }
        }
        func callees(of call: SpanID) -> [Int]? {
            if spans.count > 32 { return calleesOfCall[call] }
            var found: [Int]?
            for i in spans.indices where spans[i].parentID == call && spans[i].isEntry {
                if found == nil { found = [i] } else { found!.append(i) }
            }
            return found
        }

        for i in spans.indices {
            guard !spans[i].inProgress else { continue }
            let cls = spans[i].statusClass
            let start = spans[i].start
            let duration = spans[i].duration
            if spans[i].isEntry {
                let node = owner(of: i)
                graph.recordNode(node, cls, start: start, duration: duration)
                if let parent = spans[i].parentID, let p = trace.index(of: parent) {
                    if !spans[p].isDownstreamCall {
                        let caller = owner(of: p)
                        if caller != node {
                            graph.recordEdge(EdgeKey(from: caller, to: node), cls, start: start, duration: duration)
                        }
                    }
                    // else: the call records the edge from the caller's side.
                } else if spans[i].parentID == nil || !trace.isLateFragment {
                    graph.recordEdge(EdgeKey(from: .client, to: node), cls, start: start, duration: duration)
                }
                // else: a late fragment's entry whose parent is in the part of the trace that completed earlier (a
                // queue consumer invoked after the producer's trace went quiet) continues a request already
                // counted; it is no new request from a client.
            } else if spans[i].isDownstreamCall, !isNestedCall(i, in: spans, of: trace) {
                let caller = owner(of: i)
                if let callees = callees(of: spans[i].id) {
                    // Almost always one callee: no set needed to keep targets distinct.
                    if callees.count == 1 {
                        let target = owner(of: callees[0])
                        graph.recordEdge(EdgeKey(from: caller, to: target), cls, start: start, duration: duration)
                        continue
                    }
                    var seen = Set<NodeKey>()
                    for callee in callees {
                        let target = owner(of: callee)
                        guard seen.insert(target).inserted else { continue }
                        graph.recordEdge(EdgeKey(from: caller, to: target), cls, start: start, duration: duration)
                    }
                } else {
                    let target = ServiceGraphRules.inferredNode(for: spans[i])
                    // An inferred node has no spans of its own: its statistics are the calls that reached it.
                    graph.recordNode(target, cls, start: start, duration: duration)
                    graph.recordEdge(EdgeKey(from: caller, to: target), cls, start: start, duration: duration)
                }
            }
        }
    }

    /// A call inside another call of the same segment (an HTTP subsegment under an AWS SDK subsegment) is part of it.
    private static func isNestedCall(_ i: Int, in spans: UnsafeBufferPointer<Span>, of trace: AssembledTrace) -> Bool {
        var current = spans[i].parentID
        var hops = 0
        while let id = current, hops < 64, let p = trace.index(of: id) {
            if spans[p].isEntry { return false }
            if spans[p].isDownstreamCall { return true }
            current = spans[p].parentID
            hops += 1
        }
        return false
    }
}

/// What `ServiceGraphBuilder.visit` reports to.
protocol GraphSink {
    mutating func recordNode(_ node: NodeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64)
    mutating func recordEdge(_ edge: EdgeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64)
}

extension ServiceGraph: GraphSink {}

private struct Topology: GraphSink {
    var nodes = Set<NodeKey>()
    var edges = Set<EdgeKey>()

    mutating func recordNode(_ node: NodeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
        nodes.insert(node)
    }

    mutating func recordEdge(_ edge: EdgeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
        nodes.insert(edge.from)
        nodes.insert(edge.to)
        edges.insert(edge)
    }
}
