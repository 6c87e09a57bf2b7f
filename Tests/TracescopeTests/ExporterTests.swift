import Foundation
import Synchronization
import TestSupport
import Testing
import TraceAnalysis
import TraceFiles
import TraceFormats
import TraceModel
import TracescopeTesting
import Tracing

@testable import Tracescope

@Suite("Exporters", .serialized, .timeLimit(.minutes(12)))
struct ExporterTests {
    static func finished(_ tracer: TracescopeTracer, _ memory: InMemoryExporter) -> [FinishedSpan] {
        tracer.forceFlush()
        return memory.spans
    }

    @Test func udpDatagramsAreWhatThePythonSDKSendsAndDecode() async throws {
        let receiver = try UDPReceiver()
        defer { receiver.close() }
        let exporter = try XRayUDPExporter(address: "127.0.0.1:\(receiver.port)")
        let tracer = TracescopeTracer(serviceName: "orders-api", exporter: exporter, sampler: AlwaysSample())
        tracer.withSpan("GET /orders/42", ofKind: .server) { span in
            span.attributes["http.request.method"] = "GET"
            span.attributes["http.response.status_code"] = 200
            span.attributes["http.route"] = "/orders/:id"
            tracer.withSpan("SELECT", ofKind: .client) { db in db.attributes["db.system"] = "postgresql" }
        }
        tracer.shutdown()
        let datagrams = receiver.receiveAll()
        #expect(!datagrams.isEmpty)
        // The header line exactly as aws-xray-sdk 2.15 sends it (Tests/TraceFormatsTests/Fixtures/python-sdk).
        let header = Array(#"{"format":"json","version":1}"#.utf8) + [0x0A]
        var spans: [TraceModel.Span] = []
        for datagram in datagrams {
            #expect(Array(datagram.prefix(header.count)) == header)
            #expect(datagram.count <= 65_507)
            spans += try decodeDatagram(datagram)
        }
        #expect(spans.count == 2)
        let segment = try #require(spans.first { $0.isSegment })
        #expect(segment.name == "orders-api")
        #expect(segment.annotations["operation"] == .string("GET /orders/42"))
        #expect(segment.http?.status == 200 && segment.http?.method == "GET")
        // What the http block carries is not repeated in metadata; what it does not carry stays there.
        let metadata = try #require(segment.metadataJSON)
        #expect(
            metadata.contains("http.route") && !metadata.contains("http.response.status_code")
                && !metadata.contains("http.request.method"))
        let call = try #require(spans.first { !$0.isSegment })
        #expect(call.name == "postgresql")
        #expect(call.namespace == "remote")
        #expect(call.parentID == segment.id)
    }

    @Test func anOversizedSegmentIsStreamedAsSubsegmentsWithNothingLost() async throws {
        let receiver = try UDPReceiver()
        defer { receiver.close() }
        let exporter = try XRayUDPExporter(address: "127.0.0.1:\(receiver.port)", maxDatagramBytes: 4_000)
        let tracer = TracescopeTracer(
            serviceName: "batch", exporter: exporter, sampler: AlwaysSample(),
            flushInterval: .seconds(60))
        tracer.withSpan("nightly job", ofKind: .server) { _ in
            for i in 0..<60 {
                tracer.withSpan("step \(i)") { span in span.attributes["detail"] = String(repeating: "x", count: 500) }
            }
            tracer.withSpan("huge") { span in span.attributes["blob"] = String(repeating: "y", count: 100_000) }
        }
        tracer.shutdown()
        let datagrams = receiver.receiveAll()
        var spans: [TraceModel.Span] = []
        for datagram in datagrams {
            #expect(datagram.count <= 4_000)
            spans += try decodeDatagram(datagram)
        }
        #expect(spans.count == 62)
        #expect(Set(spans.map(\.id)).count == 62)
        #expect(exporter.oversized == 1)
        #expect(spans.first { $0.name == "huge" }?.metadataJSON?.contains("truncated") == true)
    }

