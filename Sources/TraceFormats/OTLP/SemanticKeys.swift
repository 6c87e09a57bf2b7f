/// The attribute keys of OpenTelemetry's semantic conventions that spans carry most, as ready-made strings.
///
/// A decoder that meets one of these keys takes the literal instead of building a new `String`: half of them are
/// longer than the 15 bytes Swift stores inline, so each would otherwise cost an allocation (and a UTF-8 check) per
/// attribute of every span — in a batch of 512 spans, the same few keys thousands of times.
enum SemanticKeys {
    /// The key as a string — the shared literal when it is a well-known key, else a new string of the bytes — and
    /// what it says about HTTP, if anything: known once here, so the decoder derives a span's `HTTPInfo` without
    /// comparing its keys again.
    static func key(_ bytes: UnsafeRawBufferPointer) -> (key: String, http: HTTPAttribute?) {
        let count = bytes.count
        if count < byLength.count {
            for candidate in byLength[count] where candidate.bytes.elementsEqual(bytes) {
                return (candidate.key, candidate.http)
            }
        }
        return (String(decoding: bytes, as: UTF8.self), nil)
    }

    private struct Known {
        let key: String
        let bytes: [UInt8]
        let http: HTTPAttribute?
    }

    /// The known keys grouped by length in bytes, so a lookup compares only keys of the right length.
    private static let byLength: [[Known]] = {
        var table = [[Known]](repeating: [], count: (known.map(\.utf8.count).max() ?? 0) + 1)
        for key in known {
            table[key.utf8.count].append(Known(key: key, bytes: Array(key.utf8), http: HTTPAttribute(key: key)))
        }
        return table
    }()

    /// Every `HTTPAttribute` key is among them (a test checks): an HTTP key the decoder did not know would be missed.
    static let known: [String] = [
        "service.name", "service.namespace", "service.version", "service.instance.id", "telemetry.sdk.name",
        "telemetry.sdk.language", "telemetry.sdk.version", "host.name", "cloud.provider", "cloud.platform",
        "cloud.region", "faas.name", "faas.version", "faas.trigger", "faas.invocation_id", "faas.coldstart",
        "http.request.method", "http.response.status_code", "http.route", "url.full", "url.path", "url.scheme",
        "server.address", "server.port", "client.address", "user_agent.original", "network.protocol.version",
        "http.method", "http.status_code", "http.url", "http.target", "http.host", "http.scheme", "http.user_agent",
        "http.client_ip", "net.peer.name", "net.peer.port", "net.host.name", "peer.service", "rpc.system",
        "rpc.service", "rpc.method", "db.system", "db.system.name", "db.name", "db.namespace", "db.statement",
        "db.query.text", "db.operation", "db.operation.name", "messaging.system", "messaging.destination.name",
        "messaging.operation", "exception.type", "exception.message", "exception.stacktrace", "error.type",
        "thread.id", "thread.name", "code.function", "code.namespace",
    ]
}
