/// What a sampling decision can look at: who is being asked, and about which request.
public struct SamplingRequest: Sendable, Hashable {
    /// The service starting the trace.
    public var serviceName: String
    /// The request's `Host`, if it is an HTTP request.
    public var host: String?
    /// Its method.
    public var httpMethod: String?
    /// Its path.
    public var urlPath: String?

    /// A request to decide for.
    public init(serviceName: String, host: String? = nil, httpMethod: String? = nil, urlPath: String? = nil) {
        self.serviceName = serviceName
        self.host = host
        self.httpMethod = httpMethod
        self.urlPath = urlPath
    }
}