    @Test func theFileExporterWritesWhatSummaryReads() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spans-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tracer = TracescopeTracer(
            serviceName: "web", exporter: try JSONLinesFileExporter(path: path), sampler: AlwaysSample())
        for status in [200, 404, 503] {
            _ = try await tracer.handle(
                TracedHTTPRequest(method: "GET", url: "http://shop/cart", headers: ["Host": "shop"])
            ) { _ in
                tracer.withSpan("fetch cart", ofKind: .client) { span in
                    span.attributes["peer.service"] = "cart-db"
                }
                return (status, "")
            }
        }
        tracer.shutdown()
        var analyzer = TraceAnalyzer()
        let stats = try TraceFileReader.read(path: path) { analyzer.ingest($0) }
        analyzer.finish()
        #expect(stats.rejectedCount == 0)
        let web = analyzer.graph.nodes[NodeKey(name: "web", type: nil)]
        #expect(web?.total == 3)
        #expect(web?.errors == 1)
        #expect(web?.faults == 1)
        #expect(analyzer.graph.edges[EdgeKey(from: .client, to: NodeKey(name: "web", type: nil))]?.total == 3)
        #expect(
            analyzer.graph.edges[
                EdgeKey(from: NodeKey(name: "web", type: nil), to: NodeKey(name: "cart-db", type: "remote"))]?.total
                == 3)
    }

    @Test func otlpRequestsAreValidOTLPJSON() async throws {
        let server = try OneShotHTTPServer()
        let exporter = try OTLPHTTPExporter(endpoint: "http://127.0.0.1:\(server.port)", encoding: .json)
        let tracer = TracescopeTracer(
            serviceName: "cart", exporter: exporter, sampler: AlwaysSample(), flushInterval: .seconds(60))
        let function = TracedFunction(name: "cart", tracer: tracer, mode: .platform) { "db" }
        _ = try await function.invoke { _ in
            tracer.withSpan("load", ofKind: .client) { span in span.attributes["db.system"] = "dynamodb" }
        }
        tracer.shutdown()
        let request = try #require(server.request())
        #expect(request.headers.hasPrefix("POST /v1/traces HTTP/1.1"))
        #expect(request.headers.lowercased().contains("content-type: application/json"))
        var spans: [TraceModel.Span] = []
        let outcome = request.body.withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
        #expect(outcome.failures.isEmpty)
        #expect(outcome.kinds == [.otlpJSON])
        #expect(spans.count == tracer.exportStats.exported)
        #expect(spans.allSatisfy { $0.serviceName == "cart" })
        let fn = try #require(spans.first { $0.attributes["faas.coldstart"] == .bool(true) })
        #expect(fn.kind == TraceModel.SpanKind.server)
        #expect(fn.attributes["faas.name"] == .string("cart"))
        #expect(spans.contains { $0.name == "load" && $0.kind == TraceModel.SpanKind.client })
        #expect(tracer.exportStats.failedExports == 0)
    }

    /// The request body, parsed by the OpenTelemetry project's own protobuf definitions (`opentelemetry-proto`) with
    /// protobuf's strict JSON parser: unknown fields, wrong types or bad enums fail it.
    @Test func otlpRequestsParseWithTheOfficialProtoDefinitions() async throws {
        let server = try OneShotHTTPServer()
        let tracer = TracescopeTracer(
            serviceName: "cart",
            exporter: try OTLPHTTPExporter(endpoint: "http://127.0.0.1:\(server.port)", encoding: .json),
            sampler: AlwaysSample(), flushInterval: .seconds(60))
        let function = TracedFunction(name: "cart", tracer: tracer, mode: .platform) { () }
        _ = try? await function.invoke { _ in
            try tracer.withSpan("load", ofKind: .client) { span in
                span.attributes["db.system"] = "dynamodb"
                span.attributes["retries"] = [1, 2]
                throw CancellationError()
            }
        }
        tracer.shutdown()
        let body = try #require(server.request()?.body)
        try await PythonTools.ensure(module: "opentelemetry.proto", package: "opentelemetry-proto")
        let check = try PythonTools.run(
            [
                "python3", "-c",
                """
                import sys
                from google.protobuf import json_format
                from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
                request = json_format.Parse(sys.stdin.read(), ExportTraceServiceRequest())
                spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
                kinds = sorted(set(s.kind for s in spans))
                errors = sum(1 for s in spans if s.status.code == 2)
                print(len(spans), kinds, errors, request.resource_spans[0].resource.attributes[0].key)
                """,
            ], stdin: Data(body))
        #expect(check.status == 0, "\(check.output)")
        let fields = check.output.split(separator: " ", maxSplits: 1)
        #expect(fields.first.flatMap { UInt64($0) } == tracer.exportStats.exported)
        #expect(check.output.contains("service.name"))
    }

    /// Protobuf by default, gzip on request: the body inflates to a request the collector's decoder and the
    /// OpenTelemetry project's own definitions (`opentelemetry-proto`, protobuf's parser) both read whole.
    @Test func otlpProtobufRequestsDecodeWithTheCollectorAndTheOfficialDefinitions() async throws {
        let server = try OneShotHTTPServer()
        let exporter = try OTLPHTTPExporter(
            endpoint: "http://127.0.0.1:\(server.port)", compression: .gzip, headers: ["x-api-key": "secret"],
            resourceAttributes: ["deployment.environment": .string("ci")])
        let tracer = TracescopeTracer(
            serviceName: "cart", exporter: exporter, sampler: AlwaysSample(), flushInterval: .seconds(60))
        let function = TracedFunction(name: "cart", tracer: tracer, mode: .platform) { "db" }
        _ = try await function.invoke { _ in
            tracer.withSpan("load", ofKind: .client) { span in span.attributes["db.system"] = "dynamodb" }
        }
        tracer.shutdown()
        let request = try #require(server.request())
        let head = request.headers.lowercased()
        #expect(head.contains("content-type: application/x-protobuf"))
        #expect(head.contains("content-encoding: gzip"))
        #expect(head.contains("x-api-key: secret"))
        let body = try request.body.withUnsafeBytes { try GzipInflater.inflateWhole($0, limit: 1 << 20).get() }
        var spans: [TraceModel.Span] = []
        _ = try body.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &spans) }
        #expect(UInt64(spans.count) == tracer.exportStats.exported)
        #expect(spans.allSatisfy { $0.serviceName == "cart" && $0.resource["deployment.environment"] == .string("ci") })
        #expect(spans.contains { $0.name == "load" && $0.kind == TraceModel.SpanKind.client })
        try await PythonTools.ensure(module: "opentelemetry.proto", package: "opentelemetry-proto")
        let check = try PythonTools.run(
            [
                "python3", "-c",
                """
                import sys
                from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
                request = ExportTraceServiceRequest()
                request.ParseFromString(sys.stdin.buffer.read())
                spans = [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]
                print(len(spans), sorted(set(s.name for s in spans)))
                """,
            ], stdin: Data(body))
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.hasPrefix("\(spans.count) "), "\(check.output)")
        #expect(check.output.contains("'load'"))
    }

    /// A collector restarting: 503 with `Retry-After: 1` twice, then 200. The batch waits as asked and arrives once,
    /// whole; nothing is dropped.
    @Test func aBusyEndpointIsRetriedAsItAsksAndNothingIsLost() async throws {
        let answered = Mutex(0)
        let server = try ScriptedHTTPServer { _ in
            let n = answered.withLock { n in
                n += 1
                return n
            }
            return n <= 2 ? .init(status: 503, headers: [("Retry-After", "1")]) : .init(status: 200)
        }
        defer { server.close() }
        let exporter = try OTLPHTTPExporter(endpoint: "http://127.0.0.1:\(server.port)", timeout: .seconds(10))
        let tracer = TracescopeTracer(
            serviceName: "cart", exporter: exporter, sampler: AlwaysSample(), flushInterval: .seconds(60))
        for i in 0..<20 { tracer.withSpan("op \(i)") { _ in } }
        let started = Date()
        tracer.shutdown()
        let elapsed = Date().timeIntervalSince(started)
        let requests = server.requests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.body)).count == 1, "the same batch each time")
        var spans: [TraceModel.Span] = []
        _ = try requests.last?.body.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &spans) }
        #expect(spans.count == 20)
        #expect(exporter.stats.retries == 2 && exporter.stats.droppedSpans == 0)
        #expect(tracer.exportStats.failedSpans == 0 && tracer.exportStats.exported == 20)
        #expect(elapsed >= 2, "Retry-After was honoured (\(elapsed) s)")
    }

    /// Batches share one kept-alive connection; a server that closes it between two batches (an idle timeout)
    /// costs a new connection, not a retry and not a batch.
    @Test(arguments: [ScriptedHTTPServer.Connections.keepAlive, .closeSilently, .close])
    func connectionsAreKeptAliveAndAClosedOneIsReopened(connections: ScriptedHTTPServer.Connections) throws {
        let server = try ScriptedHTTPServer(connections: connections) { _ in .init(status: 200) }
        defer { server.close() }
        let exporter = try OTLPHTTPExporter(endpoint: server.url, timeout: .seconds(10))
        let spans = (0..<4).map { i in
            FinishedSpan(
                traceID: TraceID(high: 1, low: 1), spanID: SpanID(UInt64(i + 1)), parentID: nil, operationName: "op",
                kind: .server, serviceName: "cart", isSegment: true, origin: nil, start: 1_000, end: 2_000)
        }
        for span in spans { try exporter.export([span]) }
        exporter.shutdown()
        #expect(server.requests.count == 4)
        #expect(server.connectionsAccepted == (connections == .keepAlive ? 1 : 4))
        #expect(exporter.stats.retries == 0 && exporter.stats.droppedSpans == 0, "\(exporter.stats)")
    }

    /// The protobuf request written straight from finished spans says what the model's encoder says of the same
    /// spans: resources (the exporter's, the span's service unless they name one), kinds, parents, attributes,
    /// exceptions and error statuses (an error status, an exception, an HTTP 5xx).
    @Test func theDirectProtobufRequestMeansWhatTheModelsEncoderMeans() throws {
        func span(
            _ n: UInt64, service: String, kind: Tracing.SpanKind, parent: UInt64? = nil,
            attributes: [String: AttributeValue] = [:], error: Bool = false, message: String? = nil,
            exceptions: [ExceptionRecord] = []
        ) -> FinishedSpan {
            FinishedSpan(
                traceID: TraceID(high: 0x6700_0000_0000_0001, low: n), spanID: SpanID(n),
                parentID: parent.map(SpanID.init),
                operationName: "op \(n) \u{1b}[2J", kind: kind, serviceName: service, isSegment: parent == nil,
                origin: nil,
                start: 1_700_000_000_000_000_000 + Int64(n), end: 1_700_000_000_100_000_000, attributes: attributes,
                statusError: error, statusMessage: message, exceptions: exceptions)
        }
        let spans = [
            span(1, service: "cart", kind: .server),
            span(2, service: "cart", kind: .client, parent: 1, attributes: ["http.response.status_code": .int(503)]),
            span(3, service: "payments", kind: .internal, parent: 2, attributes: ["service.name": .string("payments")]),
            span(4, service: "cart", kind: .producer, parent: 1, error: true, message: "queue full"),
            span(
                5, service: "cart", kind: .consumer, parent: 4, attributes: ["retries": .int(3), "ok": .bool(false)],
                exceptions: [ExceptionRecord(type: "Timeout", message: "after 5 s")]),
        ]
        for resource in [
            [:], ["deployment.environment": AttributeValue.string("prod")], ["service.name": .string("pinned")],
        ] {
            func decode(_ body: [UInt8]) throws -> [TraceModel.Span] {
                var out: [TraceModel.Span] = []
                try body.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &out) }
                return out.sorted { $0.id.value < $1.id.value }
            }
            let direct = try decode(OTLPHTTPExporter.protobufRequest(spans, resource: resource))
            let viaModel = try decode(
                OTLPProtobufEncoder.request(spans.map { OTLPHTTPExporter.otlpSpan($0, resource: resource) }))
            #expect(direct.count == spans.count)
            #expect(direct == viaModel, "resource \(resource)")
        }
    }

    /// An endpoint that stays down: the batch is retried until its timeout, then dropped and counted — by the
    /// exporter (with the reason) and by the tracer's pipeline.
    @Test func anEndpointThatStaysDownDropsAfterItsRetriesAndCountsThem() async throws {
        let (probe, port) = try bindLoopback(Int32(SOCK_STREAM.rawValue))
        close(probe) // nothing listens there
        let exporter = try OTLPHTTPExporter(endpoint: "http://127.0.0.1:\(port)", timeout: .seconds(1))
        let tracer = TracescopeTracer(
            serviceName: "cart", exporter: exporter, sampler: AlwaysSample(), flushInterval: .seconds(60))
        for i in 0..<5 { tracer.withSpan("op \(i)") { _ in } }
        tracer.shutdown()
        #expect(exporter.stats.droppedBatches == 1 && exporter.stats.droppedSpans == 5)
        #expect(exporter.stats.retries >= 2)
        #expect(exporter.stats.lastError?.contains("gave up after") == true, "\(exporter.stats.lastError ?? "")")
        #expect(tracer.exportStats.failedSpans == 5)
    }

    @Test func aRefusingOTLPEndpointIsCountedNotFatal() async throws {
        let server = try OneShotHTTPServer(status: 400)
        let exporter = try OTLPHTTPExporter(endpoint: "http://127.0.0.1:\(server.port)")
        let tracer = TracescopeTracer(serviceName: "cart", exporter: exporter, sampler: AlwaysSample())
        tracer.withSpan("op") { _ in }
        tracer.shutdown()
        _ = server.request()
        // A 400 is not retried: the same request would be refused again.
        #expect(exporter.stats.retries == 0 && exporter.stats.droppedBatches == 1)
        #expect(tracer.exportStats.failedExports == 1)
        #expect(throws: OTLPHTTPExporter.ConfigurationError.self) {
            _ = try OTLPHTTPExporter(endpoint: "https://collector:4318")
        }
    }

    @Test func daemonAddressForms() {
        #expect(XRayUDPExporter.parse("127.0.0.1:2000")! == ("127.0.0.1", 2000))
        #expect(XRayUDPExporter.parse("tcp:127.0.0.1:2000 udp:127.0.0.2:2001")! == ("127.0.0.2", 2001))
        #expect(XRayUDPExporter.parse("[::1]:2000")! == ("::1", 2000))
        #expect(XRayUDPExporter.parse("nonsense") == nil)
        #expect(XRayUDPExporter.parse("host:99999") == nil)
    }
}

/// Decodes one datagram with the collector's decoder.
func decodeDatagram(_ bytes: [UInt8]) throws -> [TraceModel.Span] {
    var spans: [TraceModel.Span] = []
    let failure: DecodeFailure? = bytes.withUnsafeBytes { raw in
        do throws(DecodeFailure) {
            try DaemonDatagram.decode(raw, into: &spans)
            return nil
        } catch {
            return error
        }
    }
    if let failure { throw failure }
    return spans
}
