import TraceAnalysis
import TraceModel

/// One trace as a waterfall: its spans as a tree in start order, each with its depth, the worst class below it (so a
/// collapsed ancestor still shows a failure inside), its function phase, and whether it is on the critical path.
public struct TraceTimeline: Sendable {
    public struct Row: Sendable, Equatable {
        /// Index into `spans`.
        public var span: Int
        public var depth: Int
        public var hasChildren: Bool
        /// The worst class of this span and everything under it.
        public var subtreeWorst: StatusClass
        public var phase: InvocationPhase?
        public var onCriticalPath: Bool
        /// Rows under this one, in preorder, so collapsing skips them in one step.
        public var descendants: Int
    }

    public let traceID: TraceID
    public let spans: [Span]
    public let start: EpochNanos
    public let end: EpochNanos
    /// Every span in preorder, children by start time.
    public let rows: [Row]

    public var durationNanos: Int64 { max(0, end - start) }

    public init(_ trace: AssembledTrace) {
        traceID = trace.traceID
        spans = trace.spans
        (start, end) = trace.extent
        rows = Self.buildRows(trace)
    }

    /// The rows shown when the spans in `collapsed` hide their descendants.
    public func visibleRows(collapsed: Set<SpanID>) -> [Row] {
        guard !collapsed.isEmpty else { return rows }
        var visible: [Row] = []
        var i = 0
        while i < rows.count {
            let row = rows[i]
            visible.append(row)
            i += collapsed.contains(spans[row.span].id) ? row.descendants + 1 : 1
        }
        return visible
    }

    /// The label of a span in the waterfall: the service for an entry span, else the span's name.
    public func label(of row: Row) -> String {
        let span = spans[row.span]
        if span.isSegment, let origin = span.origin { return "\(span.name) (\(origin))" }
        if span.source == .otlp, span.kind.receivesRequests || row.depth == 0,
            let service = span.serviceName, service != span.name
        {
            return "\(service): \(span.name)"
        }
        return span.name
    }

    // MARK: - Building

    private static func buildRows(_ trace: AssembledTrace) -> [Row] {
        let spans = trace.spans
        var children = [[Int]](repeating: [], count: spans.count)
        var roots: [Int] = []
        for (i, span) in spans.enumerated() {
            if let parent = span.parentID, let p = trace.index(of: parent), p != i {
                children[p].append(i)
            } else {
                roots.append(i)
            }
        }
        let byStart = { (a: Int, b: Int) in
            spans[a].start != spans[b].start ? spans[a].start < spans[b].start : spans[a].name < spans[b].name
        }
        roots.sort(by: byStart)
        for i in children.indices where children[i].count > 1 { children[i].sort(by: byStart) }

        // Each root's own critical path (docs/SEMANTICS.md, "Critical path").
        let tree = CriticalPath.Tree(children: children, roots: roots)
        var critical = Set<Int>()
        for root in roots {
            for step in CriticalPath.steps(from: root, spans: spans, tree: tree) {
                if let span = step.span { critical.insert(span) }
            }
        }

        var rows: [Row] = []
        rows.reserveCapacity(spans.count)
        var visited = [Bool](repeating: false, count: spans.count)
        // Iterative preorder; a parent cycle (bad input) cannot loop because each span is visited once.
        func visit(_ root: Int) {
            var stack: [(span: Int, depth: Int)] = [(root, 0)]
            while let (i, depth) = stack.popLast() {
                guard !visited[i] else { continue }
                visited[i] = true
                let parentIsFunction =
                    spans[i].parentID.flatMap { trace.index(of: $0) }.map { isFunctionEntry(spans[$0]) } ?? false
                rows.append(
                    Row(
                        span: i, depth: depth, hasChildren: !children[i].isEmpty, subtreeWorst: spans[i].statusClass,
                        phase: parentIsFunction && !spans[i].isSegment ? InvocationPhase.of(spans[i].name) : nil,
                        onCriticalPath: critical.contains(i), descendants: 0))
                for child in children[i].reversed() { stack.append((child, depth + 1)) }
            }
        }
        for root in roots { visit(root) }
        // Spans caught in a parent cycle were never reached from a root: show them at the top level.
        for i in spans.indices where !visited[i] { visit(i) }

        // Descendant counts and worst classes, bottom-up over the preorder.
        for r in rows.indices.reversed() {
            var d = r + 1
            while d < rows.count, rows[d].depth > rows[r].depth {
                if rows[d].depth == rows[r].depth + 1 {
                    rows[r].descendants += rows[d].descendants + 1
                    rows[r].subtreeWorst = max(rows[r].subtreeWorst, rows[d].subtreeWorst)
                }
                d += rows[d].descendants + 1
            }
        }
        return rows
    }

    /// A function's phases (and the dwell under the `AWS::Lambda` service segment) are drawn in their own styles.
    private static func isFunctionEntry(_ span: Span) -> Bool {
        if span.source == .xray {
            return span.isSegment && (span.origin == "AWS::Lambda::Function" || span.origin == "AWS::Lambda")
        }
        return InvocationExtractor.hasFunctionAttributes(span)
    }
}
