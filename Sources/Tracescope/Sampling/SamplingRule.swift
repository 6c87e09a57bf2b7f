import Synchronization
import TraceFormats
import TraceModel

/// One rule of an X-Ray local sampling rules file.
public struct SamplingRule: Sendable, Hashable {
    public var description: String
    /// Matched against `SamplingRequest.host` (version 2 `host`) or `serviceName` (version 1 `service_name`).
    public var host: String
    public var matchesServiceName: Bool
    public var httpMethod: String
    public var urlPath: String
    /// Traces per second taken before the rate applies.
    public var fixedTarget: Int
    public var rate: Double

    public init(
        description: String = "", host: String = "*", matchesServiceName: Bool = false, httpMethod: String = "*",
        urlPath: String = "*", fixedTarget: Int, rate: Double
    ) {
        self.description = description
        self.host = host
        self.matchesServiceName = matchesServiceName
        self.httpMethod = httpMethod
        self.urlPath = urlPath
        self.fixedTarget = fixedTarget
        self.rate = rate
    }

    public func matches(_ request: SamplingRequest) -> Bool {
        Wildcard.matches(host, matchesServiceName ? request.serviceName : request.host)
            && Wildcard.matches(httpMethod, request.httpMethod)
            && Wildcard.matches(urlPath, request.urlPath)
    }
}
