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
        // One pass over the (few) attributes instead of a dozen hashed lookups: this runs for every span exported.
        var method: String?, legacyMethod: String?, url: String?, legacyURL: String?, path: String?, legacyPath: String?
        var host: String?, status: Int?, legacyStatus: Int?, client: String?, agent: String?
        for (key, value) in a {
            // Only keys starting h, u, s, c or n can matter: skip the rest before comparing whole strings.
            guard let first = key.utf8.first, first == UInt8(ascii: "h") || first == UInt8(ascii: "u")
                || first == UInt8(ascii: "s") || first == UInt8(ascii: "c") || first == UInt8(ascii: "n") else { continue }
            switch key {
            case "http.request.method": method = value.description
            case "http.method": legacyMethod = value.description
            case "url.full": url = value.description
            case "http.url": legacyURL = value.description
            case "url.path": path = value.description
            case "http.target", "http.route": legacyPath = legacyPath ?? value.description
            case "server.address", "http.host", "net.host.name": host = host ?? value.description
            case "http.response.status_code": status = value.intValue.map { Int(clamping: $0) }
            case "http.status_code": legacyStatus = value.intValue.map { Int(clamping: $0) }
            case "client.address", "http.client_ip": client = value.description
            case "user_agent.original", "http.user_agent": agent = value.description
            default: continue
            }
        }
        var info = HTTPInfo()
        info.method = method ?? legacyMethod
        if let full = url ?? legacyURL {
            info.url = full
        } else if let p = path ?? legacyPath {
            info.url = host.map { "http://" + $0 + p } ?? p
        }
        info.status = status ?? legacyStatus
        info.clientIP = client
        info.userAgent = agent
        return info.isEmpty ? nil : info
    }

    public static func exception(from a: [String: AttributeValue]) -> ExceptionRecord {
        let stack = a["exception.stacktrace"]?.description
            .split(separator: "\n", omittingEmptySubsequences: true)
            .prefix(64)
            .map { StackFrame(label: String($0)) } ?? []
        return ExceptionRecord(type: a["exception.type"]?.description, message: a["exception.message"]?.description, stack: stack)
    }
}
