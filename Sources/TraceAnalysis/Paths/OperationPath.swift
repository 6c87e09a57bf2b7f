import TraceModel

/// Operation paths: where in a request a span's work sits, named by the steps from the trace's root to it
/// (`shop-api/prod → checkout → Invocation → api.payments.example.com`), so that the same work in two runs, or two
/// traces, has the same name (docs/SEMANTICS.md, "Operation paths").
public enum OperationPath {
    /// Paths deeper than this fold into `other` (hostile nesting must not make unbounded names).
    public static let maxDepth = 32
    /// The name of the path every span past the table's limits is counted under.
    public static let other = "(other paths)"
    /// The name of the time no root span covers (gaps between a trace's roots).
    public static let untraced = "(untraced)"

    /// One step's name: an X-Ray segment by its name (the service); an OTLP entry span as `service: name`, since the
    /// span's name alone (`GET /cart`) does not say which service served it; anything else by its name.
    public static func step(of span: Span) -> String {
        if span.source == .otlp, span.isEntry, let service = span.serviceName, service != span.name {
            return service + ": " + span.name
        }
        return span.name
    }

    /// Each span's path in `table` (or `table.otherID` past its limits), parents before children. A segment named like
    /// its parent's step says its origin (`checkout (Lambda::Function)` under `checkout`): an X-Ray Lambda function
    /// reports two segments of one name, `AWS::Lambda` and `AWS::Lambda::Function`.
    public static func paths(of spans: [Span], tree: CriticalPath.Tree, in table: inout PathTable) -> [Int] {
        var ids = [Int](repeating: table.otherID, count: spans.count)
        var visited = [Bool](repeating: false, count: spans.count)
        var work: [(span: Int, parent: Int?, depth: Int)] = tree.roots.map { ($0, nil, 1) }
        // Spans caught in a parent cycle are reached from no root: each starts a path of its own.
        var next = 0
        while true {
            while let (i, parent, depth) = work.popLast() {
                guard !visited[i] else { continue }
                visited[i] = true
                var name = step(of: spans[i])
                if let parent, parent != table.otherID, table.step(of: parent) == name, spans[i].isSegment,
                    let origin = spans[i].origin
                {
                    name += " (" + (origin.hasPrefix("AWS::") ? String(origin.dropFirst(5)) : origin) + ")"
                }
                let id: Int
                if depth > maxDepth {
                    id = table.otherID
                    table.countFolded()
                } else {
                    id = table.id(parent: parent, step: name)
                }
                ids[i] = id
                for child in tree.children[i] { work.append((child, id, depth + 1)) }
            }
            while next < spans.count, visited[next] { next += 1 }
            guard next < spans.count else { break }
            work.append((next, nil, 1))
        }
        return ids
    }
}

/// Interned operation paths: each path is its parent's id and one step, so a trace's paths cost a lookup per span,
/// not a string per span. At most `capacity` paths; spans on further paths count under `otherID`.
public struct PathTable: Sendable {
    private struct Key: Hashable {
        var parent: Int
        var step: String
    }

    private var ids: [Key: Int] = [:]
    private var parents: [Int] = []
    private var steps: [String] = []
    public let capacity: Int
    /// The path every span beyond the limits is counted under.
    public let otherID = 0
    /// Spans that could not have a path of their own (the table was full, or the path too deep).
    public private(set) var foldedSpans: UInt64 = 0

    public init(capacity: Int = 5_000) {
        self.capacity = max(2, capacity)
        parents = [-1]
        steps = [OperationPath.other]
    }

    public var count: Int { steps.count }

    /// The id of `step` under `parent` (nil: a root step), made if new and there is room.
    public mutating func id(parent: Int?, step: String) -> Int {
        let key = Key(parent: parent ?? -1, step: step)
        if let id = ids[key] { return id }
        guard steps.count < capacity else {
            foldedSpans &+= 1
            return otherID
        }
        let id = steps.count
        ids[key] = id
        parents.append(parent ?? -1)
        steps.append(step)
        return id
    }

    /// The id of an existing path, by its steps; nil when the table has none.
    public func id(of path: [String]) -> Int? {
        if path == [OperationPath.other] { return otherID }
        var parent = -1
        for step in path {
            guard let id = ids[Key(parent: parent, step: step)] else { return nil }
            parent = id
        }
        return parent < 0 ? nil : parent
    }

    public func step(of id: Int) -> String { steps[id] }

    /// The path one step shorter; nil for a root step.
    public func parent(of id: Int) -> Int? { parents[id] < 0 ? nil : parents[id] }

    /// The steps from the root to `id`.
    public func path(of id: Int) -> [String] {
        var names: [String] = []
        var current = id
        while current >= 0, names.count <= OperationPath.maxDepth + 1 {
            names.append(steps[current])
            current = parents[current]
        }
        return names.reversed()
    }

    mutating func countFolded() { foldedSpans &+= 1 }
}
