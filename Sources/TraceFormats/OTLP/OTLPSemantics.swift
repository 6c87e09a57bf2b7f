import TraceModel

/// OpenTelemetry semantic conventions Tracescope reads, current names first, legacy names after.
public enum OTLPSemantics {
    public static func http(from a: [String: AttributeValue]) -> HTTPInfo? {
        var info = HTTPInfo()
        info.method = (a["http.request.method"] ?? a["http.method"])?.description
        if let url = (a["url.full"] ?? a["http.url"])?.description {
            info.url = url
        } else if let path = (a["url.path"] ?? a["http.target"] ?? a["http.route"])?.description {
            let host = (a["server.address"] ?? a["http.host"] ?? a["net.host.name"])?.description
            info.url = host.map { "http://" + $0 + path } ?? path
        }
        info.status = (a["http.response.status_code"] ?? a["http.status_code"])?.intValue.map { Int(clamping: $0) }
        info.clientIP = (a["client.address"] ?? a["http.client_ip"])?.description
        info.userAgent = (a["user_agent.original"] ?? a["http.user_agent"])?.description
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
