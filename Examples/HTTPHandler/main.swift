// An HTTP handler closure: the caller's X-Amzn-Trace-Id / traceparent is continued, the response status classified,
// and the outgoing call carries the trace on. Runs a few requests in-process and sends the spans to an X-Ray daemon
// (ours: `tracescope collect`, or AWS's) at AWS_XRAY_DAEMON_ADDRESS (default 127.0.0.1:2000) — or, with an argument,
// to a JSON-lines file.
//
//     swift run example-http-handler /tmp/cart.jsonl && swift run tracescope summary /tmp/cart.jsonl
import Tracescope
import Tracing

let exporter: any SpanExporter
if let path = CommandLine.arguments.dropFirst().first {
    exporter = try JSONLinesFileExporter(path: path)
} else {
    exporter = try XRayUDPExporter()
}
let tracing = try TracescopeTracing.bootstrap(
    serviceName: "cart-api", origin: "AWS::EC2::Instance", exporter: exporter, sampler: AlwaysSample())
let tracer = tracing.tracer

/// The application's handler: what a Hummingbird or Vapor route would call.
@Sendable func cartHandler(_ request: TracedHTTPRequest) async throws -> (status: Int, body: String) {
    try await tracer.handle(request) { span in
        guard request.url.hasSuffix("/cart/42") else { return (404, "no such cart") }
        // An outgoing call: a CLIENT span named after its peer, with the headers the callee needs.
        let headers = try await tracer.withSpan("GET /prices", ofKind: .client) { call in
            call.attributes["peer.service"] = "pricing"
            call.attributes["http.request.method"] = "GET"
            call.attributes["http.response.status_code"] = 200
            try await Task.sleep(for: .milliseconds(12))
            return tracer.headers(for: call.context)
        }
        span.attributes["annotation.items"] = 3
        return (200, "cart 42 (trace header sent on: \(headers["X-Amzn-Trace-Id"] ?? "-"))")
    }
}

let requests = [
    TracedHTTPRequest(
        method: "GET", url: "http://shop.example.com/cart/42", headers: ["Host": "shop.example.com"], route: "/cart/:id"
    ),
    // A caller that is itself traced: its trace is continued.
    TracedHTTPRequest(
        method: "GET", url: "http://shop.example.com/cart/42",
        headers: ["X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"],
        route: "/cart/:id"),
    TracedHTTPRequest(method: "GET", url: "http://shop.example.com/cart/7", route: "/cart/:id"),
]
for request in requests {
    let response = try await cartHandler(request)
    print("\(request.method) \(request.url) -> \(response.status) \(response.body)")
}
tracing.shutdown()
print("exported \(tracer.exportStats.exported) spans")
