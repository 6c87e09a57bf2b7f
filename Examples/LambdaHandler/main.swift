// A Lambda-runtime-style handler: `(event, context) async throws -> output`, as swift-aws-lambda-runtime calls it.
// Inside Lambda, Lambda reports the function's segments itself and the handler's spans continue its facade segment
// (from `_X_AMZN_TRACE_ID`); anywhere else this example plays the platform and records the same segments Lambda
// would. Spans go over UDP to the X-Ray daemon at AWS_XRAY_DAEMON_ADDRESS, or to a file given as an argument.
//
//     swift run example-lambda-handler /tmp/orders.jsonl && swift run tracescope summary /tmp/orders.jsonl
import Tracescope
import Tracing

struct OrderEvent: Sendable {
    var orderID: Int
    /// SQS `SentTimestamp`: when the message was enqueued, in epoch nanoseconds.
    var sentTimestamp: Int64
}

struct LambdaContext: Sendable {
    var requestID: String
}

let exporter: any SpanExporter
if let path = CommandLine.arguments.dropFirst().first {
    exporter = try JSONLinesFileExporter(path: path)
} else {
    exporter = try XRayUDPExporter()
}
let tracing = try TracescopeTracing.bootstrap(serviceName: "order-worker", exporter: exporter, sampler: AlwaysSample())
let tracer = tracing.tracer

let function = TracedFunction(name: "order-worker", tracer: tracer) {
    // Cold start work: configuration, clients. Recorded as `Initialization` once per execution environment.
    try await Task.sleep(for: .milliseconds(200))
    return "orders-table"
}

@Sendable func handler(_ event: OrderEvent, _ context: LambdaContext) async throws -> String {
    try await function.invoke(enqueuedAt: event.sentTimestamp, httpStatus: { _ in 200 }) { table in
        try await tracer.withSpan("DynamoDB", ofKind: .client) { span in
            span.attributes[XRayAttribute.awsService] = "DynamoDB"
            span.attributes["aws.operation"] = "UpdateItem"
            span.attributes["aws.table_name"] = table
            span.attributes["aws.request_id"] = context.requestID
            try await Task.sleep(for: .milliseconds(6))
        }
        return "order \(event.orderID) stored"
    }
}

for id in 1...4 {
    let event = OrderEvent(orderID: id, sentTimestamp: WallClock.now() - 40_000_000)
    print(try await handler(event, LambdaContext(requestID: "req-\(id)")))
}
tracing.shutdown()
print("exported \(tracer.exportStats.exported) spans")
