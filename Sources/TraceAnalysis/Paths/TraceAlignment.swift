import TraceModel

/// Two traces side by side: their spans aligned by operation path (the n-th span of a path in one trace with the
/// n-th in the other, by start time), each with its duration, self time and whether it is on its trace's critical
/// path; spans only one trace has are added or removed (docs/SEMANTICS.md, "Comparing two traces").
public struct TraceAlignment: Sendable {
    /// One span of one of the traces.
    public struct Side: Sendable, Equatable {
        /// Index into that trace's spans.
        public var span: Int
        public var durationNanos: Int64
        /// The duration less the time its children cover.
        public var selfNanos: Int64
        public var statusClass: StatusClass
        public var onCriticalPath: Bool
        /// Start, from the start of its trace.
        public var offsetNanos: Int64
    }

    public struct Row: Sendable, Equatable {
        public var step: String
        public var depth: Int
        /// Which span of its path this is (0 for the first), in start order.
        public var occurrence: Int
        public var base: Side?
        public var current: Side?

        public var durationDelta: Int64? {
            guard let base, let current else { return nil }
            return current.durationNanos - base.durationNanos
        }

        public var selfDelta: Int64? {
            guard let base, let current else { return nil }
            return current.selfNanos - base.selfNanos
        }
    }

    public let base: AssembledTrace
    public let current: AssembledTrace
    /// Preorder of the paths of both traces, siblings by their earliest start.
    public let rows: [Row]

    public var durationDelta: Int64 { current.durationNanos - base.durationNanos }
    public var added: Int { rows.count { $0.base == nil } }
    public var removed: Int { rows.count { $0.current == nil } }

    /// The aligned row whose self time changed most (either way).
    public var largestSelfChange: Row? {
        rows.filter { $0.selfDelta != nil }.max { abs($0.selfDelta ?? 0) < abs($1.selfDelta ?? 0) }
    }

    public init(base: AssembledTrace, current: AssembledTrace) {
        self.base = base
        self.current = current
        var table = PathTable(capacity: 20_000)
        let sides = [base, current].map { trace in Self.sides(of: trace, table: &table) }
        rows = Self.rows(sides: sides, table: table)
    }

    /// Each span's path and its side of a row.
    private static func sides(of trace: AssembledTrace, table: inout PathTable) -> [(path: Int, side: Side)] {
        let spans = trace.spans
        let tree = CriticalPath.Tree(trace)
        let paths = OperationPath.paths(of: spans, tree: tree, in: &table)
        var critical = Set<Int>()
        for step in CriticalPath.decompose(spans, tree: tree) { if let span = step.span { critical.insert(span) } }
        let start = trace.extent.start
        return spans.indices.map { i in
            let span = spans[i]
            let duration = span.inProgress ? 0 : span.duration
            return (
                paths[i],
                Side(
                    span: i, durationNanos: duration,
                    selfNanos: max(0, duration - covered(by: tree.children[i], within: span, spans)),
                    statusClass: span.statusClass, onCriticalPath: critical.contains(i),
                    offsetNanos: span.start - start)
            )
        }
    }

    /// The time of `span` its children cover (their union, clipped to it).
    private static func covered(by children: [Int], within span: Span, _ spans: [Span]) -> Int64 {
        guard !children.isEmpty, let end = span.end else { return 0 }
        let intervals = children.compactMap { i -> (EpochNanos, EpochNanos)? in
            let from = max(spans[i].start, span.start)
            let to = min(spans[i].end ?? spans[i].start, end)
            return from < to ? (from, to) : nil
        }.sorted { $0.0 < $1.0 }
        var total: Int64 = 0
        var reach = EpochNanos.min
        for (from, to) in intervals where to > reach {
            total += to - max(from, reach)
            reach = to
        }
        return total
    }

    private static func rows(sides: [[(path: Int, side: Side)]], table: PathTable) -> [Row] {
        // Each trace's spans per path, in start order.
        var byPath: [Int: [[Side]]] = [:]
        for (t, trace) in sides.enumerated() {
            for (path, side) in trace { byPath[path, default: [[], []]][t].append(side) }
        }
        var earliest: [Int: Int64] = [:]
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        for (path, lists) in byPath {
            for t in 0..<2 { byPath[path]?[t].sort { $0.offsetNanos < $1.offsetNanos } }
            earliest[path] = lists.flatMap { $0 }.map(\.offsetNanos).min() ?? 0
            if let parent = table.parent(of: path), byPath[parent] != nil {
                children[parent, default: []].append(path)
            } else {
                roots.append(path)
            }
        }
        let order = { (a: Int, b: Int) -> Bool in
            let (ea, eb) = (earliest[a] ?? 0, earliest[b] ?? 0)
            return ea != eb ? ea < eb : table.step(of: a) < table.step(of: b)
        }
        var rows: [Row] = []
        var work: [(path: Int, depth: Int)] = roots.sorted(by: order).reversed().map { ($0, 0) }
        var seen = Set<Int>()
        while let (path, depth) = work.popLast() {
            guard seen.insert(path).inserted, let lists = byPath[path] else { continue }
            for k in 0..<max(lists[0].count, lists[1].count) {
                rows.append(
                    Row(
                        step: table.step(of: path), depth: depth, occurrence: k,
                        base: k < lists[0].count ? lists[0][k] : nil,
                        current: k < lists[1].count ? lists[1][k] : nil))
            }
            for child in (children[path] ?? []).sorted(by: order).reversed() { work.append((child, depth + 1)) }
        }
        return rows
    }
}

/// The trace to put beside another when none was marked: the median-duration trace of the same root operation.
public enum TypicalTrace {
    /// Among `candidates` other than `trace`, those whose root operation is `trace`'s (its root span's step), the
    /// one of median duration; nil when no other trace has that root operation.
    public static func choose(like trace: AssembledTrace, among candidates: some Sequence<AssembledTrace>)
        -> AssembledTrace?
    {
        let operation = trace.root.map(OperationPath.step(of:))
        let alike = candidates.filter {
            $0.traceID != trace.traceID && $0.root.map(OperationPath.step(of:)) == operation
        }
        guard !alike.isEmpty else { return nil }
        let sorted = alike.sorted { $0.durationNanos < $1.durationNanos }
        return sorted[(sorted.count - 1) / 2]
    }
}
