import Synchronization
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends finished spans to an OpenTelemetry endpoint with OTLP/HTTP (`POST {endpoint}/v1/traces`), as the
/// OpenTelemetry Collector, Tracescope's collector and most backends accept. Spans keep their OTLP meaning: operation
/// names, kinds, attributes, and `faas.*` attributes on function invocations.
///
/// ```swift
/// let exporter = try OTLPHTTPExporter(endpoint: "http://127.0.0.1:4318", compression: .gzip)
/// ```
///
/// Protobuf by default (`encoding: .json` on request), gzip on request. A transient failure — 429, 502, 503, 504,
/// or no connection — is retried with exponential backoff and jitter, after the server's `Retry-After` when it gives
/// one, for as long as `timeout` allows (`OTLPRetry`); only then is the batch dropped, and counted (`stats`, and the
/// tracer's `exportStats.failedSpans`). Spans a backend refuses in a `partial_success` are counted too.
///
/// Plain `http://` only — the library stays free of TLS and networking stacks; point it at a local collector (the
/// usual set-up in Lambda, with the collector extension on `localhost:4318`), which can forward over TLS.
public final class OTLPHTTPExporter: SpanExporter {
    /// An endpoint, header or timeout that cannot be used, named in `description`.
    public struct ConfigurationError: Error, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// A batch given up on (still failing at the timeout, or refused), with the reason.
    public struct ExportError: Error, CustomStringConvertible {
        /// Why the batch was dropped.
        public var description: String
    }

    /// The request body's encoding (`OTEL_EXPORTER_OTLP_PROTOCOL`'s values).
    public enum Encoding: String, Sendable, CaseIterable {
        case protobuf = "http/protobuf"
        case json = "http/json"
    }

    /// The request body's compression (`OTEL_EXPORTER_OTLP_COMPRESSION`'s values).
    public enum Compression: String, Sendable, CaseIterable {
        case none
        case gzip
    }

    /// What the exporter did beyond sending: retries, and spans refused or dropped.
    public struct Stats: Sendable, Equatable {
        /// Attempts after a transient failure.
        public var retries: UInt64 = 0
        /// Spans the backend refused in a `partial_success`.
        public var rejectedSpans: UInt64 = 0
        /// Batches given up on (still failing when the timeout ran out, or refused outright), and their spans.
        public var droppedBatches: UInt64 = 0
        /// The spans of those batches.
        public var droppedSpans: UInt64 = 0
        /// The last failure or refusal, for a person to act on.
        public var lastError: String?
    }

    let post: HTTPPost
    /// Protobuf or JSON request bodies.
    public let encoding: Encoding
    /// Whether request bodies are gzipped.
    public let compression: Compression
    private let headers: [(String, String)]
    private let resourceAttributes: [String: AttributeValue]
    /// How long one batch may take, retries included.
    public let timeout: Duration
    private let counters = Mutex(Stats())

