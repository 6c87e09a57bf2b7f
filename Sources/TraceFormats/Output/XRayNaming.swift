import TraceModel

/// How an OpenTelemetry-shaped span is named in X-Ray: the one rule for the X-Ray writer (OTLP input written as X-Ray
/// documents) and the tracing library's X-Ray exporter (docs/SEMANTICS.md, "OTLP as X-Ray").
///
/// X-Ray names a segment after its service and a call after its callee, and draws its service map from those names;
/// renaming OTLP spans so makes the X-Ray output draw the same graph as the OTLP it came from.
public enum XRayNaming {
    /// The attribute that marks a call as an AWS SDK call, naming the service (`DynamoDB`, `SQS`).
    public static let awsServiceKey = "aws.service"

    /// The attribute that makes an OpenTelemetry span an X-Ray segment of this origin (`AWS::Lambda::Function`).
    public static let originKey = "aws.xray.origin"

    /// - Parameters:
    ///   - operation: the span's own name, kept where nothing better names it.
    ///   - service: the span's `service.name`.
    ///   - isEntry: the span receives a request (`Span.isEntry`): it is named after its service.
    ///   - isCall: the span calls another service (`Span.isDownstreamCall`): it is named after the callee,
    ///     `aws.service` first, then `OTelPeer`'s order.
    public static func name(
        operation: String, service: String?, isEntry: Bool, isCall: Bool, attributes: [String: AttributeValue]
    ) -> String {
        if isEntry, let service { return service }
        guard isCall else { return operation }
        if !attributes.isEmpty, let aws = attributes[awsServiceKey]?.stringValue { return aws }
        return OTelPeer.node(attributes)?.name ?? operation
    }

    /// A call's subsegment namespace: `aws` for an AWS SDK call, `remote` for any other; nil for what is not a call.
    public static func namespace(isCall: Bool, attributes: [String: AttributeValue]) -> String? {
        guard isCall else { return nil }
        return attributes[awsServiceKey] == nil ? "remote" : "aws"
    }
}
