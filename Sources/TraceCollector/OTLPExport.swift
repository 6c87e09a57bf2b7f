import TraceFormats
import TraceModel

/// Taking one OTLP `ExportTraceServiceRequest` into the pipeline: the one decode path that OTLP/HTTP and OTLP/gRPC
/// share. A request that does not decode is rejected whole; spans that cannot be taken cost only themselves, and
/// the answer's `partial_success` says how many and why (the first reason).
enum OTLPExport {
    struct Accepted {
        var rejected: Int
        var firstReason: String?
    }

    static func ingest(
        _ raw: UnsafeRawBufferPointer, protobuf: Bool, source: String, into pipeline: IngestPipeline,
        maxSpans: Int
    ) -> Result<Accepted, DecodeFailure> {
        var spans: [Span] = []
        let decoded: Result<[DecodeFailure], DecodeFailure>
        do throws(DecodeFailure) {
            decoded = .success(
                protobuf
                    ? try OTLPProtobufDecoder.decode(raw, into: &spans, maxSpans: maxSpans)
                    : try OTLPJSONDecoder.decodeRequest(raw, into: &spans, maxSpans: maxSpans))
        } catch {
            decoded = .failure(error)
        }
        switch decoded {
        case .failure(var failure):
            failure.location = source
            pipeline.reject(failure)
            return .failure(failure)
        case .success(let rejected):
            pipeline.ingest(spans, otlpProtobuf: protobuf ? raw : nil)
            for var failure in rejected {
                failure.location = source
                pipeline.reject(failure)
            }
            return .success(Accepted(rejected: rejected.count, firstReason: rejected.first?.detail))
        }
    }
}
