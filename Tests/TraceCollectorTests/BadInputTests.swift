#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport
import TraceAnalysis
import TraceCollector
import TraceFormats
import TraceModel

/// Garbage in every shape the network can deliver: each is counted with a reason and the collector keeps serving.
@Suite("Collector under bad input", .serialized, .timeLimit(.minutes(3)))
struct BadInputTests {
    static let goodDocument = #"{"name":"web","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1700000000,"end_time":1700000000.5}"#

    static func sendUDP(_ payload: [UInt8], to port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = payload.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One HTTP/1.1 request on a fresh connection; returns the status code (0 when the connection failed).
    static func post(port: Int, path: String = "/v1/traces", headers: [String: String], body: [UInt8],
                     declaredLength: Int? = nil) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return 0 }
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(declaredLength ?? body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Connection: close\r\n\r\n"
        let request = Array(head.utf8) + body
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response = [UInt8](repeating: 0, count: 4096)
        let n = response.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 12 else { return 0 }
        let line = String(decoding: response[0..<n], as: UTF8.self)
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func start() async throws -> Collector {
        let pipeline = IngestPipeline(quietPeriodSeconds: 0.5, clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
        return try await Collector.start(udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: ListenAddress(host: "127.0.0.1", port: 0),
                                         pipeline: pipeline, maxBodyBytes: 64 * 1024, idleTimeout: .milliseconds(500))
    }

    @Test func garbageDatagramsAreCountedAndTheGoodOnesStillArrive() async throws {
        let collector = try await Self.start()
        let port = try #require(collector.udpAddress?.port)
        Self.sendUDP([0, 1, 2, 3, 0xFF, 0xFE], to: port)
        Self.sendUDP(Array("{\"format\":\"xml\",\"version\":1}\n{}".utf8), to: port)
        Self.sendUDP(Array("no header at all".utf8), to: port)
        Self.sendUDP(Array((DaemonDatagram.header + "{\"name\": \"cut").utf8), to: port)
        Self.sendUDP(Array((DaemonDatagram.header + #"{"name":"x\u001b[31m","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1}"#).utf8), to: port)
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

    @Test func badHTTPRequestsGetTheRightStatusAndAreCounted() async throws {
        let collector = try await Self.start()
        let port = try #require(collector.otlpAddress?.port)
        let protobuf = ["Content-Type": "application/x-protobuf"]
        // A truncated protobuf: field 1 claims 100 bytes, 3 follow.
        #expect(Self.post(port: port, headers: protobuf, body: [0x0A, 100, 1, 2, 3]) == 400)
        #expect(Self.post(port: port, headers: ["Content-Type": "application/json"], body: Array("{not json".utf8)) == 400)
        #expect(Self.post(port: port, headers: ["Content-Type": "text/plain"], body: Array("hi".utf8)) == 415)
        #expect(Self.post(port: port, headers: protobuf, body: [UInt8](repeating: 0x0A, count: 70 * 1024)) == 413)
        #expect(Self.post(port: port, path: "/v1/metrics", headers: protobuf, body: []) == 404)
        #expect(Self.post(port: port, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"],
                          body: Array("not gzip".utf8)) == 400)
        // A slow client that promises a body and never sends it is cut off by the idle timeout.
        #expect(Self.post(port: port, headers: protobuf, body: [], declaredLength: 500) == 0)
        // Still serving: a good OTLP JSON request, gzip-compressed.
        let json = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000001","name":"GET","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"}]}]}]}"#
        let compressed = try Self.gzip(json)
        #expect(Self.post(port: port, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"], body: compressed) == 200)
        #expect(Self.post(port: port, headers: ["Content-Type": "application/json"], body: Array(json.utf8)) == 200)
        // The X-Ray SDKs' sampling poller, on the daemon port.
        let udpPort = try #require(collector.udpAddress?.port)
        #expect(Self.post(port: udpPort, path: "/GetSamplingRules", headers: ["Content-Type": "application/json"], body: Array("{}".utf8)) == 200)
        try await collector.stop()
        let stats = collector.pipeline.stats
        #expect(stats.spans == 2)
        #expect(stats.rejected[.truncated] ?? 0 >= 2)
        #expect(stats.rejected[.tooLarge] == 1)
        #expect(stats.rejected[.unknownRecord] == 1)
    }

    /// A service naming itself after each request (a request id in `service.name`) must not grow the graph forever.
    @Test func runawayServiceNamesFoldIntoOther() {
        let pipeline = IngestPipeline(quietPeriodSeconds: 0, memoryBudgetBytes: 16 << 20, clock: { 0 })
        for i in 0..<2_000 {
            let span = Span(traceID: TraceID(high: 1, low: UInt64(i + 1)), id: SpanID(UInt64(i + 1)), name: "svc-req-\(i)",
                            start: 1_700_000_000_000_000_000, end: 1_700_000_000_100_000_000)
            pipeline.ingest([span])
        }
        pipeline.finish()
        let graph = pipeline.analyzer.graph
        #expect(graph.nodes.count + graph.edges.count <= (graph.maxEntries ?? 0) + 4)
        #expect(graph.foldedRequests > 1_800)
        #expect(graph.nodes[.overflow] != nil)
        #expect(pipeline.stats.foldedRequests == graph.foldedRequests)
    }

    static func gzip(_ text: String) throws -> [UInt8] {
        try ChildProcess.run(["gzip", "-c"], stdin: Data(text.utf8)).stdoutBytes
    }
}
