// A plain async function, traced with dwell, init and handler time, written to a JSON-lines file.
//
//     swift run example-plain-function /tmp/resize.jsonl
//     swift run tracescope summary /tmp/resize.jsonl
import Tracescope
import Tracing

let path = CommandLine.arguments.dropFirst().first ?? "resize-traces.jsonl"
// One call sets tracing up; without `exporter:` it would be chosen from OTEL_* and X-Ray variables.
let tracing = try TracescopeTracing.bootstrap(
    serviceName: "thumbnails", exporter: JSONLinesFileExporter(path: path), sampler: AlwaysSample())
let tracer = tracing.tracer

// One-time initialization (loading a model, opening a pool) is recorded as `Initialization` on the first call only.
let resize = TracedFunction(name: "resize-image", tracer: tracer, mode: .platform) {
    try await Task.sleep(for: .milliseconds(120))
    return [64, 128, 256]
}

for image in 1...5 {
    // Events waited in a queue before we got them: that wait is the dwell time.
    let enqueued = WallClock.now() - Int64(image) * 15_000_000
    let sizes = try await resize.invoke(enqueuedAt: enqueued) { sizes in
        for size in sizes {
            try await tracer.withSpan("resize to \(size)px") { span in
                span.attributes["annotation.size"] = size
                try await Task.sleep(for: .milliseconds(size / 16))
            }
        }
        try await tracer.withSpan("upload", ofKind: .client) { span in
            span.attributes[XRayAttribute.awsService] = "S3"
            span.attributes["aws.operation"] = "PutObject"
            span.attributes["aws.bucket_name"] = "thumbnails"
            try await Task.sleep(for: .milliseconds(8))
        }
        return sizes.count
    }
    print("image \(image): \(sizes) sizes")
}
tracing.shutdown()
print("wrote \(tracer.exportStats.exported) spans to \(path); try: swift run tracescope summary \(path)")
