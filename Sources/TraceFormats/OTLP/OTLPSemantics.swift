import TraceModel

/// OpenTelemetry semantic conventions Tracescope reads, current names first, legacy names after.
public enum OTLPSemantics {
    public static func http(from a: [String: AttributeValue]) -> HTTPInfo? {
        a.isEmpty ? nil : http(of: a)
    }

    /// The same, from a span's stored attribute list.
    public static func http(from a: [Attribute]) -> HTTPInfo? {
        a.isEmpty ? nil : http(of: a)
    }

    private static func http<Attributes: Sequence<Attribute>>(of a: Attributes) -> HTTPInfo? {
        // One pass over the (few) attributes, each looked up once, instead of a lookup per HTTP key: this runs for
        // every span exported.
        var gathered = HTTPAttributes()
        for (key, value) in a {
            if let field = HTTPAttribute(key: key) { gathered.set(field, value) }
        }
        return gathered.info
    }

    public static func exception(from a: [String: AttributeValue]) -> ExceptionRecord {
        let stack =
            a["exception.stacktrace"]?.description
            .split(separator: "\n", omittingEmptySubsequences: true)
            .prefix(64)
            .map { StackFrame(label: String($0)) } ?? []
        return ExceptionRecord(
            type: a["exception.type"]?.description, message: a["exception.message"]?.description, stack: stack)
    }
}

/// An attribute key that says something about a span's HTTP request, current semantic conventions and legacy ones.
enum HTTPAttribute: Int, CaseIterable {
    case method, legacyMethod
    case url, legacyURL
    case path, legacyTarget, legacyRoute
    case serverAddress, legacyHost, legacyHostName
    case status, legacyStatus
    case clientAddress, legacyClientIP
    case userAgent, legacyUserAgent

    init?(key: String) {
        // Only keys starting h, u, s, c or n can be one: the rest are skipped before hashing.
        guard let first = key.utf8.first,
            first == UInt8(ascii: "h") || first == UInt8(ascii: "u")
                || first == UInt8(ascii: "s") || first == UInt8(ascii: "c") || first == UInt8(ascii: "n"),
            let field = Self.byKey[key]
        else { return nil }
        self = field
    }

    private static let byKey = Dictionary(uniqueKeysWithValues: allCases.map { ($0.key, $0) })

    var key: String {
        switch self {
        case .method: "http.request.method"
        case .legacyMethod: "http.method"
        case .url: "url.full"
        case .legacyURL: "http.url"
        case .path: "url.path"
        case .legacyTarget: "http.target"
        case .legacyRoute: "http.route"
        case .serverAddress: "server.address"
        case .legacyHost: "http.host"
        case .legacyHostName: "net.host.name"
        case .status: "http.response.status_code"
        case .legacyStatus: "http.status_code"
        case .clientAddress: "client.address"
        case .legacyClientIP: "http.client_ip"
        case .userAgent: "user_agent.original"
        case .legacyUserAgent: "http.user_agent"
        }
    }
}

/// A span's HTTP attributes, gathered one at a time (a repeated key keeps its last value), and the `HTTPInfo` they
/// make. Where several keys say the same thing, the current convention wins over legacy ones, whatever their order.
struct HTTPAttributes {
    private var method, legacyMethod, url, legacyURL, path, legacyTarget, legacyRoute: AttributeValue?
    private var serverAddress, legacyHost, legacyHostName, status, legacyStatus: AttributeValue?
    private var clientAddress, legacyClientIP, userAgent, legacyUserAgent: AttributeValue?
    private var seen = false

    mutating func set(_ field: HTTPAttribute, _ newValue: AttributeValue) {
        seen = true
        switch field {
        case .method: method = newValue
        case .legacyMethod: legacyMethod = newValue
        case .url: url = newValue
        case .legacyURL: legacyURL = newValue
        case .path: path = newValue
        case .legacyTarget: legacyTarget = newValue
        case .legacyRoute: legacyRoute = newValue
        case .serverAddress: serverAddress = newValue
        case .legacyHost: legacyHost = newValue
        case .legacyHostName: legacyHostName = newValue
        case .status: status = newValue
        case .legacyStatus: legacyStatus = newValue
        case .clientAddress: clientAddress = newValue
        case .legacyClientIP: legacyClientIP = newValue
        case .userAgent: userAgent = newValue
        case .legacyUserAgent: legacyUserAgent = newValue
        }
    }

    /// Nil when no HTTP attribute was seen.
    var info: HTTPInfo? {
        guard seen else { return nil }
        var info = HTTPInfo()
        info.method = (method ?? legacyMethod)?.description
        if let full = url ?? legacyURL {
            info.url = full.description
        } else if let p = (path ?? legacyTarget ?? legacyRoute)?.description {
            info.url = (serverAddress ?? legacyHost ?? legacyHostName).map { "http://" + $0.description + p } ?? p
        }
        info.status = (status?.intValue ?? legacyStatus?.intValue).map { Int(clamping: $0) }
        info.clientIP = (clientAddress ?? legacyClientIP)?.description
        info.userAgent = (userAgent ?? legacyUserAgent)?.description
        return info.isEmpty ? nil : info
    }
}
