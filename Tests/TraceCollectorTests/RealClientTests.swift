import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFiles
import TraceModel

@testable import TraceCollector

/// The collector on loopback, driven by the AWS X-Ray SDK and the OpenTelemetry SDK for Python.
@Suite("Collector with real SDKs", .serialized, .timeLimit(.minutes(12)))
struct RealClientTests {
    static let clients = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Clients")

    static func startCollector() async throws -> Collector {
        let pipeline = IngestPipeline(quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
        return try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0),
            otlp: ListenAddress(host: "127.0.0.1", port: 0),
            grpc: GRPCReceiver.Options(address: ListenAddress(host: "127.0.0.1", port: 0)), pipeline: pipeline)
    }

    /// Runs a client script with the collector's addresses in its environment.
    static func runClient(_ script: String, _ arguments: [String] = [], collector: Collector) async throws -> String {
        let udp = collector.udpAddress.map { "\($0)" } ?? ""
        let otlp = collector.otlpAddress.map { "http://\($0)" } ?? ""
        let grpc = collector.grpcAddress.map { "http://\($0)" } ?? ""
        let run = try await PythonTools.runDetached(
            [
                "env", "AWS_XRAY_DAEMON_ADDRESS=\(udp)", "OTEL_EXPORTER_OTLP_ENDPOINT=\(otlp)",
                "OTEL_GRPC_ENDPOINT=\(grpc)",
                "OTEL_BSP_SCHEDULE_DELAY=50", "python3", clients.appendingPathComponent(script).path,
            ] + arguments)
        #expect(run.status == 0, "\(script) failed: \(run.output)")
        return run.output
    }

    /// Waits until `count` spans arrived (UDP is asynchronous) or five seconds pass.
    static func waitForSpans(_ count: UInt64, in collector: Collector) async throws {
        for _ in 0..<100 where collector.pipeline.stats.spans < count {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func theXRaySDKForPython() async throws {
        try await PythonTools.ensure(module: "aws_xray_sdk", package: "aws-xray-sdk")
        let collector = try await Self.startCollector()
        _ = try await Self.runClient("xray_client.py", ["service"], collector: collector)
        _ = try await Self.runClient("xray_client.py", ["lambda"], collector: collector)
        try await Self.waitForSpans(10, in: collector)
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.rejectedCount == 0, "\(stats.rejectionExamples)")
        #expect(stats.spans == 10)
        let graph = collector.pipeline.analyzer.graph
        let orders = NodeKey(name: "orders-api", type: nil)
        let api = try #require(graph.nodes[orders])
        #expect(api.total == 3)
        #expect(api.ok == 1)
        #expect(api.faults == 1)
        #expect(api.throttles == 1)
        #expect(graph.edges[EdgeKey(from: .client, to: orders)]?.total == 3)
        let inventory = try #require(
            graph.edges[EdgeKey(from: orders, to: NodeKey(name: "inventory.internal", type: "remote"))])
        #expect(inventory.throttles == 1 && inventory.total == 1)
        let dynamo = try #require(
            graph.edges[EdgeKey(from: orders, to: NodeKey(name: "DynamoDB", type: "AWS::DynamoDB::Table"))])
        #expect(dynamo.faults == 1 && dynamo.total == 1)
        // Lambda mode: the facade segment never arrives; its calls are kept, owned by "unknown".
        #expect(graph.edges[EdgeKey(from: .unknown, to: NodeKey(name: "S3", type: "AWS::S3::Bucket"))]?.total == 1)
        #expect(graph.edges.count == 4)
    }

    /// The same traffic over OTLP/HTTP and over OTLP/gRPC, with and without gzip: the same graph, exactly.
    @Test(arguments: [["http"], ["grpc", "none"], ["grpc", "gzip"]])
    func theOpenTelemetrySDKForPython(transport: [String]) async throws {
        try await PythonTools.ensure(
            module: "opentelemetry.exporter.otlp.proto.http", package: "opentelemetry-exporter-otlp-proto-http")
        try await PythonTools.ensure(
            module: "opentelemetry.exporter.otlp.proto.grpc", package: "opentelemetry-exporter-otlp-proto-grpc")
        let collector = try await Self.startCollector()
        _ = try await Self.runClient("otel_client.py", transport, collector: collector)
        try await Self.waitForSpans(22, in: collector)
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.rejectedCount == 0, "\(stats.rejectionExamples)")
        #expect(stats.spans == 22)
        let graph = collector.pipeline.analyzer.graph
        let frontend = NodeKey(name: "frontend", type: nil)
        let cart = NodeKey(name: "cart", type: nil)
        let fulfillment = NodeKey(name: "fulfillment", type: nil)
        #expect(graph.edges[EdgeKey(from: .client, to: frontend)]?.total == 4)
        let pair = try #require(graph.edges[EdgeKey(from: frontend, to: cart)])
        #expect(pair.total == 4 && pair.faults == 1 && pair.ok == 3)
        #expect(graph.nodes[cart]?.faults == 1)
        #expect(graph.nodes[frontend]?.faults == 1)
        #expect(graph.edges[EdgeKey(from: cart, to: NodeKey(name: "carts", type: "database"))]?.total == 4)
        #expect(graph.edges[EdgeKey(from: cart, to: fulfillment)]?.total == 3)
        #expect(graph.nodes[fulfillment]?.total == 3)
        #expect(graph.edges.count == 4)
        #expect(graph.nodes.count == 5)
    }
}

