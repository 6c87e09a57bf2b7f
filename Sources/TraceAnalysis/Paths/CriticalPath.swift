import TraceModel

/// The critical path of a trace: the chain of work its end waited on (docs/SEMANTICS.md, "Critical path").
///
/// From a span's end, walk back through the child that finished last before the cursor, then the one that finished
/// last before that child started, and so on; then the same inside each chosen child. Each span on the path accounts
/// for the part of its own window that no chosen child covers (its *critical self time*), so the critical self times
/// of a trace add up exactly to the window walked — the trace's whole duration when walked from `decompose`.
///
/// One home for the rule: the dashboard marks the path with it, `diff` attributes a change of latency with it.
public enum CriticalPath {
    /// A span on the path and the time it alone accounts for.
    public struct Step: Sendable, Equatable {
        /// Index into the trace's spans; nil for the time no root span covers (gaps between roots).
        public var span: Int?
        public var selfNanos: Int64
    }

    /// The spans' children (by start time) and the roots (spans whose parent is absent), as indices.
    public struct Tree: Sendable {
        public var children: [[Int]]
        public var roots: [Int]

        public init(children: [[Int]], roots: [Int]) {
            self.children = children
            self.roots = roots
        }

        /// The tree of an assembled trace; a span naming itself as parent is a root.
        public init(_ trace: AssembledTrace) {
            var children = [[Int]](repeating: [], count: trace.spans.count)
            var roots: [Int] = []
            for i in trace.spans.indices {
                if let parent = trace.spans[i].parentID, let p = trace.index(of: parent), p != i {
                    children[p].append(i)
                } else {
                    roots.append(i)
                }
            }
            self.init(children: children, roots: roots)
        }
    }

    /// The path under `root`, walked from its own end. With a work list, not recursion: a hostile trace can chain
    /// spans deeper than any stack; a span reached twice (a parent cycle) is walked once.
    public static func steps(from root: Int, spans: [Span], tree: Tree) -> [Step] {
        var claimed: Set<Int> = [root]
        var steps: [Step] = []
        walk(
            [(root, spans[root].start, end(of: root, spans))], spans: spans, tree: tree, claimed: &claimed, into: &steps
        )
        return steps
    }

    /// The whole trace's duration, from its first start to its last end, split over the critical path. The roots,
    /// and the spans that end after their parent does (an asynchronous call's work, which its caller did not wait
    /// for but the trace did), are walked as the children of one span covering that extent, whose self time
    /// (`span == nil`) is the time no span covers.
    public static func decompose(_ spans: [Span], tree: Tree) -> [Step] {
        guard !spans.isEmpty else { return [] }
        var start = EpochNanos.max
        var last = EpochNanos.min
        for i in spans.indices {
            start = min(start, spans[i].start)
            last = max(last, end(of: i, spans))
        }
        var top = tree.roots
        for parent in spans.indices {
            for child in tree.children[parent] where end(of: child, spans) > end(of: parent, spans) {
                top.append(child)
            }
        }
        var claimed = Set<Int>()
        var work: [(span: Int, start: EpochNanos, end: EpochNanos)] = []
        let covered = choose(
            byLatestEnd(top, spans: spans, tree: tree), within: start, last, spans: spans, claimed: &claimed,
            work: &work)
        var steps = [Step(span: nil, selfNanos: max(0, last - start - covered))]
        walk(work, spans: spans, tree: tree, claimed: &claimed, into: &steps)
        return steps
    }

    private static func walk(
        _ initial: [(span: Int, start: EpochNanos, end: EpochNanos)], spans: [Span], tree: Tree,
        claimed: inout Set<Int>, into steps: inout [Step]
    ) {
        var work = initial
        while let (i, windowStart, windowEnd) = work.popLast() {
            let covered = choose(
                byLatestEnd(tree.children[i], spans: spans, tree: tree), within: windowStart, windowEnd,
                spans: spans, claimed: &claimed, work: &work)
            steps.append(Step(span: i, selfNanos: max(0, windowEnd - windowStart - covered)))
        }
    }

    /// Walks back from the window's end through `candidates` (latest end first): each one that ends after the
    /// cursor's time but starts before it is on the path, clipped to the window and the cursor, and the cursor moves
    /// to its start. Returns the time the chosen spans cover. A span is chosen once, by whoever reaches it first.
    private static func choose(
        _ candidates: [Int], within windowStart: EpochNanos, _ windowEnd: EpochNanos, spans: [Span],
        claimed: inout Set<Int>, work: inout [(span: Int, start: EpochNanos, end: EpochNanos)]
    ) -> Int64 {
        var cursor = windowEnd
        var covered: Int64 = 0
        for candidate in candidates {
            let from = max(spans[candidate].start, windowStart)
            let to = min(end(of: candidate, spans), cursor)
            guard from < to || (from == to && to == end(of: candidate, spans)), !claimed.contains(candidate) else {
                continue
            }
            claimed.insert(candidate)
            work.append((candidate, from, to))
            covered += to - from
            cursor = from
        }
        return covered
    }

    /// Latest end first; on a tie the span with children of its own, whose inside the path can then show.
    private static func byLatestEnd(_ indices: [Int], spans: [Span], tree: Tree) -> [Int] {
        indices.sorted { a, b in
            let (ea, eb) = (end(of: a, spans), end(of: b, spans))
            return ea != eb ? ea > eb : tree.children[a].count > tree.children[b].count
        }
    }

    /// A span still in progress ends, for the path, where it starts.
    private static func end(of i: Int, _ spans: [Span]) -> EpochNanos {
        max(spans[i].start, spans[i].end ?? spans[i].start)
    }
}
