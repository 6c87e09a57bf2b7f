import Instrumentation
import TraceModel
import Tracing

/// An HTTP request as a handler sees it, for `TracescopeTracer.handle(_:_:)`.
public struct TracedHTTPRequest: Sendable {
    /// The request method, e.g. `GET`.
    public var method: String
    /// The full URL (`https://shop.example.com/cart?id=7`) or just the path.
    public var url: String
    /// The request headers (any case); `X-Amzn-Trace-Id` or `traceparent` continue the caller's trace.
    public var headers: [String: String]
    /// The route template, when known (`/cart/:id`): a better span name than the raw path.
    public var route: String?

    /// A request as the web framework gave it.
    public init(method: String, url: String, headers: [String: String] = [:], route: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.route = route
    }

    var path: String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest[(rest.firstIndex(of: "/") ?? rest.endIndex)...]
        }
        return String(rest.prefix { $0 != "?" && $0 != "#" })
    }
}

extension TracescopeTracer {
    /// Traces one HTTP request handled by `handler`, which returns the response status and body: the caller's
    /// `X-Amzn-Trace-Id` or `traceparent` is continued, sampling rules see the host, method and path, and 4xx, 429 and
    /// 5xx answers are classified.
    ///
    /// ```swift
    /// let (status, body) = try await tracer.handle(request) { span in
    ///     (200, try await cart.render(for: request))
    /// }
    /// ```
    public func handle<Body: Sendable>(
        _ request: TracedHTTPRequest,
        _ handler: @Sendable (TracescopeSpan) async throws -> (status: Int, body: Body)
    ) async throws -> (status: Int, body: Body) {
        var context = InstrumentationContext.current ?? .topLevel
        extract(request.headers, into: &context, using: DictionaryExtractor())
        let extractor = DictionaryExtractor()
        context.samplingHints = SamplingRequest(
            serviceName: serviceName, host: extractor.extract(key: "Host", from: request.headers),
            httpMethod: request.method, urlPath: request.path)
        let span = startSpan(
            "\(request.method) \(request.route ?? request.path)", context: context, ofKind: .server,
            at: DefaultTracerClock.now)
        span.attributes["http.request.method"] = request.method
        span.attributes["url.full"] = request.url
        if let route = request.route { span.attributes["http.route"] = route }
        if let agent = extractor.extract(key: "User-Agent", from: request.headers) {
            span.attributes["user_agent.original"] = agent
        }
        defer { span.end() }
        do {
            let response = try await InstrumentationContext.withValue(span.context) { try await handler(span) }
            span.attributes["http.response.status_code"] = response.status
            return response
        } catch {
            span.recordError(error)
            span.attributes["http.response.status_code"] = 500
            throw error
        }
    }

    /// The headers to send with an outgoing request so the callee continues this trace.
    public func headers(for context: InstrumentationContext = InstrumentationContext.current ?? .topLevel) -> [String:
        String]
    {
        var headers: [String: String] = [:]
        inject(context, into: &headers, using: DictionaryInjector())
        return headers
    }
}
