/// Where a span came from; the service-graph rules differ slightly between the two (docs/SEMANTICS.md, "Service graph").
public enum SpanSource: UInt8, Sendable, Hashable {
    case xray
    case otlp
}

/// The role a span plays in a request, unified across X-Ray and OpenTelemetry.
///
/// X-Ray segments are `.server`; subsegments with namespace `aws` or `remote` are `.client`; other subsegments are
/// `.internal`. OTLP kinds map one to one.
public enum SpanKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case `internal`
    case server
    case client
    case producer
    case consumer

    public var description: String {
        switch self {
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        }
    }
}
