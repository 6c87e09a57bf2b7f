import TraceModel

/// The node-naming rules of docs/SEMANTICS.md, "Service graph": which node a span belongs to, and what a call with no instrumented
/// callee is inferred to reach.
public enum ServiceGraphRules {
    /// The node of a request-receiving span: an X-Ray segment's `(name, origin)`, an OTLP span's service.
    public static func node(ofEntry span: Span) -> NodeKey {
        let (name, type) = nodeName(ofEntry: span)
        return NodeKey(name: name, type: type)
    }

    /// The name and type `node(ofEntry:)` makes a key of.
    static func nodeName(ofEntry span: Span) -> (name: String, type: String?) {
        switch span.source {
        case .xray: (span.name, span.origin)
        case .otlp: (span.serviceName ?? "unknown_service", nil)
        }
    }

    /// The node a downstream call reaches when no instrumented callee reported in.
    public static func inferredNode(for call: Span) -> NodeKey {
        switch call.source {
        case .xray:
            if call.namespace == "aws" { return NodeKey(name: call.name, type: awsType(forService: call.name)) }
            // SQL subsegments (a `sql` block) reach a database, as the X-Ray console shows them.
            return NodeKey(name: call.name, type: call.sql.isEmpty ? "remote" : "database")
        case .otlp:
            return otlpVirtualNode(for: call)
        }
    }

    /// Tempo's virtual-node naming (`OTelPeer`); an unnamed callee is `unknown`.
    static func otlpVirtualNode(for call: Span) -> NodeKey {
        if let peer = OTelPeer.node(call.attributeList) { return NodeKey(name: peer.name, type: peer.type) }
        return NodeKey(name: "unknown", type: call.kind == .producer ? "queue" : "remote")
    }

    /// X-Ray's resource types for the services the AWS SDKs name their subsegments after.
    static func awsType(forService name: String) -> String {
        switch name.lowercased() {
        case "dynamodb": "AWS::DynamoDB::Table"
        case "sqs": "AWS::SQS::Queue"
        case "s3": "AWS::S3::Bucket"
        case "sns": "AWS::SNS::Topic"
        case "lambda": "AWS::Lambda"
        case "kinesis": "AWS::Kinesis::Stream"
        case "firehose": "AWS::KinesisFirehose::DeliveryStream"
        case "eventbridge", "events": "AWS::Events::EventBus"
        case "stepfunctions", "sfn": "AWS::StepFunctions::StateMachine"
        case "secretsmanager", "secrets manager": "AWS::SecretsManager::Secret"
        case "ssm": "AWS::SSM"
        case "sts": "AWS::STS"
        case "rds": "AWS::RDS::DBInstance"
        default: "AWS::" + name.filter { !$0.isWhitespace }
        }
    }
}
