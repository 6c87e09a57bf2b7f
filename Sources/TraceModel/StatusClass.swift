/// The outcome class of one request. Every request is exactly one of these.
///
/// The order is severity: `fault` (5xx, or an error with no HTTP code) outranks `throttle` (429), which outranks
/// `error` (other 4xx), which outranks `ok`. A trace or a collapsed group takes its worst member's class.
public enum StatusClass: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case error = 1
    case throttle = 2
    case fault = 3

    /// Classifies an HTTP status code; nil when the code says nothing about failure (below 400).
    @inlinable
    public static func forHTTPStatus(_ status: Int) -> StatusClass? {
        switch status {
        case 429: .throttle
        case 400..<500: .error
        case 500..<600: .fault
        default: nil
        }
    }

    /// The glyph that shows the class without colour (`NO_COLOR`, reports): ✖ fault, ⧗ throttle, ! error.
    public var marker: String {
        switch self {
        case .ok: ""
        case .error: "!"
        case .throttle: "⧗"
        case .fault: "✖"
        }
    }

    public static func < (lhs: StatusClass, rhs: StatusClass) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .ok: "ok"
        case .error: "error"
        case .throttle: "throttle"
        case .fault: "fault"
        }
    }
}
