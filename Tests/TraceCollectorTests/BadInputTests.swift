import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceCollector
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#endif

/// Garbage in every shape the network can deliver: each is counted with a reason and the collector keeps serving.
@Suite("Collector under bad input", .serialized, .timeLimit(.minutes(3)))
struct BadInputTests {
    static let goodDocument =
        #"{"name":"web","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1700000000,"end_time":1700000000.5}"#

    static func sendUDP(_ payload: [UInt8], to port: Int) {
        (try? UDPSender(port: port))?.send(payload)
    }

    /// One HTTP/1.1 request on a fresh connection; returns the status code (0 when the connection failed).
    static func post(
        port: Int, path: String = "/v1/traces", headers: [String: String], body: [UInt8],
        declaredLength: Int? = nil
    ) -> Int {
        exchange(port: port, path: path, headers: headers, body: body, declaredLength: declaredLength).status
    }

    /// One HTTP/1.1 request on a fresh connection; the status code (0 when the connection failed) and the body.
    static func exchange(
        port: Int, path: String = "/v1/traces", headers: [String: String], body: [UInt8],
        declaredLength: Int? = nil
    ) -> (status: Int, body: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return (0, []) }
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(declaredLength ?? body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Connection: close\r\n\r\n"
        let request = Array(head.utf8) + body
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // The server closes after answering (`Connection: close`): read to the end, or to the receive timeout.
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            response += chunk[0..<n]
        }
        guard response.count > 12 else { return (0, []) }
        let status =
            Int(String(decoding: response.prefix(16), as: UTF8.self).split(separator: " ").dropFirst().first ?? "") ?? 0
        let separator: [UInt8] = [13, 10, 13, 10]
        let bodyStart =
            (0...(response.count - 4)).first { Array(response[$0..<($0 + 4)]) == separator }.map { $0 + 4 }
            ?? response.count
        return (status, Array(response[bodyStart...]))
    }

    static func start() async throws -> Collector {
        let pipeline = IngestPipeline(quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
        var limits = ReceiverLimits.forBudget(pipeline.memoryBudgetBytes)
        limits.maxBodyBytes = 64 * 1024
        limits.idleTimeout = .milliseconds(500)
        return try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: ListenAddress(host: "127.0.0.1", port: 0),
            pipeline: pipeline, limits: limits)
    }

    @Test func garbageDatagramsAreCountedAndTheGoodOnesStillArrive() async throws {
        let collector = try await Self.start()
        let port = try #require(collector.udpAddress?.port)
        Self.sendUDP([0, 1, 2, 3, 0xFF, 0xFE], to: port)
        Self.sendUDP(Array("{\"format\":\"xml\",\"version\":1}\n{}".utf8), to: port)
        Self.sendUDP(Array("no header at all".utf8), to: port)
        Self.sendUDP(Array((DaemonDatagram.header + "{\"name\": \"cut").utf8), to: port)
        Self.sendUDP(
            Array(
                (DaemonDatagram.header
                    + #"{"name":"x\u001b[31m","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1}"#).utf8),
            to: port)
        for _ in 0..<200 { Self.sendUDP(Array("flood".utf8), to: port) }
        Self.sendUDP(Array((DaemonDatagram.header + Self.goodDocument).utf8), to: port)
        for _ in 0..<100 where collector.pipeline.stats.spans < 1 { try await Task.sleep(for: .milliseconds(20)) }
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.spans == 1)
        #expect(stats.datagrams == 206)
        #expect(stats.rejected[.binary] == 1)
        #expect(stats.rejected[.badHeader] == 202)
        #expect(stats.rejected[.truncated] == 1)
        #expect(stats.rejected[.missingField] == 1)
        #expect(stats.rejectionExamples.allSatisfy { $0.contains("datagram from") })
    }

    /// A collector stopping while far behind: what the kernel still holds after the drain is read out and counted
    /// as not processed, so received plus dropped still adds up to what was sent.
    @Test func datagramsLeftAtStopAreCountedNotLost() async throws {
        let collector = try await Self.start()
        let port = try #require(collector.udpAddress?.port)
        let datagram = Array((DaemonDatagram.header + Self.goodDocument).utf8)
        Self.sendUDP(datagram, to: port)
        for _ in 0..<100 where collector.pipeline.stats.spans < 1 { try await Task.sleep(for: .milliseconds(20)) }
        collector.pipeline.discardDatagrams()
        for _ in 0..<50 { Self.sendUDP(datagram, to: port) }
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.spans == 1)
        #expect(stats.unprocessedAtStop == 50, "\(stats)")
        #expect(stats.datagrams == 1 + stats.unprocessedAtStop)
    }

    @Test func badHTTPRequestsGetTheRightStatusAndAreCounted() async throws {
        let collector = try await Self.start()
        let port = try #require(collector.otlpAddress?.port)
        let protobuf = ["Content-Type": "application/x-protobuf"]
        // A truncated protobuf: field 1 claims 100 bytes, 3 follow.
        #expect(Self.post(port: port, headers: protobuf, body: [0x0A, 100, 1, 2, 3]) == 400)
        #expect(
            Self.post(port: port, headers: ["Content-Type": "application/json"], body: Array("{not json".utf8)) == 400)
        #expect(Self.post(port: port, headers: ["Content-Type": "text/plain"], body: Array("hi".utf8)) == 415)
        #expect(Self.post(port: port, headers: protobuf, body: [UInt8](repeating: 0x0A, count: 70 * 1024)) == 413)
        #expect(Self.post(port: port, path: "/v1/metrics", headers: protobuf, body: []) == 404)
        #expect(
            Self.post(
                port: port, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"],
                body: Array("not gzip".utf8)) == 400)
        // A slow client that promises a body and never sends it is cut off by the idle timeout.
        #expect(Self.post(port: port, headers: protobuf, body: [], declaredLength: 500) == 0)
        // Still serving: a good OTLP JSON request, gzip-compressed.
        let json =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000001","name":"GET","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"}]}]}]}"#
        let compressed = try Self.gzip(json)
        #expect(
            Self.post(
                port: port, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"], body: compressed)
                == 200)
        #expect(Self.post(port: port, headers: ["Content-Type": "application/json"], body: Array(json.utf8)) == 200)
        // The X-Ray SDKs' sampling poller, on the daemon port.
        let udpPort = try #require(collector.udpAddress?.port)
        #expect(
            Self.post(
                port: udpPort, path: "/GetSamplingRules", headers: ["Content-Type": "application/json"],
                body: Array("{}".utf8)) == 200)
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.spans == 2)
        #expect(stats.rejected[.truncated] ?? 0 >= 2)
        #expect(stats.rejected[.tooLarge] == 1)
        #expect(stats.rejected[.unknownRecord] == 1)
    }

    /// A batch with bad spans keeps its good ones and says, as the OTLP spec asks, how many it rejected and why.
    @Test func badSpansAreRejectedAloneWithAPartialSuccess() async throws {
        let collector = try await Self.start()
        let port = try #require(collector.otlpAddress?.port)
        var request = ProtoWriter()
        request.resourceSpans(service: "cart") { scope in
            for (i, spanID) in [[UInt8](repeating: 1, count: 8), [1, 2, 3], [UInt8](repeating: 3, count: 8)]
                .enumerated()
            {
                scope.message(2) { span in
                    span.bytes(1, [UInt8](repeating: 0x5A, count: 16))
                    span.bytes(2, spanID)
                    span.string(5, "GET \(i)")
                    span.varint(6, 2)
                    span.fixed64(7, 1_700_000_000_000_000_000)
                    span.fixed64(8, 1_700_000_000_100_000_000)
                }
            }
        }
        let protobuf = Self.exchange(
            port: port, headers: ["Content-Type": "application/x-protobuf"], body: request.bytes)
        #expect(protobuf.status == 200)
        // ExportTraceServiceResponse { partial_success { rejected_spans: 1, error_message: "…" } }
        #expect(Array(protobuf.body.dropFirst(2).prefix(3)) == [0x08, 0x01, 0x12])
        #expect(String(decoding: protobuf.body, as: UTF8.self).contains("span_id is 3 bytes, not 8"))

        let json =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000009","name":"GET","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"},{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"000000000000000a","name":"no start"}]}]}]}"#
        let answer = Self.exchange(port: port, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
        #expect(answer.status == 200)
        #expect(
            String(decoding: answer.body, as: UTF8.self)
                == #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span 000000000000000a has no startTimeUnixNano"}}"#
        )
        // An empty request is a valid one.
        let empty = Self.exchange(port: port, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
        #expect(empty.status == 200 && empty.body == Array("{}".utf8))
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.spans == 3)
        #expect(stats.rejected[.invalidField] == 1)
        #expect(stats.rejected[.missingField] == 1)
    }

    /// A service naming itself after each request (a request id in `service.name`) must not grow the graph forever.
    @Test func runawayServiceNamesFoldIntoOther() {
        let pipeline = IngestPipeline(quietPeriodSeconds: 0, memoryBudgetBytes: 16 << 20, clock: { 0 })
        for i in 0..<2_000 {
            let span = Span(
                traceID: TraceID(high: 1, low: UInt64(i + 1)), id: SpanID(UInt64(i + 1)), name: "svc-req-\(i)",
                start: 1_700_000_000_000_000_000, end: 1_700_000_000_100_000_000)
            pipeline.ingest([span])
        }
        pipeline.finish()
        let graph = pipeline.analyzer.graph
        let room = (graph.maxBytes ?? 0) / ServiceGraph.typicalWindowedEntryBytes
        #expect(graph.nodes.count + graph.edges.count <= room + 4)
        #expect(graph.bytes <= graph.maxBytes ?? 0)
        #expect(graph.foldedRequests > 1_800)
        #expect(graph.nodes[.overflow] != nil)
        #expect(pipeline.stats.foldedRequests == graph.foldedRequests)
    }

    static func gzip(_ text: String) throws -> [UInt8] {
        try ChildProcess.run(["gzip", "-c"], stdin: Data(text.utf8)).stdoutBytes
    }
}
