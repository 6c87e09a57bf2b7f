/// Why a record was rejected. The cases are the categories counted in `rejected.reasons`.
public enum RejectReason: String, Sendable, Hashable, CaseIterable, Comparable {
    case invalidJSON = "invalid JSON"
    case truncated = "truncated record"
    case missingField = "missing required field"
    case invalidField = "invalid field value"
    case badHeader = "bad datagram header"
    case unknownRecord = "not a trace record"
    case tooLarge = "record too large"
    case binary = "binary data"
    case unreadable = "unreadable input"

    public static func < (lhs: RejectReason, rhs: RejectReason) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A record that could not be decoded: what was wrong and where.
public struct DecodeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: RejectReason
    public var detail: String
    /// Where the record came from: `file.jsonl:12`, `datagram from 127.0.0.1:5123`, … Filled in by the reader.
    public var location: String?

    public init(_ reason: RejectReason, _ detail: String, location: String? = nil) {
        self.reason = reason
        self.detail = detail
        self.location = location
    }

    public var description: String {
        if let location { return "\(location): \(reason.rawValue): \(detail)" }
        return "\(reason.rawValue): \(detail)"
    }

    init(_ error: JSONScanError) {
        if let semantic = error.semantic {
            self = semantic
            return
        }
        self.init(error.truncated ? .truncated : .invalidJSON, "\(error.message) at byte \(error.offset)")
    }
}
