import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TraceFormats
import TraceModel

/// Forwards everything a collector receives to an OTLP/HTTP backend — an OpenTelemetry Collector tier, Tempo,
/// Jaeger, a SaaS endpoint, or AWS X-Ray's OTLP endpoint with SigV4 — as protobuf to `URL/v1/traces`.
///
/// OTLP protobuf requests go on byte for byte (resource, attributes and upstream sampling decisions intact);
/// anything else (X-Ray UDP, OTLP JSON) is encoded by `OTLPProtobufEncoder`. Receivers hand batches over with
/// `submit` (a lock and an append; a counted drop when the queue is full, never a wait); one task concatenates
/// queued requests — protobuf messages merge when concatenated — up to `batchBytes` or whatever waited
/// `flushInterval`, optionally gzips them, and posts. 429, 502, 503, 504 and connection failures are retried with
/// exponential backoff and jitter, honouring `Retry-After`, for as long as it takes: the batch waits, the queue
/// fills, and only a full queue drops. Other refusals and `partial_success` rejections are counted as rejected.
/// `drain()` sends everything accepted, giving up (and counting) only after `drainTimeout` with the backend down.
public final class OTLPForwarder: Sendable {
    public struct Options: Sendable {
        /// The backend's base URL; `/v1/traces` is appended unless the URL already ends with it.
        public var url: URL
        public var headers: [(String, String)]
        public var gzip: Bool
        public var maxQueuedSpans: Int
        public var batchBytes: Int
        public var flushInterval: Duration
        public var requestTimeout: TimeAmount
        public var drainTimeout: Duration
        /// Signs each request for AWS (X-Ray's OTLP endpoint: service `xray`).
        public var sigV4: (service: String, region: String, credentials: CredentialChain)?

        public init(
            url: URL, headers: [(String, String)] = [], gzip: Bool = false, maxQueuedSpans: Int = 100_000,
            batchBytes: Int = 1 << 20, flushInterval: Duration = .milliseconds(200),
            requestTimeout: TimeAmount = .seconds(10), drainTimeout: Duration = .seconds(30),
            sigV4: (service: String, region: String, credentials: CredentialChain)? = nil
        ) {
            self.url = url
            self.headers = headers
            self.gzip = gzip
            self.maxQueuedSpans = maxQueuedSpans
            self.batchBytes = batchBytes
            self.flushInterval = flushInterval
            self.requestTimeout = requestTimeout
            self.drainTimeout = drainTimeout
            self.sigV4 = sigV4
        }

        /// Where requests go: `URL/v1/traces`.
        public var endpoint: URL {
            url.path.hasSuffix("/v1/traces") ? url : url.appendingPathComponent("v1/traces")
        }
    }

    public typealias Stats = ForwardingStats

    /// One received request: its protobuf bytes as they came, or spans to encode.
    private enum Item {
        case raw([UInt8], spans: Int)
        case spans([Span])

        var spanCount: Int {
            switch self {
            case .raw(_, let spans): spans
            case .spans(let spans): spans.count
            }
        }

        var estimatedBytes: Int {
            switch self {
            case .raw(let bytes, _): bytes.count
            case .spans(let spans): spans.count * 200
            }
        }
    }

    private struct State {
        var queue: [Item] = []
        var head = 0
        var queuedSpans = 0
        var closed = false
        var stats = Stats()
    }

    public let options: Options
    private let http: HTTPClient
    private let state = Mutex(State())
    private let worker = Mutex<Task<Void, Never>?>(nil)
    private let drainDeadline = Mutex<ContinuousClock.Instant?>(nil)

    public init(_ options: Options, http: HTTPClient) {
        self.options = options
        self.http = http
        let task = Task { [self] in await run() }
        worker.withLock { $0 = task }
    }

    public var stats: Stats { state.withLock { $0.stats } }

    /// Queues a received batch. `otlpProtobuf` (the request the spans came from) is forwarded as it is.
    public func submit(_ spans: [Span], otlpProtobuf: UnsafeRawBufferPointer?) {
        guard !spans.isEmpty else { return }
        let item: Item = otlpProtobuf.map { .raw(Array($0), spans: spans.count) } ?? .spans(spans)
        state.withLock { s in
            guard !s.closed, s.queuedSpans + spans.count <= options.maxQueuedSpans else {
                s.stats.dropped += UInt64(spans.count)
                return
            }
            s.queue.append(item)
            s.queuedSpans += spans.count
        }
    }

    /// Stops accepting and sends everything queued; returns when it is sent, refused, or the deadline passed.
    public func drain() async {
        drainDeadline.withLock { $0 = ContinuousClock.now + options.drainTimeout }
        state.withLock { $0.closed = true }
        let task = worker.withLock { $0 }
        await task?.value
    }

