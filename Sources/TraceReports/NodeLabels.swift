import TraceAnalysis
import TraceModel

/// Short node labels for reports: the name alone, or `name (type)` where two nodes share a name (a Lambda function's
/// `AWS::Lambda` and `AWS::Lambda::Function` nodes).
struct NodeLabels {
    private let shared: Set<String>

    init(_ summary: Summary) {
        var counts: [String: Int] = [:]
        for s in summary.services { counts[s.node.name, default: 0] += 1 }
        shared = Set(counts.filter { $0.value > 1 }.keys)
    }

    func label(_ node: NodeKey) -> String {
        guard shared.contains(node.name), let type = node.type else { return node.name }
        let short = type.hasPrefix("AWS::") ? String(type.dropFirst(5)) : type
        return "\(node.name) (\(short))"
    }
}
