import TraceModel

/// Request counts by status class (docs/SEMANTICS.md, "Status classes"): the one value type every population —
/// node, edge, trace set, summary figure — keeps its counts in. The classes are disjoint, so `total` is their sum.
public struct ClassCounts: Sendable, Hashable {
    public var ok: UInt64 = 0
    public var errors: UInt64 = 0
    public var throttles: UInt64 = 0
    public var faults: UInt64 = 0

    public init(ok: UInt64 = 0, errors: UInt64 = 0, throttles: UInt64 = 0, faults: UInt64 = 0) {
        self.ok = ok
        self.errors = errors
        self.throttles = throttles
        self.faults = faults
    }

    /// Counts one request (or `count` of them) of a class. Wrapping: a counter never traps, whatever input claims.
    public mutating func record(_ cls: StatusClass, count: UInt64 = 1) {
        switch cls {
        case .ok: ok &+= count
        case .error: errors &+= count
        case .throttle: throttles &+= count
        case .fault: faults &+= count
        }
    }

    public static func += (lhs: inout ClassCounts, rhs: ClassCounts) {
        lhs.ok &+= rhs.ok
        lhs.errors &+= rhs.errors
        lhs.throttles &+= rhs.throttles
        lhs.faults &+= rhs.faults
    }
}

/// What follows from counts by class, for every type that keeps a `ClassCounts`.
public protocol StatusCounts {
    var counts: ClassCounts { get }
}

extension ClassCounts: StatusCounts {
    public var counts: ClassCounts { self }
}

extension StatusCounts {
    public var ok: UInt64 { counts.ok }
    public var errors: UInt64 { counts.errors }
    public var throttles: UInt64 { counts.throttles }
    public var faults: UInt64 { counts.faults }
    public var total: UInt64 { counts.ok &+ counts.errors &+ counts.throttles &+ counts.faults }

    public func count(_ cls: StatusClass) -> UInt64 {
        switch cls {
        case .ok: ok
        case .error: errors
        case .throttle: throttles
        case .fault: faults
        }
    }

    /// The worst class seen at all (what a node is coloured by).
    public var worstClass: StatusClass {
        if faults > 0 { return .fault }
        if throttles > 0 { return .throttle }
        if errors > 0 { return .error }
        return .ok
    }

    /// The share of requests in a class; nil when there were none.
    public func rate(_ cls: StatusClass) -> Double? {
        total == 0 ? nil : Double(count(cls)) / Double(total)
    }
}
