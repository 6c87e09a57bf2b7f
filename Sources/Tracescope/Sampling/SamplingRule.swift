import Synchronization
import TraceFormats
import TraceModel

/// One rule of an X-Ray local sampling rules file.
public struct SamplingRule: Sendable, Hashable {
    /// The rule's name (`description` in version 1 files, `rule_name` in version 2).
    public var description: String
    /// Matched against `SamplingRequest.host` (version 2 `host`) or `serviceName` (version 1 `service_name`).
    public var host: String
    /// True when `host` is matched against the service name (version 2's `service_name`), not the `Host` header.
    public var matchesServiceName: Bool
    /// The method pattern (`*` for any).
    public var httpMethod: String
    /// The path pattern, with `*` and `?`.
    public var urlPath: String
    /// Traces per second taken before the rate applies.
    public var fixedTarget: Int
    /// The fraction sampled beyond the fixed target.
    public var rate: Double

    /// A rule; patterns default to `*`.
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

    /// True when host (or service name), method and path all match.
    public func matches(_ request: SamplingRequest) -> Bool {
        Wildcard.matches(host, matchesServiceName ? request.serviceName : request.host)
            && Wildcard.matches(httpMethod, request.httpMethod)
            && Wildcard.matches(urlPath, request.urlPath)
    }
}
