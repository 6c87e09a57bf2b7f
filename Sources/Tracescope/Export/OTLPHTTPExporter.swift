import TraceFiles
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends finished spans to an OpenTelemetry endpoint with OTLP/HTTP (`POST {endpoint}/v1/traces`, JSON encoding),
/// as the OpenTelemetry Collector, Tracescope's collector and most backends accept. Spans keep their OTLP meaning:
/// operation names, kinds, attributes, and `faas.*` attributes on function invocations.
///
/// Plain `http://` only — the library stays free of TLS and networking stacks; point it at a local collector (the
/// usual set-up in Lambda, with the collector extension on `localhost:4318`).
public final class OTLPHTTPExporter: SpanExporter {
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    public struct ExportError: Error, CustomStringConvertible {
        public var description: String
    }

    let host: String
    let port: Int
    let path: String
    private let resourceAttributes: [String: AttributeValue]
    private let timeoutSeconds: Int

    /// - Parameter endpoint: the base URL; defaults to `OTEL_EXPORTER_OTLP_ENDPOINT`, else `http://127.0.0.1:4318`.
    ///   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (a full URL) wins when set.
    public init(endpoint: String? = nil, resourceAttributes: [String: AttributeValue] = [:], timeoutSeconds: Int = 5)
        throws(ConfigurationError)
    {
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
        path = slash == rest.endIndex ? "/v1/traces" : String(rest[slash...])
        if let colon = authority.lastIndex(of: ":"), let p = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon]).trimmingCharacters(in: "[").trimmingCharacters(in: "]")
            port = p
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty else { throw ConfigurationError(description: "OTLP endpoint \(url) has no host") }
        self.resourceAttributes = resourceAttributes
        self.timeoutSeconds = timeoutSeconds
    }

    private static func join(_ base: String, _ suffix: String) -> String {
        base.hasSuffix("/") ? base + suffix : base + "/" + suffix
    }

    public func export(_ spans: [FinishedSpan]) throws {
        let body = OTLPJSONEncoder.request(spans.map(Self.otlpSpan), resourceAttributes: resourceAttributes)
        try post(body)
    }

    /// A finished span with OTLP meaning (operation name, kind, attributes).
    static func otlpSpan(_ f: FinishedSpan) -> Span {
        var attributes = f.attributes
        attributes.removeValue(forKey: XRayAttribute.serviceName)
        return Span(
            traceID: f.traceID, id: f.spanID, parentID: f.parentID, name: f.operationName, source: .otlp,
            kind: f.kind, isSegment: f.kind.receivesRequests, serviceName: f.serviceName,
            start: f.start, end: f.end, statusError: f.statusError || !f.exceptions.isEmpty,
            statusMessage: f.statusMessage, http: OTLPSemantics.http(from: f.attributes),
            cause: f.exceptions.isEmpty ? nil : Cause(exceptions: f.exceptions), attributes: attributes)
    }

    /// One HTTP/1.1 request on a fresh connection; any status but 2xx is an error.
    func post(_ body: String) throws(ExportError) {
        guard let resolved = PosixIO.resolve(host: host, port: port, socketType: Int32(SOCK_STREAM.rawValue)) else {
            throw ExportError(description: "cannot resolve \(host)")
        }
        let fd = socket(resolved.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ExportError(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = resolved.address.withUnsafeBytes { raw in
            connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard connected == 0 else {
            throw ExportError(description: "connect \(host):\(port): \(String(cString: strerror(errno)))")
        }
        let request =
            "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\nUser-Agent: tracescope\r\n\r\n" + body
        do { try FileDescriptorIO.writeAll(fd, request) } catch {
            throw ExportError(description: "send to \(host):\(port): \(error)")
        }
        var response = [UInt8](repeating: 0, count: 512)
        let n = response.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 12 else { throw ExportError(description: "no response from \(host):\(port)") }
        let statusLine = String(decoding: response[0..<n], as: UTF8.self).prefix { $0 != "\r" }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]), (200..<300).contains(code) else {
            throw ExportError(description: "\(host):\(port) answered \(statusLine)")
        }
    }
}
