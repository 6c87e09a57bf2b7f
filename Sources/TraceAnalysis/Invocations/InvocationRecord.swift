import TraceModel

/// One function invocation as the X-Ray Lambda view shows it: how long the event waited (dwell), how long the cold
/// start took (init, only on cold starts), how long the handler ran, and the runtime's overhead.
public struct InvocationRecord: Sendable, Hashable {
    public var function: String
    public var traceID: TraceID
    public var start: EpochNanos
    public var dwellNanos: Int64?
    public var initNanos: Int64?
    public var handlerNanos: Int64?
    public var overheadNanos: Int64?
    public var statusClass: StatusClass

    public init(
        function: String, traceID: TraceID, start: EpochNanos, dwellNanos: Int64? = nil, initNanos: Int64? = nil,
        handlerNanos: Int64? = nil, overheadNanos: Int64? = nil, statusClass: StatusClass = .ok
    ) {
        self.function = function
        self.traceID = traceID
        self.start = start
        self.dwellNanos = dwellNanos
        self.initNanos = initNanos
        self.handlerNanos = handlerNanos
        self.overheadNanos = overheadNanos
        self.statusClass = statusClass
    }

    /// A cold start is an invocation that paid for initialization.
    public var coldStart: Bool { initNanos != nil }
}

/// The phases X-Ray names as subsegments, matched case-insensitively by prefix (`Dwell time`, `Attempt #1`, …).
public enum InvocationPhase: String, Sendable, CaseIterable {
    case dwell = "Dwell"
    case attempt = "Attempt"
    case initialization = "Initialization"
    case invocation = "Invocation"
    case overhead = "Overhead"
    case restore = "Restore"

    public static func of(_ name: String) -> InvocationPhase? {
        // Called for every child of every function segment: compare bytes, ASCII case-folded, allocating nothing.
        let bytes = name.utf8
        guard let first = bytes.first else { return nil }
        for phase in allCases {
            let prefix = phase.rawValue.utf8
            guard let p0 = prefix.first, first | 0x20 == p0 | 0x20, bytes.count >= prefix.count else { continue }
            if zip(bytes, prefix).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) { return phase }
        }
        return nil
    }
}
