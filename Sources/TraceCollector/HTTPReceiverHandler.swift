import NIOCore
import NIOHTTP1
import TraceFormats
import TraceModel

/// Serves OTLP/HTTP (`POST /v1/traces`, protobuf or JSON, optionally gzip-compressed) and, on the X-Ray daemon's
/// TCP port, the sampling endpoints X-Ray SDKs poll (`POST /GetSamplingRules`, `POST /SamplingTargets`), so SDKs
/// pointed at us run quietly.
///
/// Status codes follow the OTLP/HTTP spec: 200 with an `ExportTraceServiceResponse` (a `partial_success` naming how
/// many spans were rejected and why, the others kept), 400 for a body that does not decode, 413 beyond the size
/// limit, 415 for another content type, 404 and 405 for other paths and methods. A connection that sends nothing
/// for `idleTimeout` is closed.
final class HTTPReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pipeline: IngestPipeline
    private let limits: ReceiverLimits
    private var maxBodyBytes: Int { limits.maxBodyBytes }
    private let inFlight: InFlightBodies
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    /// The collector's share for bodies in flight was full: this request is answered 503.
    private var busy = false
    /// What this connection holds of `inFlight`, given back when the request is answered or the connection ends.
    private var reserved = 0

    init(pipeline: IngestPipeline, limits: ReceiverLimits, inFlight: InFlightBodies) {
        self.pipeline = pipeline
        self.limits = limits
        self.inFlight = inFlight
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
            tooLarge = false
            busy = false
            if let length = h.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                tooLarge = true
            }
        case .body(var chunk):
            guard !tooLarge, !busy else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBodyBytes {
                tooLarge = true
                dropBody()
                return
            }
            guard inFlight.reserve(chunk.readableBytes) else {
                busy = true
                dropBody()
                return
            }
            reserved += chunk.readableBytes
            body?.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = body ?? context.channel.allocator.buffer(capacity: 0)
            body = nil
            let response: Response
            if busy {
                pipeline.reject(
                    DecodeFailure(
                        .tooLarge, "request bodies in flight over \(inFlight.limit) bytes: answered 503, to retry"))
                response = Response(
                    status: .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                    body: Array("busy: retry shortly\n".utf8), retryAfterSeconds: 1)
            } else {
                response = respond(to: head, body: request)
            }
            dropBody()
            write(response, context: context, keepAlive: head.isKeepAlive && response.status != .payloadTooLarge)
        }
    }

    /// Lets go of the body and of its share of the in-flight bytes.
    private func dropBody() {
        body = nil
        if reserved > 0 {
            inFlight.release(reserved)
            reserved = 0
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        dropBody()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            pipeline.reject(
                DecodeFailure(
                    .truncated,
                    "HTTP connection from \(context.remoteAddress.map { "\($0)" } ?? "?") idle too long: closed"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        pipeline.reject(
            DecodeFailure(.invalidJSON, "malformed HTTP from \(context.remoteAddress.map { "\($0)" } ?? "?"): \(error)")
        )
        context.close(promise: nil)
    }

    struct Response {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
        var retryAfterSeconds: Int?
    }

    private func respond(to head: HTTPRequestHead, body: ByteBuffer) -> Response {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch path {
        case "/v1/traces":
            guard head.method == .POST else { return plain(.methodNotAllowed, "use POST") }
            pipeline.countRequest()
            return receiveTraces(head, body)
        case "/GetSamplingRules":
            return Response(
                status: .ok, contentType: "application/json", body: Array(SamplingEndpoints.rules.utf8),
                retryAfterSeconds: nil)
        case "/SamplingTargets":
            return Response(
                status: .ok, contentType: "application/json", body: Array(SamplingEndpoints.targets.utf8),
                retryAfterSeconds: nil)
        default:
            return plain(.notFound, "not found: POST /v1/traces")
        }
    }

    private func receiveTraces(_ head: HTTPRequestHead, _ body: ByteBuffer) -> Response {
        let source = "OTLP request from \(head.headers.first(name: "user-agent") ?? "a client")"
        if tooLarge {
            pipeline.reject(DecodeFailure(.tooLarge, "body over \(maxBodyBytes) bytes", location: source))
            return plain(.payloadTooLarge, "request body over \(maxBodyBytes) bytes")
        }
        let type = (head.headers.first(name: "content-type") ?? "").lowercased()
        let isProtobuf = type.hasPrefix("application/x-protobuf") || type.hasPrefix("application/protobuf")
        let isJSON = type.hasPrefix("application/json")
        guard isProtobuf || isJSON else {
            pipeline.reject(
                DecodeFailure(.unknownRecord, "unsupported content type \"\(type.prefix(64))\"", location: source))
            return plain(.unsupportedMediaType, "use application/x-protobuf or application/json")
        }
        // The body is read in place; only a gzip body makes a second buffer (its inflated bytes).
        var inflated: [UInt8]?
        if let encoding = head.headers.first(name: "content-encoding")?.lowercased(), encoding != "identity" {
            guard encoding == "gzip" else {
                pipeline.reject(
                    DecodeFailure(
                        .unknownRecord, "unsupported content encoding \"\(encoding.prefix(32))\"", location: source))
                return plain(.unsupportedMediaType, "content-encoding: gzip or none")
            }
            switch body.withUnsafeReadableBytes({ GzipInflater.inflateWhole($0, limit: limits.maxInflatedBytes) }) {
            case .success(let bytes): inflated = bytes
            case .failure(let failure):
                var f = failure
                f.location = source
                pipeline.reject(f)
                return plain(failure.reason == .tooLarge ? .payloadTooLarge : .badRequest, failure.detail)
            }
        }
        let (pipeline, maxSpans) = (self.pipeline, limits.maxSpansPerRequest)
        let ingest = { (raw: UnsafeRawBufferPointer) in
            OTLPExport.ingest(raw, protobuf: isProtobuf, source: source, into: pipeline, maxSpans: maxSpans)
        }
        let outcome = inflated.map { $0.withUnsafeBytes(ingest) } ?? body.withUnsafeReadableBytes(ingest)
        switch outcome {
        case .failure(let failure):
            return plain(.badRequest, failure.detail)
        case .success(let accepted):
            // The spans that could be taken are kept; the response says how many were not, and why (the first).
            return Response(
                status: .ok, contentType: isProtobuf ? "application/x-protobuf" : "application/json",
                body: ExportResponse.body(
                    rejected: accepted.rejected, message: accepted.firstReason, protobuf: isProtobuf),
                retryAfterSeconds: nil)
        }
    }

    private func plain(_ status: HTTPResponseStatus, _ message: String) -> Response {
        Response(
            status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8),
            retryAfterSeconds: nil)
    }

    private func write(_ response: Response, context: ChannelHandlerContext, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        if let seconds = response.retryAfterSeconds { headers.add(name: "retry-after", value: String(seconds)) }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
            promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
