import Foundation
import TraceAnalysis
import TraceBackends
import TraceCollector
import TraceFormats
import TraceModel

/// The OTLP/HTTP receiver's request handling, bytes in as a client sends them: HTTP/1.1 parsing, limits, gzip,
/// decoding and the response. The first byte picks how the bytes are cut into reads. Whatever comes in, the
/// receiver answers with HTTP or closes, and every request it took is counted.
enum HTTPRequestHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        let pipeline = IngestPipeline(clock: { 1_795_176_000_000_000_000 })
        var limits = ReceiverLimits.forBudget(64 << 20)
        limits.maxBodyBytes = 1 << 16
        limits.maxInflatedBytes = 1 << 18
        limits.maxSpansPerRequest = 1000
        let response = HTTPReceiverReplay.serve(
            Array(bytes.dropFirst()), pipeline: pipeline, limits: limits, chunkSize: Int(first) + 1)
        check.expect(
            response.isEmpty || response.starts(with: Array("HTTP/1.1 ".utf8)),
            "the receiver wrote something other than HTTP: \(response.prefix(64))")
        pipeline.finish()
        _ = pipeline.stats
    }
}

/// The X-Ray API's JSON answers (GetServiceGraph, GetTraceSummaries, BatchGetTraces paging, PutTraceSegments), as a
/// hostile or broken endpoint could send them. The first byte picks the operation.
enum XRayAPIHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        switch first % 4 {
        case 0:
            guard let page = try? XRayAPI.serviceGraphResponse(body) else { return }
            let figures = page.graph.figures()
            let summary = Summary(
                window: .init(start: 0, end: 60_000_000_000), traces: .init(), services: figures.services,
                edges: figures.edges, functions: [])
            Properties.reportsAreSafe(summary, &check)
        case 1: _ = try? XRayAPI.traceSummariesResponse(body)
        case 2: _ = try? XRayAPI.batchGetTracesPaging(body)
        default: _ = try? XRayAPI.putTraceSegmentsResponse(body)
        }
    }
}

/// What an OTLP endpoint answers the tracing library's exporter, as a broken or hostile server could send it. The
/// first byte picks where the bytes are cut into two reads. The reader never traps, frames the same response however
/// the bytes are cut, and keeps no more of a body than its limit.
enum HTTPResponseHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        let wire = Array(bytes.dropFirst())
        func read(cut: Int) -> HTTPResponseReader.Response?? {
            var reader = HTTPResponseReader()
            do throws(HTTPResponseReader.NotHTTP) {
                let at = min(cut, wire.count)
                if let response = try reader.append(wire[..<at]) { return .some(response) }
                if let response = try reader.append(wire[at...]) { return .some(response) }
                return .some(reader.closed())
            } catch {
                return .none
            }
        }
        let whole = read(cut: wire.count)
        let cut = read(cut: Int(first) * max(1, wire.count) / 255)
        check.expect(whole == cut, "the response read whole differs from the one read in two parts")
        if case .some(.some(let response)) = whole {
            check.expect(response.body.count <= HTTPResponseReader.maxBody, "a body over the limit was kept")
        }
    }
}