    /// - Parameters:
    ///   - endpoint: the base URL (`/v1/traces` is added) or the full one; defaults to
    ///     `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (a full URL), then `OTEL_EXPORTER_OTLP_ENDPOINT`, else
    ///     `http://127.0.0.1:4318`.
    ///   - headers: sent with every request (`OTEL_EXPORTER_OTLP_HEADERS`'s pairs, say an API key).
    ///   - timeout: for one batch, retries included (`OTEL_EXPORTER_OTLP_TIMEOUT`; 10 s as the specification says).
    public init(
        endpoint: String? = nil, encoding: Encoding = .protobuf, compression: Compression = .none,
        headers: [String: String] = [:], resourceAttributes: [String: AttributeValue] = [:],
        timeout: Duration = .seconds(10)
    ) throws(ConfigurationError) {
        let url: String
        if let endpoint {
            url = endpoint.hasSuffix("/v1/traces") ? endpoint : Self.join(endpoint, "v1/traces")
        } else if let traces = Environment.value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            url = traces
        } else {
            url = Self.join(Environment.value("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "http://127.0.0.1:4318", "v1/traces")
        }
        guard url.hasPrefix("http://") else {
            throw ConfigurationError(
                description: "OTLP endpoint \(url): only http:// is supported (use a local collector for TLS)")
        }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/v1/traces" : String(rest[slash...])
        var host = String(authority)
        var port = 80
        if let colon = authority.lastIndex(of: ":"), let p = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon]).trimmingCharacters(in: "[").trimmingCharacters(in: "]")
            port = p
        }
        guard !host.isEmpty else { throw ConfigurationError(description: "OTLP endpoint \(url) has no host") }
        guard timeout > .zero else { throw ConfigurationError(description: "OTLP timeout must be positive") }
        for (name, value) in headers where !Self.isToken(name) || value.contains(where: \.isNewline) {
            throw ConfigurationError(description: "OTLP header \(name): not a valid HTTP header")
        }
        post = HTTPPost(host: host, port: port, path: path)
        self.encoding = encoding
        self.compression = compression
        self.headers = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        self.resourceAttributes = resourceAttributes
        self.timeout = timeout
    }

    var host: String { post.host }
    var port: Int { post.port }
    var path: String { post.path }

    /// Retries, refusals and drops so far.
    public var stats: Stats { counters.withLock { $0 } }

    private static func join(_ base: String, _ suffix: String) -> String {
        base.hasSuffix("/") ? base + suffix : base + "/" + suffix
    }

    /// An HTTP header name: letters, digits and the token punctuation of RFC 9110.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || Array("!#$%&'*+-.^_`|~".utf8).contains(c)
            }
    }

    /// Sends one request for `spans`, retrying transient failures within `timeout`; throws `ExportError` when the
    /// batch is dropped.
    public func export(_ spans: [FinishedSpan]) throws {
        var body: [UInt8]
        var requestHeaders = headers
        switch encoding {
        case .protobuf:
            body = Self.protobufRequest(spans, resource: resourceAttributes)
            requestHeaders.append(("Content-Type", "application/x-protobuf"))
        case .json:
            let otlp = spans.map { Self.otlpSpan($0, resource: resourceAttributes) }
            body = Array(OTLPJSONEncoder.request(otlp, resourceAttributes: resourceAttributes).utf8)
            requestHeaders.append(("Content-Type", "application/json"))
        }
        if compression == .gzip {
            do throws(Gzip.Failure) { body = try Gzip.compress(body, level: 1) } catch {
                throw drop(spans.count, because: error.description)
            }
            requestHeaders.append(("Content-Encoding", "gzip"))
        }
        try send(body, headers: requestHeaders, spans: spans.count)
    }

    /// Closes the kept-alive connection.
    public func shutdown() {
        post.close()
    }

    /// Sends one batch, retrying transient failures until `timeout` runs out.
    private func send(_ body: [UInt8], headers: [(String, String)], spans: Int) throws(ExportError) {
        let deadline = ContinuousClock.now + timeout
        var attempts = 0
        while true {
            attempts += 1
            let left = max(deadline - ContinuousClock.now, .milliseconds(1))
            switch attempt(body, headers: headers, timeout: left) {
            case .accepted(let response):
                countPartialSuccess(response.body, of: spans)
                return
            case .refused(let reason):
                throw drop(spans, because: reason)
            case .transient(let reason, let serverDelay):
                let wait = OTLPRetry.wait(
                    afterAttempt: attempts, serverDelay: serverDelay, jitter: Double.random(in: 0...1))
                guard ContinuousClock.now + wait < deadline else {
                    throw drop(spans, because: "\(reason); gave up after \(attempts) attempts in \(timeout)")
                }
                counters.withLock {
                    $0.retries += 1
                    $0.lastError = reason
                }
                Self.sleep(wait)
            }
        }
    }

    private enum Attempt {
        case accepted(HTTPPost.Response)
        case refused(String)
        case transient(String, serverDelay: Duration?)
    }

    /// One request, judged by the OTLP retry rules.
    private func attempt(_ body: [UInt8], headers: [(String, String)], timeout: Duration) -> Attempt {
        let response: HTTPPost.Response
        do throws(HTTPPost.ConnectionFailure) {
            response = try post.send(headers: headers, body: body, timeout: timeout)
        } catch {
            return .transient(error.description, serverDelay: nil)
        }
        switch OTLPRetry.verdict(status: response.status, retryAfter: response.headers["retry-after"]) {
        case .accepted:
            return .accepted(response)
        case .refused:
            let text = TerminalSafe.escape(String(decoding: response.body.prefix(200), as: UTF8.self))
            return .refused("\(post.host):\(post.port) answered \(response.status): \(text)")
        case .retry(let after):
            return .transient("\(post.host):\(post.port) answered \(response.status)", serverDelay: after)
        }
    }

    /// Counts a batch given up on, and the error the pipeline counts it by.
    private func drop(_ spans: Int, because reason: String) -> ExportError {
        counters.withLock {
            $0.droppedBatches += 1
            $0.droppedSpans += UInt64(spans)
            $0.lastError = reason
        }
        return ExportError(description: reason)
    }

    private func countPartialSuccess(_ body: [UInt8], of spans: Int) {
        guard !body.isEmpty, encoding == .protobuf else { return }
        let partial = body.withUnsafeBytes { try? OTLPPartialSuccess.decode($0) }
        guard let partial, partial.rejectedSpans > 0 else { return }
        counters.withLock {
            $0.rejectedSpans += min(partial.rejectedSpans, UInt64(spans))
            $0.lastError = "partial success: \(partial.message.map(TerminalSafe.escape) ?? "spans refused")"
        }
    }

    /// The export thread's wait between attempts (it is the pipeline's own thread: blocking it is the point).
    private static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }

    /// The protobuf request written straight from the finished spans (no model span in between: building one per
    /// span was a third of the export thread's time), with the same meaning as `otlpSpan`'s: the resource is the
    /// exporter's attributes with the span's service as `service.name` unless they name one; status ERROR for an
    /// error status, an exception or an HTTP 5xx.
    static func protobufRequest(_ spans: [FinishedSpan], resource: [String: AttributeValue]) -> [UInt8] {
        var w = ProtobufWriter(capacity: 96 * spans.count + 256)
        spans.withUnsafeBufferPointer { spans in
            var i = 0
            while i < spans.count {
                // A run of spans of one service shares a resource.
                let service = spans[i].serviceName
                var end = i + 1
                while end < spans.count, spans[end].serviceName == service { end += 1 }
                var attributes = resource
                if attributes["service.name"] == nil { attributes["service.name"] = .string(service) }
                let sortedResource = attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                OTLPProtobufEncoder.writeResourceSpans(resource: sortedResource, scope: "tracescope", into: &w) {
                    ss in
                    for k in i..<end { write(spans[k], into: &ss) }
                }
                i = end
            }
        }
        return w.bytes
    }

    private static func write(_ f: FinishedSpan, into w: inout ProtobufWriter) {
        var attributes: [(String, AttributeValue)] = []
        var httpFault = false
        if !f.attributes.isEmpty {
            attributes = f.attributes.filter { $0.key != XRayAttribute.serviceName }.sorted { $0.key < $1.key }
                .map { ($0.key, $0.value) }
            if let status = OTLPSemantics.http(from: f.attributes)?.status { httpFault = status >= 500 }
        }
        OTLPProtobufEncoder.writeSpan(
            traceID: f.traceID, spanID: f.spanID, parentID: f.parentID, name: f.operationName, kind: f.kind.model,
            start: f.start, end: f.end, attributes: attributes, exceptions: f.exceptions,
            error: f.statusError || !f.exceptions.isEmpty || httpFault, statusMessage: f.statusMessage, into: &w)
    }

    /// A finished span with OTLP meaning (operation name, kind, attributes) and the exporter's resource.
    static func otlpSpan(_ f: FinishedSpan, resource: [String: AttributeValue] = [:]) -> Span {
        var attributes = f.attributes
        attributes.removeValue(forKey: XRayAttribute.serviceName)
        return Span(
            traceID: f.traceID, id: f.spanID, parentID: f.parentID, name: f.operationName, source: .otlp,
            kind: f.kind.model, isSegment: f.kind.model.receivesRequests, serviceName: f.serviceName,
            start: f.start, end: f.end, statusError: f.statusError || !f.exceptions.isEmpty,
            statusMessage: f.statusMessage, http: OTLPSemantics.http(from: f.attributes),
            cause: f.exceptions.isEmpty ? nil : Cause(exceptions: f.exceptions), attributes: attributes,
            resource: resource)
    }
}
