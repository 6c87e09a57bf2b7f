import TraceAnalysis

/// A layered (Sugiyama-style) left-to-right layout of the service graph: layers by longest path from the callers,
/// cycles broken by ignoring back edges, crossings reduced by barycentre sweeps, and a stable order (ties broken by
/// name) so the map does not jump between frames.
public struct LayeredLayout: Sendable, Equatable {
    /// Each layer's nodes, top to bottom.
    public var layers: [[NodeKey]]
    /// Edges that point backwards (they close a cycle); drawn, but not used for layering.
    public var backEdges: Set<EdgeKey>

    public init(nodes: [NodeKey], edges: [EdgeKey]) {
        let sorted = nodes.sorted()
        var outgoing: [NodeKey: [NodeKey]] = [:]
        for edge in edges.sorted() { outgoing[edge.from, default: []].append(edge.to) }

        // Depth-first from the roots (the client first), marking edges into the current path as back edges. With an
        // explicit stack: a chain of services as long as hostile input likes must not exhaust the thread's stack.
        var back = Set<EdgeKey>()
        var state: [NodeKey: Int] = [:] // 1 on the path, 2 done
        func visit(_ start: NodeKey) {
            var stack: [(node: NodeKey, next: Int)] = [(start, 0)]
            state[start] = 1
            while let top = stack.last {
                let targets = outgoing[top.node] ?? []
                if top.next == targets.count {
                    state[top.node] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let next = targets[top.next]
                switch state[next] {
                case 1: back.insert(EdgeKey(from: top.node, to: next))
                case 2: continue
                default:
                    state[next] = 1
                    stack.append((next, 0))
                }
            }
        }
        let incoming = Set(edges.map(\.to))
        let roots = sorted.filter { $0.isClient } + sorted.filter { !$0.isClient && !incoming.contains($0) }
        for root in roots where state[root] == nil { visit(root) }
        for node in sorted where state[node] == nil { visit(node) }

        // Longest path over the forward edges (acyclic once back edges are out), in topological order: linear in the
        // graph's size.
        var layer: [NodeKey: Int] = [:]
        var remaining: [NodeKey: Int] = [:]
        var forward: [NodeKey: [NodeKey]] = [:]
        for node in sorted {
            layer[node] = 0
            remaining[node] = 0
        }
        let known = Set(sorted)
        for edge in edges.sorted()
        where !back.contains(edge) && edge.from != edge.to
            && known.contains(edge.from) && known.contains(edge.to)
        {
            forward[edge.from, default: []].append(edge.to)
            remaining[edge.to, default: 0] += 1
        }
        var ready = sorted.filter { remaining[$0] == 0 }
        while let node = ready.popLast() {
            for next in forward[node] ?? [] {
                layer[next] = max(layer[next] ?? 0, (layer[node] ?? 0) + 1)
                remaining[next, default: 1] -= 1
                if remaining[next] == 0 { ready.append(next) }
            }
        }
        let depth = (layer.values.max() ?? 0) + 1
        var layers = Array(repeating: [NodeKey](), count: depth)
        for node in sorted { layers[layer[node] ?? 0].append(node) }

        // Barycentre sweeps, down then up, twice: order each layer by the mean position of its neighbours.
        var predecessors: [NodeKey: [NodeKey]] = [:]
        for edge in edges where !back.contains(edge) { predecessors[edge.to, default: []].append(edge.from) }
        func reorder(_ index: Int, by neighbours: (NodeKey) -> [NodeKey], in reference: [NodeKey]) {
            let position = Dictionary(uniqueKeysWithValues: reference.enumerated().map { ($1, Double($0)) })
            let current = Dictionary(uniqueKeysWithValues: layers[index].enumerated().map { ($1, Double($0)) })
            func weight(_ node: NodeKey) -> Double {
                let ps = neighbours(node).compactMap { position[$0] }
                return ps.isEmpty ? (current[node] ?? 0) : ps.reduce(0, +) / Double(ps.count)
            }
            layers[index].sort { a, b in
                let (wa, wb) = (weight(a), weight(b))
                return wa != wb ? wa < wb : a < b
            }
        }
        for _ in 0..<2 {
            for i in layers.indices.dropFirst() { reorder(i, by: { predecessors[$0] ?? [] }, in: layers[i - 1]) }
            for i in layers.indices.dropLast().reversed() { reorder(i, by: { outgoing[$0] ?? [] }, in: layers[i + 1]) }
        }
        self.layers = layers
        backEdges = back
    }

    /// Layer and row of every node.
    public var positions: [NodeKey: (layer: Int, row: Int)] {
        var result: [NodeKey: (layer: Int, row: Int)] = [:]
        for (l, nodes) in layers.enumerated() {
            for (r, node) in nodes.enumerated() { result[node] = (l, r) }
        }
        return result
    }

    public static func == (lhs: LayeredLayout, rhs: LayeredLayout) -> Bool {
        lhs.layers == rhs.layers && lhs.backEdges == rhs.backEdges
    }
}
