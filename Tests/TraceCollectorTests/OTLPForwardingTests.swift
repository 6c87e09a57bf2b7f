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

/// `collect --forward-otlp`: collector A forwards to collector B (an OTLP tier) over TLS, with real SDK traffic in.
@Suite("OTLP forwarding", .serialized, .timeLimit(.minutes(10)))
struct OTLPForwardingTests {
    /// A CA and a server certificate for 127.0.0.1 it signed, made with openssl.
    static func makeCertificates() throws -> (ca: String, cert: String, key: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(dir)'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=tracescope-test-ca
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
                -extfile ext.cnf
            """
        let run = try ChildProcess.run(["/bin/sh", "-c", script], timeout: .seconds(60))
        try #require(run.status == 0, "openssl: \(run.stderr)")
        return ("\(dir)/ca.pem", "\(dir)/server.pem", "\(dir)/server.key")
    }

    static func clock() -> EpochNanos { Int64(Date().timeIntervalSince1970 * 1e9) }

    static func startBelowEphemeralPorts(tls: (ca: String, cert: String, key: String), file: XRayLinesFile)
        async throws -> Collector
    {
        for _ in 0..<50 {
            if let b = try? await startB(port: Int.random(in: 20_000..<32_000), tls: tls, file: file) { return b }
        }
        return try await startB(port: 0, tls: tls, file: file)
    }

    /// B back on its port. A machine busy with the other suites was seen to refuse the port for more than five
    /// seconds after B stopped (EADDRINUSE despite SO_REUSEADDR): try for a minute, and if it still fails, say what
    /// holds the port.
    static func restartB(port: Int, tls: (ca: String, cert: String, key: String), file: XRayLinesFile) async throws
        -> Collector
    {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let b = try? await startB(port: port, tls: tls, file: file) { return b }
            try await Task.sleep(for: .milliseconds(250))
        }
        let holders = try? ChildProcess.run(["/bin/sh", "-c", "ss -tuanp 2>&1 | grep ':\(port)\\b'"])
        Issue.record("port \(port) still held a minute after B stopped:\n\(holders?.stdout ?? "")")
        return try await startB(port: port, tls: tls, file: file)
    }

    static func startB(port: Int, tls: (ca: String, cert: String, key: String), file: XRayLinesFile) async throws
        -> Collector
    {
        let pipeline = IngestPipeline(
            quietPeriodSeconds: 0.5, clock: clock, sink: { spans, _ in try? file.append(spans) })
        return try await Collector.start(
            udp: nil, otlp: ListenAddress(host: "127.0.0.1", port: port),
            otlpTLS: Collector.TLSFiles(certificatePath: tls.cert, privateKeyPath: tls.key), pipeline: pipeline)
    }

    static func summary(of path: String) throws -> String {
        var analyzer = TraceAnalyzer(quietPeriodSeconds: 30, maxOpenTraces: 10_000, seriesCapacity: 16)
        _ = try TraceFileReader.read(path: path) { analyzer.ingest($0) }
        analyzer.finish()
        var summary = SummaryBuilder.build(from: analyzer)
        summary.inputs = []
        return SummaryJSONReport.render(summary)
    }

    static func waitUntil(_ condition: () -> Bool, seconds: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test func aForwardsToBOverTLSAndNothingIsLostWhileBIsDown() async throws {
        try await PythonTools.ensure(module: "aws_xray_sdk", package: "aws-xray-sdk")
        try await PythonTools.ensure(
            module: "opentelemetry.exporter.otlp.proto.http", package: "opentelemetry-exporter-otlp-proto-http")
        let tls = try Self.makeCertificates()
        let temp = FileManager.default.temporaryDirectory
        let pathA = temp.appendingPathComponent("a-\(UUID()).jsonl").path
        let pathB = temp.appendingPathComponent("b-\(UUID()).jsonl").path
        defer {
            try? FileManager.default.removeItem(atPath: pathA)
            try? FileManager.default.removeItem(atPath: pathB)
        }
        let fileA = try XRayLinesFile(path: pathA)
        let fileB = try XRayLinesFile(path: pathB)
        // B comes back on its port after being down: a port below the system's ephemeral range (32768 up), which no
        // outgoing connection of a test running beside this one can take in the meantime.
        var b = try await Self.startBelowEphemeralPorts(tls: tls, file: fileB)
        let portB = try #require(b.otlpAddress?.port)

        let http = try BackendHTTPClient.make(caFile: tls.ca)
        let forwarder = OTLPForwarder(
            OTLPForwarder.Options(url: try #require(URL(string: "https://127.0.0.1:\(portB)")), gzip: true), http: http)
        let pipelineA = IngestPipeline(
            quietPeriodSeconds: 0.5, clock: Self.clock,
            sink: { spans, raw in
                try? fileA.append(spans)
                forwarder.submit(spans, otlpProtobuf: raw)
            })
        let a = try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: ListenAddress(host: "127.0.0.1", port: 0),
            pipeline: pipelineA)

        _ = try await RealClientTests.runClient("xray_client.py", ["service"], collector: a)
        _ = try await RealClientTests.runClient("otel_client.py", collector: a)
        try await Self.waitUntil { forwarder.stats.forwarded >= 30 && a.pipeline.stats.spans >= 30 }
        let firstRound = a.pipeline.stats.spans
        #expect(forwarder.stats.forwarded == firstRound)

        // B goes away for ten seconds while A keeps receiving.
        try await b.stop()
        _ = try await RealClientTests.runClient("otel_client.py", collector: a)
        _ = try await RealClientTests.runClient("xray_client.py", ["service"], collector: a)
        try await Task.sleep(for: .seconds(10))
        #expect(forwarder.stats.retried > 0)
        b = try await Self.restartB(port: portB, tls: tls, file: fileB)
        try await Self.waitUntil { forwarder.stats.forwarded >= a.pipeline.stats.spans }
        try await a.stop()
        await forwarder.drain()
        try await b.stop()
        try await http.shutdown()
        fileA.close()
        fileB.close()

        let stats = forwarder.stats
        #expect(stats.dropped == 0)
        #expect(stats.rejected == 0, "\(stats.lastError ?? "")")
        #expect(stats.forwarded == a.pipeline.stats.spans)
        #expect(a.pipeline.stats.spans == 2 * firstRound)
        // B's record of what A forwarded summarizes exactly as A's record of what it received.
        let (summaryA, summaryB) = (try Self.summary(of: pathA), try Self.summary(of: pathB))
        #expect(summaryB == summaryA)
    }

    /// A backend that never answers and a queue of 100: every span is accounted for, dropped on a full queue or
    /// at the drain's deadline, and the receivers never waited.
    @Test func aFullQueueDropsAndTheCountsAddUp() async throws {
        let (fd, port) = try bindLoopback(Int32(SOCK_STREAM.rawValue))
        close(fd)
        let forwarder = OTLPForwarder(
            OTLPForwarder.Options(
                url: try #require(URL(string: "http://127.0.0.1:\(port)")), maxQueuedSpans: 100,
                flushInterval: .milliseconds(20), drainTimeout: .seconds(1)),
            http: BackendHTTPClient.shared)
        let began = ContinuousClock.now
        for i in 0..<250 {
            forwarder.submit(
                [
                    Span(
                        traceID: TraceID(high: 1, low: UInt64(i + 1)), id: SpanID(UInt64(i + 1)), name: "svc",
                        start: 1_700_000_000_000_000_000, end: 1_700_000_000_100_000_000)
                ], otlpProtobuf: nil)
        }
        #expect(ContinuousClock.now - began < .milliseconds(200))
        #expect(forwarder.stats.dropped >= 150 - 100)
        await forwarder.drain()
        let stats = forwarder.stats
        #expect(stats.forwarded == 0)
        #expect(stats.dropped == 250)
        #expect(stats.retried > 0)
    }

    /// What goes on the wire: protobuf, gzip, the headers asked for, a SigV4 signature for X-Ray's OTLP endpoint;
    /// `Retry-After` honoured; `partial_success` rejections counted.
    @Test func requestsAreSignedCompressedAndRetriedAsAsked() async throws {
        let calls = RetryCounter()
        let server = try ScriptedHTTPServer { request in
            calls.add()
            if calls.value == 1 { return .init(status: 429, headers: [("Retry-After", "1")]) }
            var partial = ProtobufWriter()
            partial.messageField(1) { p in
                p.varintField(1, 1)
                p.stringField(2, "one span too old")
            }
            return .init(status: 200, headers: [("Content-Type", "application/x-protobuf")], body: partial.bytes)
        }
        defer { server.close() }
        let credentials = CredentialChain(
            fixed: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            http: BackendHTTPClient.shared)
        let forwarder = OTLPForwarder(
            OTLPForwarder.Options(
                url: try #require(URL(string: server.url)), headers: [("x-tenant", "shop")], gzip: true,
                flushInterval: .milliseconds(20), sigV4: ("xray", "eu-west-1", credentials)),
            http: BackendHTTPClient.shared)
        let spans = (1...3).map { i in
            Span(
                traceID: TraceID(high: 7, low: UInt64(i)), id: SpanID(UInt64(i)), name: "checkout",
                origin: "AWS::Lambda::Function", start: 1_700_000_000_000_000_000, end: 1_700_000_000_100_000_000)
        }
        let began = ContinuousClock.now
        forwarder.submit(spans, otlpProtobuf: nil)
        await forwarder.drain()
        #expect(ContinuousClock.now - began >= .seconds(1), "Retry-After: 1 was not honoured")
        let stats = forwarder.stats
        #expect(stats.retried == 1)
        #expect(stats.forwarded == 2)
        #expect(stats.rejected == 1)
        #expect(stats.lastError?.contains("one span too old") == true)

        let request = try #require(server.requests.last)
        #expect(request.path == "/v1/traces")
        #expect(request.headers["content-type"] == "application/x-protobuf")
        #expect(request.headers["content-encoding"] == "gzip")
        #expect(request.headers["x-tenant"] == "shop")
        #expect(request.headers["authorization"]?.contains("/eu-west-1/xray/aws4_request") == true)
        let inflater = try GzipInflater()
        var body: [UInt8] = []
        try request.body.withUnsafeBytes { raw in try inflater.push(raw) { body += $0 } }
        var decoded: [Span] = []
        let rejected = try body.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &decoded) }
        #expect(rejected.isEmpty)
        #expect(decoded.map(\.id) == spans.map(\.id))
        #expect(
            decoded.allSatisfy { $0.serviceName == "checkout" && $0.kind == .server },
            "\(decoded.map { ($0.serviceName ?? "nil", $0.kind) })")
        #expect(decoded.first?.attribute("aws.xray.origin") == .string("AWS::Lambda::Function"))
    }
}
