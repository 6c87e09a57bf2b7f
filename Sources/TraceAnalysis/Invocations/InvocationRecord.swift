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

    public init(function: String, traceID: TraceID, start: EpochNanos, dwellNanos: Int64? = nil, initNanos: Int64? = nil,
                handlerNanos: Int64? = nil, overheadNanos: Int64? = nil, statusClass: StatusClass = .ok) {
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
        for phase in allCases where name.utf8.count >= phase.rawValue.utf8.count {
            if name.prefix(phase.rawValue.count).lowercased() == phase.rawValue.lowercased() { return phase }
        }
        return nil
    }
}
