import TraceModel

/// The `X-Amzn-Trace-Id` header (and Lambda's `_X_AMZN_TRACE_ID`):
/// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5`.
///
/// `Sampled=?` asks the receiver to decide. Keys other than Root, Parent and Sampled (Lineage, Self, vendor keys) are
/// kept verbatim and passed on.
public struct XRayTraceHeader: Sendable, Hashable {
    /// The HTTP header's name.
    public static let name = "X-Amzn-Trace-Id"
    /// Where Lambda puts the invocation's header.
    public static let lambdaEnvironmentVariable = "_X_AMZN_TRACE_ID"

    /// `Root=`: the trace.
    public var root: TraceID
    /// `Parent=`: the caller's span, if any.
    public var parent: SpanID?
    /// `Sampled=1`, `0` or `?`.
    public var sampling: TracescopeSpanContext.Sampling
    /// Other `key=value` fields, in their original order, joined by `;`.
    public var extra: String?

    /// A header from its fields.
    public init(root: TraceID, parent: SpanID?, sampling: TracescopeSpanContext.Sampling, extra: String? = nil) {
        self.root = root
        self.parent = parent
        self.sampling = sampling
        self.extra = extra
    }

    /// Parses a header value; nil when it has no valid `Root`.
    public init?(parsing value: String) {
        var root: TraceID?
        var parent: SpanID?
        var sampling = TracescopeSpanContext.Sampling.deferred
        var extra: [Substring] = []
        for field in value.split(separator: ";") {
            let trimmed = field.drop { $0 == " " }
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<eq].trimmingCharacters(in: " ")
            let v = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: " ")
            switch key.lowercased() {
            case "root": root = TraceID(xray: v) ?? TraceID(hex: v)
            case "parent": parent = SpanID(hex: v)
            case "sampled":
                switch v {
                case "1": sampling = .sampled
                case "0": sampling = .notSampled
                default: sampling = .deferred
                }
            default: extra.append(trimmed)
            }
        }
        guard let root else { return nil }
        self.init(
            root: root, parent: parent, sampling: sampling, extra: extra.isEmpty ? nil : extra.joined(separator: ";"))
    }

    /// The header's value, e.g. `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`.
    public var value: String {
        var out = "Root=" + root.xray
        if let parent { out += ";Parent=" + parent.hex }
        switch sampling {
        case .sampled: out += ";Sampled=1"
        case .notSampled: out += ";Sampled=0"
        case .deferred: out += ";Sampled=?"
        }
        if let extra { out += ";" + extra }
        return out
    }
}

/// The W3C `traceparent` header: `00-{trace id}-{parent id}-{flags}`; `tracestate` travels beside it untouched.
public struct W3CTraceParent: Sendable, Hashable {
    /// The HTTP header's name.
    public static let name = "traceparent"
    /// The companion header carrying vendors' state, passed on unread.
    public static let stateName = "tracestate"

    /// The trace.
    public var traceID: TraceID
    /// The caller's span.
    public var parentID: SpanID
    /// The `sampled` flag.
    public var sampled: Bool

    /// A header from its fields.
    public init(traceID: TraceID, parentID: SpanID, sampled: Bool) {
        self.traceID = traceID
        self.parentID = parentID
        self.sampled = sampled
    }

    /// Parses version 00, and later versions by their first four fields as the spec asks; nil when invalid
    /// (including the all-zero ids the spec forbids).
    public init?(parsing value: String) {
        let parts = value.trimmingCharacters(in: " ").split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
            parts[0] != "00" || parts.count == 4,
            let traceID = TraceID(hex: parts[1]), traceID.isValid,
            let parentID = SpanID(hex: parts[2]), parentID.isValid,
            parts[3].count == 2, let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        self.init(traceID: traceID, parentID: parentID, sampled: flags & 1 == 1)
    }

    /// The header's value, version 00.
    public var value: String { "00-\(traceID.hex)-\(parentID.hex)-\(sampled ? "01" : "00")" }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
