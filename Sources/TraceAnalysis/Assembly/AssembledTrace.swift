import TraceModel

/// All spans known for one trace, deduplicated, with the lookups the analyses need.
public struct AssembledTrace: Sendable {
    public let traceID: TraceID
    public private(set) var spans: [Span]
    /// Spans that arrived for this trace after it had already been completed once (they form a partial trace).
    public var isLateFragment = false

    /// Bytes the trace holds in memory, roughly (see `Span.estimatedBytes`); what a trace store budgets by.
    public let estimatedBytes: Int

    public init(traceID: TraceID, spans: [Span]) {
        var bytes = 512
        for span in spans { bytes += span.estimatedBytes }
        self.init(traceID: traceID, spans: spans, estimatedBytes: bytes, ownersKnown: false)
    }

    /// For the assembler, which learns both figures as each span arrives (while it is still in the cache) rather
    /// than walking the spans again here. `ownersKnown`: every span names its service already.
    init(traceID: TraceID, spans: [Span], estimatedBytes: Int, ownersKnown: Bool) {
        self.traceID = traceID
        self.spans = spans
        self.estimatedBytes = estimatedBytes
        if spans.count > 24 {
            lookup.reserveCapacity(spans.count)
            for (i, s) in spans.enumerated() { lookup[s.id] = i }
        }
        if !ownersKnown { resolveOwners() }
    }

    /// Index of each span by id.
    public func index(of id: SpanID) -> Int? {
        guard spans.count <= 24 else { return lookup[id] }
        return spans.withUnsafeBufferPointer { spans in
            for i in spans.indices where spans[i].id == id { return i }
            return nil
        }
    }

    private var lookup: [SpanID: Int] = [:]

    /// For X-Ray subsegments streamed on their own, fill in their service by walking up to the owning segment.
    private mutating func resolveOwners() {
        for i in spans.indices where spans[i].serviceName == nil {
            var current = spans[i].parentID
            var hops = 0
            while let id = current, hops < 64, let p = index(of: id) {
                if spans[p].isSegment || spans[p].serviceName != nil {
                    spans[i].serviceName = spans[p].serviceName ?? spans[p].name
                    spans[i].segmentID = spans[p].isSegment ? spans[p].id : spans[p].segmentID
                    break
                }
                current = spans[p].parentID
                hops += 1
            }
        }
    }

    /// The segment (X-Ray) that owns a span, if it is present.
    public func owningSegment(of i: Int) -> Int? {
        if spans[i].isSegment { return i }
        if let seg = spans[i].segmentID, let s = index(of: seg) { return s }
        return nil
    }

    /// The node a span's work belongs to (the caller side of its calls).
    public func ownerNode(of i: Int) -> NodeKey {
        let (name, type) = ownerNodeName(of: i)
        return NodeKey(name: name, type: type)
    }

    /// The name and type `ownerNode(of:)` makes a key of (the graph walk makes keys sparingly, see
    /// `ServiceGraphBuilder.visit`).
    func ownerNodeName(of i: Int) -> (name: String, type: String?) {
        // In place (see `withSpans`): the graph walk asks this for every call.
        if spans[i].source == .otlp { return withSpans { ($0[i].serviceName ?? "unknown_service", nil) } }
        if let seg = owningSegment(of: i) { return withSpans { ServiceGraphRules.nodeName(ofEntry: $0[seg]) } }
        if let service = withSpans({ $0[i].serviceName }) { return (service, nil) }
        return (NodeKey.unknown.name, NodeKey.unknown.type)
    }

    /// Runs `body` over the spans in place. Binding `let span = spans[i]` (or `for span in spans`), or handing an
    /// element to another module's computed property, copies the span and retains its box — on the analyses' hot
    /// paths a cost per span read, which a buffer pointer's elements do not have.
    func withSpans<Result>(_ body: (UnsafeBufferPointer<Span>) -> Result) -> Result {
        spans.withUnsafeBufferPointer(body)
    }

    /// Start of the earliest span to end of the latest complete one.
    public var extent: (start: EpochNanos, end: EpochNanos) {
        var start = EpochNanos.max
        var end = EpochNanos.min
        withSpans { spans in
            for i in spans.indices {
                start = min(start, spans[i].start)
                if let e = spans[i].end { end = max(end, e) }
            }
        }
        if end < start { end = start }
        return (start, end)
    }

    public var durationNanos: Int64 { extent.end - extent.start }

    /// The entry span with no parent (or whose parent is absent) that starts first: the request as its caller saw it.
    public var root: Span? {
        var best: Span?
        for s in spans where s.isSegment || s.parentID == nil {
            let parentPresent = s.parentID.flatMap { index(of: $0) } != nil
            guard !parentPresent else { continue }
            if let current = best, current.start <= s.start { continue }
            best = s
        }
        return best
    }

    /// The worst class among requests and downstream calls: a trace with any fault is a faulted trace.
    public var statusClass: StatusClass {
        withSpans { spans in
            var worst = StatusClass.ok
            for i in spans.indices where spans[i].isSegment || spans[i].isDownstreamCall || spans[i].parentID == nil {
                let c = spans[i].statusClass
                if c > worst { worst = c }
            }
            return worst
        }
    }

    public var isComplete: Bool { !spans.contains { $0.inProgress } }
}