/// OTLP/gRPC refused as the spec asks when the input is bad, counted, and the receiver keeps serving.
@Suite("OTLP/gRPC under bad input", .serialized, .timeLimit(.minutes(5)))
struct GRPCBadInputTests {
    @Test func badPeersAreRefusedAndTheReceiverKeepsServing() async throws {
        try await PythonTools.ensure(module: "grpc", package: "grpcio")
        try await PythonTools.ensure(module: "h2", package: "h2")
        let pipeline = IngestPipeline(quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
        let limit = 64 * 1024
        let collector = try await Collector.start(
            udp: nil, otlp: nil,
            grpc: GRPCReceiver.Options(address: ListenAddress(host: "127.0.0.1", port: 0), maxMessageBytes: limit),
            pipeline: pipeline)
        defer { Task { try? await collector.stop() } }
        let address = try #require(collector.grpcAddress)
        let run = try PythonTools.run(
            [
                "python3", RealClientTests.clients.appendingPathComponent("grpc_bad_client.py").path, "\(address)",
                "\(limit)",
            ])
        try #require(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(results["truncated"] == "INVALID_ARGUMENT")
        #expect(results["oversized"] == "RESOURCE_EXHAUSTED")
        #expect(results["wrongtype"]?.hasPrefix("415") == true, "\(results["wrongtype"] ?? "")")
        for key in ["after_truncated", "after_oversized", "after_garbage", "after_wrongtype", "during_silent"] {
            #expect(results[key] == "OK", "\(key): \(results[key] ?? "nothing")")
        }
        let stats = pipeline.stats
        #expect(
            stats.rejected[.truncated, default: 0] + stats.rejected[.invalidJSON, default: 0] >= 1, "\(stats.rejected)")
        #expect(stats.rejected[.tooLarge, default: 0] == 1, "\(stats.rejected)")
    }

    @Test func busyAnswersCarryARetryDelay() {
        // RetryInfo{retry_delay: Duration{seconds: 1}}, as the OpenTelemetry SDKs read it.
        #expect(RetryInfo.retryInfo(seconds: 1) == [0x0A, 0x02, 0x08, 0x01])
        let status = RetryInfo.status(seconds: 1, code: 8, message: "busy")
        #expect(status.starts(with: [0x08, 0x08, 0x12, 0x04]))
        #expect(status.suffix(4) == [0x0A, 0x02, 0x08, 0x01])
    }
}

@Suite("collect --out", .serialized, .timeLimit(.minutes(12)))
struct RecordingTests {
    /// OTLP from the real SDK, recorded as X-Ray JSON lines, read back: the same services, edges and counts.
    @Test func theRecordedFileDrawsTheSameGraph() async throws {
        try await PythonTools.ensure(
            module: "opentelemetry.exporter.otlp.proto.http", package: "opentelemetry-exporter-otlp-proto-http")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recorded-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try XRayLinesFile(path: path)
        let pipeline = IngestPipeline(
            quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) },
            sink: { spans, _ in try? file.append(spans) })
        let collector = try await Collector.start(
            udp: nil, otlp: ListenAddress(host: "127.0.0.1", port: 0), pipeline: pipeline)
        _ = try await RealClientTests.runClient("otel_client.py", collector: collector)
        try await RealClientTests.waitForSpans(22, in: collector)
        try await collector.stop()
        file.close()

        var replay = TraceAnalyzer()
        let stats = try TraceFileReader.read(path: path) { replay.ingest($0) }
        replay.finish()
        #expect(stats.rejectedCount == 0)
        let live = collector.pipeline.analyzer.graph
        let recorded = replay.graph
        // Names, edges and counts survive; the X-Ray format has no "queue" type, so a Kafka hop is a plain edge.
        #expect(
            Set(recorded.edges.keys.map { "\($0.from.name)->\($0.to.name)" })
                == Set(live.edges.keys.map { "\($0.from.name)->\($0.to.name)" }))
        for (edge, stats) in live.edges {
            let match = recorded.edges.first { $0.key.from.name == edge.from.name && $0.key.to.name == edge.to.name }?
                .value
            #expect(match?.total == stats.total, "\(edge)")
            #expect(match?.faults == stats.faults, "\(edge)")
        }
        #expect(recorded.edges.keys.contains { $0.to == NodeKey(name: "carts", type: "database") })
    }
}
