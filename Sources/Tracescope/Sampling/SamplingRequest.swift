/// What a sampling decision can look at: who is being asked, and about which request.
public struct SamplingRequest: Sendable, Hashable {
    public var serviceName: String
    public var host: String?
    public var httpMethod: String?
    public var urlPath: String?

    public init(serviceName: String, host: String? = nil, httpMethod: String? = nil, urlPath: String? = nil) {
        self.serviceName = serviceName
        self.host = host
        self.httpMethod = httpMethod
        self.urlPath = urlPath
    }
}