    private func run() async {
        while true {
            let (batch, closed) = takeBatch()
            if !batch.isEmpty {
                await send(batch)
                continue
            }
            if closed { return }
            try? await Task.sleep(for: options.flushInterval)
        }
    }

    /// Up to `batchBytes` of queued requests (at least one).
    private func takeBatch() -> ([Item], Bool) {
        state.withLock { s in
            var batch: [Item] = []
            var bytes = 0
            while s.head < s.queue.count, batch.isEmpty || bytes + s.queue[s.head].estimatedBytes <= options.batchBytes
            {
                let item = s.queue[s.head]
                batch.append(item)
                bytes += item.estimatedBytes
                s.queuedSpans -= item.spanCount
                s.head += 1
            }
            if s.head == s.queue.count {
                s.queue.removeAll(keepingCapacity: true)
                s.head = 0
            }
            return (batch, s.closed)
        }
    }

    private func send(_ batch: [Item]) async {
        var body = ProtobufWriter(capacity: batch.reduce(0) { $0 + $1.estimatedBytes })
        var loose: [Span] = []
        for item in batch {
            switch item {
            case .raw(let bytes, _): body.append(raw: bytes)
            case .spans(let spans): loose += spans
            }
        }
        if !loose.isEmpty { body.append(raw: OTLPProtobufEncoder.request(loose)) }
        let spans = UInt64(batch.reduce(0) { $0 + $1.spanCount })
        var payload = body.bytes
        if options.gzip {
            do throws(Gzip.Failure) { payload = try Gzip.compress(payload, level: 1) } catch {
                record { s in
                    s.rejected += spans
                    s.lastError = error.description
                }
                return
            }
        }
        var attempt = 0
        while true {
            attempt += 1
            switch await post(payload) {
            case .accepted(let rejected):
                record { s in
                    s.forwarded += spans - min(spans, rejected.count)
                    s.rejected += min(spans, rejected.count)
                    if let message = rejected.message { s.lastError = "partial success: \(message)" }
                }
                return
            case .refused(let reason):
                record { s in
                    s.rejected += spans
                    s.lastError = reason
                }
                return
            case .retry(let reason, let after):
                record { s in
                    s.retried += 1
                    s.lastError = reason
                }
                let wait = OTLPRetry.wait(afterAttempt: attempt, serverDelay: after, jitter: Double.random(in: 0...1))
                if let deadline = drainDeadline.withLock({ $0 }), ContinuousClock.now + wait > deadline {
                    record { s in
                        s.dropped += spans
                        s.lastError = "backend still failing at shutdown (\(reason)): \(spans) spans dropped"
                    }
                    return
                }
                try? await Task.sleep(for: wait)
            }
        }
    }

    private enum PostOutcome {
        case accepted((count: UInt64, message: String?))
        case refused(String)
        case retry(String, after: Duration?)
    }

    private func post(_ payload: [UInt8]) async -> PostOutcome {
        let url = options.endpoint
        var headers: [(String, String)] = [("Content-Type", "application/x-protobuf")]
        if options.gzip { headers.append(("Content-Encoding", "gzip")) }
        headers += options.headers
        if let sigV4 = options.sigV4 {
            do {
                let credentials = try await sigV4.credentials.credentials()
                headers = SigV4Signer(credentials: credentials, region: sigV4.region, service: sigV4.service).sign(
                    method: "POST", url: url, headers: headers, body: payload, date: Date())
            } catch {
                return .retry("signing: \(error.description)", after: nil)
            }
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(payload)
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: options.requestTimeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            return .retry("cannot reach \(url.absoluteString): \(error)", after: nil)
        }
        let status = Int(response.status.code)
        switch OTLPRetry.verdict(status: status, retryAfter: response.headers.first(name: "retry-after")) {
        case .accepted:
            return .accepted(Self.partialSuccess(Array(buffer: body)))
        case .retry(let after):
            return .retry("\(url.absoluteString) answered \(status)", after: after)
        case .refused:
            let text = String(decoding: Array(buffer: body).prefix(200), as: UTF8.self)
            return .refused("\(url.absoluteString) answered \(status): \(TerminalSafe.escape(text))")
        }
    }

    /// `ExportTraceServiceResponse.partial_success { rejected_spans = 1; error_message = 2; }`, read with the
    /// project's protobuf reader; anything unreadable counts as nothing rejected.
    static func partialSuccess(_ bytes: [UInt8]) -> (count: UInt64, message: String?) {
        bytes.withUnsafeBytes { raw in
            (try? OTLPPartialSuccess.decode(raw)).map { ($0.rejectedSpans, $0.message) } ?? (0, nil)
        }
    }

    private func record(_ change: (inout Stats) -> Void) {
        state.withLock { change(&$0.stats) }
    }
}
