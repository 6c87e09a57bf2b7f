import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceBackends
import TraceCollector
import TraceFiles
import TraceFormats
import TraceModel
import TraceReports

/// `collect --forward-xray` and `--forward-udp`: the collector on loopback, real SDK traffic in, X-Ray (moto) or a
/// daemon (a UDP socket) out.
@Suite("Forwarding", .serialized, .timeLimit(.minutes(10)))
struct ForwardingTests {
    static func client(_ url: String, maxAttempts: Int = 6) throws -> XRayClient {
        let credentials = CredentialChain(
            fixed: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            http: BackendHTTPClient.shared)
        return XRayClient(
            endpoint: try #require(URL(string: url)), region: "us-east-1", credentials: credentials,
            http: BackendHTTPClient.shared, timeout: .seconds(10), maxAttempts: maxAttempts, baseDelay: .milliseconds(5)
        )
    }

    static func summaryJSON(_ analyzer: TraceAnalyzer) -> String {
        var summary = SummaryBuilder.build(from: analyzer)
        summary.inputs = []
        return SummaryJSONReport.render(summary)
    }

    /// The X-Ray SDK's and the OTel SDK's traffic, forwarded: everything lands in moto, and the account's traces,
    /// read back, summarize exactly as what the collector recorded.
    @Test func realSDKTrafficLandsInXRayWithNothingLost() async throws {
        try await PythonTools.ensure(module: "aws_xray_sdk", package: "aws-xray-sdk")
        try await PythonTools.ensure(
            module: "opentelemetry.exporter.otlp.proto.http", package: "opentelemetry-exporter-otlp-proto-http")
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let start = Date().addingTimeInterval(-5)
        let forwarder = XRayForwarder(client: try Self.client(moto.url), flushInterval: .milliseconds(100))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("forwarded-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try XRayLinesFile(path: path)
        let pipeline = IngestPipeline(
            quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) },
            sink: { spans, _ in
                try? file.append(spans)
                forwarder.submit(spans)
            })
        let collector = try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: ListenAddress(host: "127.0.0.1", port: 0),
            pipeline: pipeline)
        _ = try await RealClientTests.runClient("xray_client.py", ["service"], collector: collector)
        _ = try await RealClientTests.runClient("otel_client.py", collector: collector)
        try await RealClientTests.waitForSpans(29, in: collector)
        try await collector.stop()
        await forwarder.drain()
        file.close()

        let stats = forwarder.stats
        #expect(stats.rejected == 0, "\(stats.lastError ?? "")")
        #expect(stats.dropped == 0)
        #expect(stats.forwarded == collector.pipeline.stats.spans)

        // Read back with boto3: every trace and segment is there.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TracescopeCLITests/Scripts/xray_boto3.py").path
        let end = Date().addingTimeInterval(5)
        let count = try PythonTools.run(
            ["python3", script, "count", "\(start.timeIntervalSince1970)", "\(end.timeIntervalSince1970)"],
            environment: moto.environment)
        #expect(count.status == 0, "\(count.output)")
        var recorded = TraceAnalyzer(quietPeriodSeconds: 30, maxOpenTraces: 10_000, seriesCapacity: 16)
        _ = try TraceFileReader.read(path: path) { recorded.ingest($0) }
        recorded.finish()
        #expect(count.output.contains(#""traces": \#(recorded.traces.total)"#), "\(count.output)")

        // And through our own reader: the same summary as the recording.
        let fetcher = XRayTraceFetcher(client: try Self.client(moto.url))
        let (ids, _) = try await fetcher.traceIDs(start: start, end: end, filter: nil)
        var fetched = TraceAnalyzer(quietPeriodSeconds: 30, maxOpenTraces: 10_000, seriesCapacity: 16)
        let outcome = try await fetcher.fetch(ids: ids) { fetched.ingest($0) }
        fetched.finish()
        #expect(outcome.stats.rejectedCount == 0)
        #expect(Self.summaryJSON(fetched) == Self.summaryJSON(recorded))
    }

    /// A slow X-Ray and a small queue: the receivers never wait, and every span that did not fit is counted.
    @Test func aFullQueueDropsAndCountsExactly() async throws {
        let server = try ScriptedHTTPServer { request in
            usleep(300_000)
            let sent = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
            _ = sent
            return .json(#"{"UnprocessedTraceSegments":[]}"#)
        }
        defer { server.close() }
        let forwarder = XRayForwarder(
            client: try Self.client(server.url), maxQueuedSpans: 100, batchDocuments: 1000,
            flushInterval: .seconds(30))
        let spans = (0..<250).map { i in
            Span(
                traceID: TraceID(high: 0x5759_e988_0000_0000, low: UInt64(i + 1)), id: SpanID(UInt64(i + 1)),
                name: "svc", start: 1_700_000_000_000_000_000, end: 1_700_000_000_100_000_000)
        }
        let began = ContinuousClock.now
        for span in spans { forwarder.submit([span]) }
        #expect(ContinuousClock.now - began < .milliseconds(200), "submitting must not wait for X-Ray")
        await forwarder.drain()
        let stats = forwarder.stats
        #expect(stats.dropped == 150)
        #expect(stats.forwarded == 100)
        #expect(stats.forwarded + stats.dropped + stats.rejected == 250)
    }

    /// X-Ray refuses some segments: they are put once more, then counted as rejected.
    @Test func unprocessedSegmentsAreRetriedOnceThenCounted() async throws {
        let calls = RetryCounter()
        let server = try ScriptedHTTPServer { request in
            calls.add()
            let sent = (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
            let documents = (sent["TraceSegmentDocuments"] as? [String]) ?? []
            // The segment whose id ends in 1 is refused every time; 2 only the first time.
            let refused = documents.compactMap { text -> String? in
                let id = XRayForwarder.documentID(text)
                return id.hasSuffix("1") || (id.hasSuffix("2") && calls.value == 1) ? id : nil
            }
            let entries = refused.map { #"{"Id":"\#($0)","ErrorCode":"ValidationException","Message":"bad"}"# }
            return .json(#"{"UnprocessedTraceSegments":[\#(entries.joined(separator: ","))]}"#)
        }
        defer { server.close() }
        let forwarder = XRayForwarder(client: try Self.client(server.url), flushInterval: .milliseconds(50))
        forwarder.submit(
            (1...3).map { i in
                Span(
                    traceID: TraceID(high: 0x5759_e988_0000_0000, low: UInt64(i)), id: SpanID(UInt64(i)), name: "svc",
                    start: 1_700_000_000_000_000_000, end: 1_700_000_000_100_000_000)
            })
        await forwarder.drain()
        let stats = forwarder.stats
        #expect(stats.forwarded == 2)
        #expect(stats.rejected == 1)
        #expect(stats.retried == 2)
        #expect(stats.lastError?.contains("ValidationException") == true)
    }

    /// `--forward-udp`: each accepted datagram goes on byte for byte; garbage does not.
    @Test func datagramsAreForwardedVerbatim() async throws {
        let daemon = try UDPReceiver()
        defer { daemon.close() }
        let forwarder = try DaemonUDPForwarder(host: "127.0.0.1", port: daemon.port)
        defer { forwarder.close() }
        let pipeline = IngestPipeline(
            quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) },
            datagramSink: { forwarder.forward($0) })
        let collector = try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: nil, pipeline: pipeline)
        try await PythonTools.ensure(module: "aws_xray_sdk", package: "aws-xray-sdk")
        _ = try await RealClientTests.runClient("xray_client.py", ["service"], collector: collector)
        try await RealClientTests.waitForSpans(7, in: collector)
        let sender = try UDPSender(port: collector.udpAddress?.port ?? 0)
        sender.send(Array("not a datagram".utf8))
        try await Task.sleep(for: .milliseconds(200))
        try await collector.stop()
        let received = daemon.receiveAll()
        #expect(UInt64(received.count) == collector.pipeline.stats.datagrams - 1)
        #expect(forwarder.stats.forwarded == UInt64(received.count))
        #expect(received.allSatisfy { $0.starts(with: Array(#"{"format":"json","version":1}"#.utf8)) })
        var spans: [Span] = []
        for datagram in received {
            try datagram.withUnsafeBytes { try DaemonDatagram.decode($0, into: &spans) }
        }
        #expect(UInt64(spans.count) == collector.pipeline.stats.spans)
    }

    /// A segment whose subsegments make it over X-Ray's 64 KB goes as independent documents; a single span still over
    /// it is refused and counted, and never sent.
    @Test func documentsOverSixtyFourKilobytesAreSplitOrRefused() async throws {
        let server = try ScriptedHTTPServer { _ in .json(#"{"UnprocessedTraceSegments":[]}"#) }
        defer { server.close() }
        let forwarder = XRayForwarder(client: try Self.client(server.url), flushInterval: .milliseconds(50))
        let trace = TraceID(high: 0x5759_e988_0000_0000, low: 7)
        let root = Span(
            traceID: trace, id: SpanID(1), name: "api", start: 1_700_000_000_000_000_000,
            end: 1_700_000_001_000_000_000)
        let children = (2...40).map { i in
            Span(
                traceID: trace, id: SpanID(UInt64(i)), parentID: SpanID(1), name: "call", kind: .internal,
                isSegment: false, start: 1_700_000_000_100_000_000, end: 1_700_000_000_200_000_000,
                metadataJSON: #"{"blob":"\#(String(repeating: "x", count: 3000))"}"#)
        }
        let huge = Span(
            traceID: trace, id: SpanID(99), parentID: SpanID(1), name: "huge", kind: .internal, isSegment: false,
            start: 1_700_000_000_100_000_000, end: 1_700_000_000_200_000_000,
            metadataJSON: #"{"blob":"\#(String(repeating: "y", count: 70_000))"}"#)
        forwarder.submit([root] + children + [huge])
        await forwarder.drain()
        let stats = forwarder.stats
        #expect(stats.forwarded == 40)
        #expect(stats.rejected == 1)
        #expect(stats.lastError?.contains("64 KB") == true)
        for request in server.requests {
            let sent = try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            for document in (sent?["TraceSegmentDocuments"] as? [String]) ?? [] {
                #expect(document.utf8.count <= 64 * 1024)
            }
        }
    }

    /// A truncated or malformed BatchGetTraces answer is counted as a rejected record and the rest goes on.
    @Test func aMalformedTraceAnswerIsCountedNotFatal() async throws {
        let server = try ScriptedHTTPServer { _ in .json(#"{"Traces":[{"Id":"1-5759e988-"#) }
        defer { server.close() }
        let fetcher = XRayTraceFetcher(client: try Self.client(server.url))
        let outcome = try await fetcher.fetch(ids: ["1-5759e988-bd862e3fe1be46a994272793"]) { _ in }
        #expect(outcome.stats.rejectedCount == 1)
        #expect(outcome.stats.spans == 0)
        #expect(outcome.stats.records == 1)
        #expect(outcome.stats.examples.first?.description.contains("BatchGetTraces") == true)
    }
}
