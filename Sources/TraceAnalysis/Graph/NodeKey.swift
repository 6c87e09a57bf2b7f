/// A node of the service graph: a name and a type, because one name can be two nodes (a Lambda function is both
/// `AWS::Lambda` and `AWS::Lambda::Function`).
public struct NodeKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let name: String
    /// The X-Ray origin (`AWS::Lambda::Function`), `client`, `remote`, `database`, `queue`, or nil for a plain service.
    public let type: String?
    /// Hashed once, when the key is made: the graph looks nodes and edges up several times per span, and an edge key
    /// would otherwise hash four strings on every look-up.
    private let hashCode: Int

    public init(name: String, type: String?) {
        self.name = name
        self.type = type
        var hasher = Hasher()
        hasher.combine(name)
        hasher.combine(type)
        hashCode = hasher.finalize()
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hashCode)
    }

    public static func == (lhs: NodeKey, rhs: NodeKey) -> Bool {
        lhs.hashCode == rhs.hashCode && lhs.name == rhs.name && lhs.type == rhs.type
    }

    /// The caller of requests that have no traced parent.
    public static let client = NodeKey(name: "client", type: "client")
    /// The owner of subsegments whose segment never arrived.
    public static let unknown = NodeKey(name: "unknown", type: "unknown")
    /// Where requests to new nodes go once a graph is at its size limit (`ServiceGraph.limit(bytes:)`).
    public static let overflow = NodeKey(name: "(other)", type: "overflow")

    public var isClient: Bool { self == .client }

    /// Nodes Tracescope inferred from a caller's spans rather than saw report themselves.
    public var kind: NodeKind {
        if self == .client { return .client }
        switch type {
        case "remote", "database", "queue", "overflow": return .inferred
        case let t? where t.hasPrefix("AWS::") && !Self.instrumentedAWSTypes.contains(t): return .inferred
        default: return .service
        }
    }

    /// AWS types that report their own segments (everything else under `AWS::` is inferred from a call).
    static let instrumentedAWSTypes: Set<String> = [
        "AWS::Lambda", "AWS::Lambda::Function", "AWS::ApiGateway::Stage", "AWS::EC2::Instance", "AWS::ECS::Container",
        "AWS::ElasticBeanstalk::Environment", "AWS::StepFunctions::StateMachine", "AWS::AppSync::GraphQLAPI",
        "AWS::EKS::Container",
    ]

    public var description: String {
        if let type { return "\(name) (\(type))" }
        return name
    }

    public static func < (lhs: NodeKey, rhs: NodeKey) -> Bool {
        (lhs.name, lhs.type ?? "") < (rhs.name, rhs.type ?? "")
    }
}

public enum NodeKind: Sendable, Hashable {
    case client
    case service
    case inferred
}

/// A directed edge between two nodes.
public struct EdgeKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var from: NodeKey
    public var to: NodeKey

    public init(from: NodeKey, to: NodeKey) {
        self.from = from
        self.to = to
    }

    public var description: String { "\(from.name) -> \(to.name)" }

    public static func < (lhs: EdgeKey, rhs: EdgeKey) -> Bool {
        (lhs.from, lhs.to) < (rhs.from, rhs.to)
    }
}
