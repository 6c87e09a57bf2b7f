/// The `http` block of a segment (or the HTTP attributes of an OTLP span).
public struct HTTPInfo: Sendable, Hashable {
    public var method: String?
    public var url: String?
    public var status: Int?
    public var clientIP: String?
    public var userAgent: String?
    public var contentLength: Int64?

    public init(
        method: String? = nil, url: String? = nil, status: Int? = nil, clientIP: String? = nil,
        userAgent: String? = nil, contentLength: Int64? = nil
    ) {
        self.method = method
        self.url = url
        self.status = status
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.contentLength = contentLength
    }

    public var isEmpty: Bool {
        method == nil && url == nil && status == nil && clientIP == nil && userAgent == nil && contentLength == nil
    }
}
