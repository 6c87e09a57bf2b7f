import GRPCCore
import Synchronization
import TraceFormats

/// `opentelemetry.proto.collector.trace.v1.TraceService/Export` over gRPC, into the same decoder and pipeline as
/// OTLP/HTTP (`OTLPExport`): the message's bytes pass through untouched (`RawBytesCoder`), so there is no second
/// decode path and no generated message types.
///
/// Status codes as the OTLP spec asks: `OK` with an `ExportTraceServiceResponse` (`partial_success` for rejected
/// spans), `INVALID_ARGUMENT` for a message that does not decode, `RESOURCE_EXHAUSTED` with a retry delay when more
/// exports are in flight than the collector takes at once (the client waits and retries), `UNAVAILABLE` once the
/// collector is shutting down. Message size and compression are the transport's (`GRPCReceiver`).
struct OTLPTraceService: RegistrableRPCService {
    static let export = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export")

    let pipeline: IngestPipeline
    let admission: ExportAdmission
    let maxMessageBytes: Int
    /// Spans one message may make (`ReceiverLimits.maxSpansPerRequest`); the rest go in its `partial_success`.
    let maxSpansPerMessage: Int
    /// The collector's share for requests in flight, shared with OTLP/HTTP bodies: a message is decoded only while
    /// it fits, else the client is told to retry (docs/SEMANTICS.md, "Limits").
    let inFlight: InFlightBodies
    let retryDelaySeconds: Int64

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Self.export, deserializer: RawBytesCoder(), serializer: RawBytesCoder()
        ) { request, context in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: handle(single.message, peer: context.remotePeer))
        }
    }

    /// Counts the refusal and asks the client to retry after the delay (`RESOURCE_EXHAUSTED` with `RetryInfo`).
    private func busy(_ reason: String, source: String) -> ServerResponse<[UInt8]> {
        pipeline.reject(DecodeFailure(.tooLarge, reason, location: source))
        return ServerResponse(
            error: RPCError(
                code: .resourceExhausted, message: "busy: retry after \(retryDelaySeconds)s",
                metadata: RetryInfo.metadata(seconds: retryDelaySeconds, code: 8, message: "busy")))
    }

    private func handle(_ message: [UInt8], peer: String) -> ServerResponse<[UInt8]> {
        pipeline.countRequest()
        let source = "OTLP/gRPC request from \(peer)"
        guard message.count <= maxMessageBytes else {
            pipeline.reject(
                DecodeFailure(.tooLarge, "message of \(message.count) bytes over \(maxMessageBytes)", location: source))
            return ServerResponse(
                error: RPCError(
                    code: .resourceExhausted, message: "message over \(maxMessageBytes) bytes (--grpc-max-message-mb)"))
        }
        switch admission.enter() {
        case .closing:
            return ServerResponse(error: RPCError(code: .unavailable, message: "the collector is shutting down"))
        case .busy:
            return busy("more than \(admission.maxConcurrent) exports in flight", source: source)
        case .admitted: break
        }
        defer { admission.leave() }
        guard inFlight.reserve(message.count) else {
            return busy("requests in flight over \(inFlight.limit) bytes: retry asked", source: source)
        }
        defer { inFlight.release(message.count) }
        let outcome = message.withUnsafeBytes {
            OTLPExport.ingest($0, protobuf: true, source: source, into: pipeline, maxSpans: maxSpansPerMessage)
        }
        switch outcome {
        case .failure(let failure):
            return ServerResponse(error: RPCError(code: .invalidArgument, message: failure.detail))
        case .success(let accepted):
            return ServerResponse(
                message: ExportResponse.body(
                    rejected: accepted.rejected, message: accepted.firstReason, protobuf: true))
        }
    }
}

/// How many exports may be in the pipeline at once, and whether the collector still takes any.
final class ExportAdmission: Sendable {
    enum Outcome { case admitted, busy, closing }

    let maxConcurrent: Int
    private let state = Mutex((inFlight: 0, closing: false))

    init(maxConcurrent: Int) {
        self.maxConcurrent = max(1, maxConcurrent)
    }

    func enter() -> Outcome {
        state.withLock { s in
            if s.closing { return .closing }
            guard s.inFlight < maxConcurrent else { return .busy }
            s.inFlight += 1
            return .admitted
        }
    }

    func leave() { state.withLock { $0.inFlight -= 1 } }

    /// From now on every export is refused as `UNAVAILABLE`.
    func close() { state.withLock { $0.closing = true } }
}

/// A message as its bytes: the OTLP decoder reads them itself.
struct RawBytesCoder: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

/// The retry delay a server sends with `RESOURCE_EXHAUSTED`, in both places clients look: the OpenTelemetry SDKs'
/// `google.rpc.retryinfo-bin` trailer (a serialized `google.rpc.RetryInfo`) and gRPC's rich status,
/// `grpc-status-details-bin` (a `google.rpc.Status` whose details hold that `RetryInfo`). Written by hand: three
/// small messages do not warrant generated code.
enum RetryInfo {
    static func metadata(seconds: Int64, code: Int32, message: String) -> Metadata {
        var metadata = Metadata()
        metadata.addBinary(retryInfo(seconds: seconds), forKey: "google.rpc.retryinfo-bin")
        metadata.addBinary(status(seconds: seconds, code: code, message: message), forKey: "grpc-status-details-bin")
        return metadata
    }

    /// `RetryInfo { google.protobuf.Duration retry_delay = 1; }`, `Duration { int64 seconds = 1; }`.
    static func retryInfo(seconds: Int64) -> [UInt8] {
        var w = ProtobufWriter()
        w.messageField(1) { $0.varintField(1, UInt64(max(0, seconds))) }
        return w.bytes
    }

    /// `Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }`,
    /// `Any { string type_url = 1; bytes value = 2; }`.
    static func status(seconds: Int64, code: Int32, message: String) -> [UInt8] {
        var w = ProtobufWriter()
        w.varintField(1, UInt64(UInt32(bitPattern: code)))
        w.stringField(2, message)
        w.messageField(3) { any in
            any.stringField(1, "type.googleapis.com/google.rpc.RetryInfo")
            any.bytesField(2, retryInfo(seconds: seconds))
        }
        return w.bytes
    }
}
