import ArgumentParser
import Foundation
import SwiftProtobuf
import TraceAnalysis
import TraceCollector
import TraceFormats
import TraceModel
import Tracescope

/// `ingest`: the collector's pipeline (decode → assemble → graph, histograms, rates) on one core, for X-Ray daemon
/// datagrams against Foundation's `JSONSerialization` parsing the same documents, and for OTLP protobuf batches
/// against swift-protobuf (Swift's protobuf runtime, code generated from `Proto/otlp_trace.proto`) parsing the same
/// bytes — with upb, the C runtime behind Python's `opentelemetry-proto`, printed beside it for scale. Then the
/// real collector, in a process of its own with a 64 MB budget, on loopback: a sustained rate with zero loss expected,
/// and an overload whose loss must be counted, its peak memory measured against the budget.
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Collector ingest throughput and loss.")

    @Flag(help: "Under a minute: smaller inputs, a 20-second sustained run (1M documents at 50k/s).")
    var quick = false

    func run() async throws {
        let traceCount = quick ? 40_000 : 150_000
        let (datagrams, spanCount) = Self.datagrams(traces: traceCount)
        print("ingest benchmark: \(datagrams.count) datagrams, \(spanCount) spans")

        // 1. UDP datagrams through the pipeline, in-process, one thread; ours and the reference take turns, best of five.
        var udpFailure: DecodeFailure?
        let headerLength = DaemonDatagram.header.utf8.count
        let ((oursUDP, udpSeconds), (_, referenceUDPSeconds)) = Measure.bestAlternating(
            of: 5,
            ours: {
                Self.throughPipeline(datagrams, failure: &udpFailure) { raw, spans throws(DecodeFailure) in
                    try DaemonDatagram.decode(raw, into: &spans)
                }
            },
            reference: { () -> Int in
                var parsed = 0
                for datagram in datagrams {
                    let document = Data(datagram[headerLength...])
                    if (try? JSONSerialization.jsonObject(with: document)) != nil { parsed += 1 }
                }
                return parsed
            })
        if let udpFailure { throw ValidationError("datagrams did not decode: \(udpFailure)") }
        let udpRate = Double(oursUDP) / udpSeconds
        let udpReference = Double(spanCount) / referenceUDPSeconds

        // 2. OTLP protobuf batches of 512 spans.
        let batches = try Self.otlpBatches(traces: traceCount / 4)
        let otlpSpans = batches.spans
        var otlpFailure: DecodeFailure?
        let ((oursOTLP, otlpSeconds), (parsedBySwiftProtobuf, swiftProtobufSeconds)) = try Measure.bestAlternating(
            of: 5,
            ours: {
                Self.throughPipeline(batches.bodies, failure: &otlpFailure) { raw, spans throws(DecodeFailure) in
                    try OTLPProtobufDecoder.decode(raw, into: &spans)
                }
            }, reference: { try Self.swiftProtobufParse(batches.bodies) })
        if let otlpFailure { throw ValidationError("OTLP batches did not decode: \(otlpFailure)") }
        guard parsedBySwiftProtobuf == otlpSpans else {
            throw ValidationError("swift-protobuf parsed \(parsedBySwiftProtobuf) of \(otlpSpans) spans")
        }
        let otlpRate = Double(oursOTLP) / otlpSeconds
        let otlpReference = Double(otlpSpans) / swiftProtobufSeconds
        let upbSeconds = try Self.upbParseSeconds(batches.path, repetitions: 5)
        let upbRate = Double(otlpSpans) / upbSeconds
        var xrayBatches: [[Span]] = [[]]
        for datagram in datagrams {
            try datagram.withUnsafeBytes { try DaemonDatagram.decode($0, into: &xrayBatches[xrayBatches.count - 1]) }
            if xrayBatches[xrayBatches.count - 1].count >= 512 { xrayBatches.append([]) }
        }
        let transport = try await TransportBench.run(batches: batches.bodies, spans: otlpSpans, xray: xrayBatches)

        print("")
        print("                                        spans/s")
        print("UDP: decode + analyse                   \(Int(udpRate))")
        print("UDP: JSONSerialization parse only       \(Int(udpReference))")
        print("OTLP: protobuf decode + analyse         \(Int(otlpRate))")
        print("OTLP: swift-protobuf parse only         \(Int(otlpReference))")
        print("OTLP: upb (C, via Python) parse only    \(Int(upbRate))")
        print(
            "OTLP/gRPC into the collector            \(Int(transport.grpcRate))   (\(TransportBench.inFlight) in flight)"
        )
        print("OTLP/HTTP into the collector            \(Int(transport.httpRate))   (the same batches)")
        print(
            "forwarded as OTLP/HTTP to a sink        \(Int(transport.forwardRate))   (gzip off, \(transport.forwardLost) lost)"
        )
        print("X-Ray forwarded as OTLP/HTTP (encoded)  \(Int(transport.xrayForwardRate ?? 0))")

        // 3. The real collector on loopback: a sustained rate, then an overload.
        let sustainedSeconds = quick ? 20.0 : 60.0
        let rate = 50_000.0
        let sustained = try await Self.loopback(datagrams: datagrams, rate: rate, seconds: sustainedSeconds)
        print("")
        print(
            "sustained \(Int(rate))/s for \(Int(sustainedSeconds)) s: sent \(sustained.sent), received \(sustained.received), "
                + "kernel drops \(sustained.kernelDrops), lost \(sustained.sent - sustained.received), "
                + "collector peak RSS \(Measure.format(sustained.peakMiB)) MiB (budget \(Self.loopbackBudgetMB) MB, \(sustained.evictedTraces) traces evicted)"
        )
        let overload = try await Self.loopback(datagrams: datagrams, rate: nil, seconds: 3)
        print(
            "overload (as fast as one sender can) for 3 s: sent \(overload.sent), received \(overload.received), "
                + "kernel drops \(overload.kernelDrops) (counted), still answering: \(overload.answering), "
                + "collector peak RSS \(Measure.format(overload.peakMiB)) MiB (budget \(Self.loopbackBudgetMB) MB, \(overload.evictedTraces) traces evicted)"
        )

        print(
            "RESULT ingest.udp ours=\(Int(udpRate)) spans/s reference=\(Int(udpReference)) spans/s ratio=\(Measure.format(udpRate / udpReference, 2))"
        )
        print(
            "RESULT ingest.otlp ours=\(Int(otlpRate)) spans/s reference=\(Int(otlpReference)) spans/s ratio=\(Measure.format(otlpRate / otlpReference, 2))"
        )
        print(
            "RESULT ingest.otlp.upb ours=\(Int(otlpRate)) spans/s reference=\(Int(upbRate)) spans/s ratio=\(Measure.format(otlpRate / upbRate, 2))"
        )
        print(
            "RESULT ingest.grpc ours=\(Int(transport.grpcRate)) spans/s reference=\(Int(transport.httpRate)) spans/s ratio=\(Measure.format(transport.grpcRate / transport.httpRate, 2))"
        )
        print(
            "RESULT forward.otlp ours=\(Int(transport.forwardRate)) spans/s reference=200000 spans/s ratio=\(Measure.format(transport.forwardRate / 200_000, 2))"
        )
        let peakMiB = max(sustained.peakMiB, overload.peakMiB)
        print(
            "RESULT ingest.memory ours=\(Measure.format(peakMiB)) MiB reference=\(Self.loopbackBudgetMB) MB ratio=\(Measure.format(Double(Self.loopbackBudgetMB) / peakMiB, 2))"
        )
        print(
            "RESULT ingest.sustained ours=\(sustained.sent - sustained.received) lost reference=0 lost ratio=\(sustained.sent == sustained.received ? "1.00" : "0.00")"
        )
    }

    /// Decodes every message and ingests it into a fresh `IngestPipeline` on this thread, as a receiver would; returns
    /// the spans it took. The first decode failure is kept in `failure`.
    static func throughPipeline(
        _ messages: [[UInt8]], failure: inout DecodeFailure?,
        decode: (UnsafeRawBufferPointer, inout [Span]) throws(DecodeFailure) -> Void
    ) -> Int {
        let pipeline = IngestPipeline(quietPeriodSeconds: 30, clock: { 0 })
        var spans: [Span] = []
        for message in messages {
            spans.removeAll(keepingCapacity: true)
            let outcome: DecodeFailure? = message.withUnsafeBytes { raw in
                do throws(DecodeFailure) {
                    try decode(raw, &spans)
                    return nil
                } catch { return error }
            }
            if let outcome, failure == nil { failure = outcome }
            pipeline.ingest(spans)
        }
        pipeline.finish()
        return Int(pipeline.stats.spans)
    }

    /// Checkout-shaped traces as the Python SDK would send them: a segment with subsegments per datagram.
    static func datagrams(traces: Int) -> ([[UInt8]], Int) {
        var out: [[UInt8]] = []
        var spans = 0
        var ids = BenchIDs()
        var t: Int64 = 1_795_000_000 * 1_000_000_000
        for i in 0..<traces {
            t += 1_000_000
            let trace = ids.traceID(epochSeconds: UInt64(t / 1_000_000_000))
            let segment = ids.spanID()
            let fault = i % 40 == 0
            var children: [Span] = []
            for (name, ns) in [("DynamoDB", "aws"), ("api.payments.example.com", "remote"), ("render", "")] {
                children.append(
                    Span(
                        traceID: trace, id: ids.spanID(), parentID: segment, name: name,
                        kind: ns.isEmpty ? .internal : .client, isSegment: false,
                        namespace: ns.isEmpty ? nil : ns, start: t + 1_000_000, end: t + 9_000_000,
                        faultFlag: fault && ns == "remote",
                        aws: ns == "aws" ? ["operation": .string("PutItem"), "table_name": .string("orders")] : [:]))
            }
            let root = Span(
                traceID: trace, id: segment, name: "checkout", origin: "AWS::EC2::Instance", start: t,
                end: t + 12_000_000, faultFlag: fault,
                http: HTTPInfo(method: "POST", url: "https://shop.example.com/checkout", status: fault ? 502 : 200))
            for document in XRayDocumentEncoder.documents(for: [root] + children) {
                out.append(Array((DaemonDatagram.header + document).utf8))
            }
            spans += 4
        }
        return (out, spans)
    }

    /// OTLP protobuf request bodies, made by encoding OTLP JSON and converting it with the official Python package.
    static func otlpBatches(traces: Int) throws -> (bodies: [[UInt8]], spans: Int, path: String) {
        var ids = BenchIDs()
        var requests: [String] = []
        var batch: [Span] = []
        var total = 0
        var t: Int64 = 1_795_000_000 * 1_000_000_000
        for i in 0..<traces {
            t += 1_000_000
            let trace = ids.traceID(epochSeconds: 0)
            let server = ids.spanID()
            let client = ids.spanID()
            let callee = ids.spanID()
            batch.append(
                Span(
                    traceID: trace, id: server, name: "POST /checkout", source: .otlp, kind: .server,
                    serviceName: "frontend", start: t, end: t + 9_000_000,
                    attributes: [
                        "http.request.method": .string("POST"),
                        "http.response.status_code": .int(i % 30 == 0 ? 500 : 200),
                    ]))
            batch.append(
                Span(
                    traceID: trace, id: client, parentID: server, name: "POST", source: .otlp, kind: .client,
                    serviceName: "frontend", start: t + 1_000_000, end: t + 8_000_000,
                    attributes: ["peer.service": .string("cart")]))
            batch.append(
                Span(
                    traceID: trace, id: callee, parentID: client, name: "POST /cart", source: .otlp, kind: .server,
                    serviceName: "cart", start: t + 2_000_000, end: t + 7_000_000))
            batch.append(
                Span(
                    traceID: trace, id: ids.spanID(), parentID: callee, name: "SELECT", source: .otlp, kind: .client,
                    serviceName: "cart", start: t + 3_000_000, end: t + 4_000_000,
                    attributes: ["db.system": .string("postgresql"), "db.name": .string("carts")]))
            if batch.count >= 512 {
                requests.append(OTLPJSONEncoder.request(batch))
                total += batch.count
                batch.removeAll()
            }
        }
        if !batch.isEmpty {
            requests.append(OTLPJSONEncoder.request(batch))
            total += batch.count
        }
        let dir = Measure.repositoryRoot().appendingPathComponent("Benchmarks/.data")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let jsonPath = dir.appendingPathComponent("otlp-\(traces).jsonl").path
        let binPath = dir.appendingPathComponent("otlp-\(traces).bin").path
        try (requests.joined(separator: "\n") + "\n").write(toFile: jsonPath, atomically: true, encoding: .utf8)
        try python(
            """
            import base64, json, sys, struct
            from google.protobuf import json_format
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
            # OTLP/JSON spells ids in hex; protobuf's generic JSON parser expects base64 for bytes fields.
            def b64(h):
                return base64.b64encode(bytes.fromhex(h)).decode()
            with open(sys.argv[1]) as src, open(sys.argv[2], "wb") as out:
                for line in src:
                    request = json.loads(line)
                    for rs in request["resourceSpans"]:
                        for ss in rs["scopeSpans"]:
                            for span in ss["spans"]:
                                for key in ("traceId", "spanId", "parentSpanId"):
                                    if key in span:
                                        span[key] = b64(span[key])
                    body = json_format.Parse(json.dumps(request), ExportTraceServiceRequest()).SerializeToString()
                    out.write(struct.pack(">I", len(body)) + body)
            """, [jsonPath, binPath])
        let data = try Data(contentsOf: URL(fileURLWithPath: binPath))
        var bodies: [[UInt8]] = []
        var offset = 0
        let bytes = Array(data)
        while offset + 4 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            bodies.append(Array(bytes[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + length
        }
        return (bodies, total, binPath)
    }

    /// swift-protobuf (generated from `Proto/otlp_trace.proto`) parsing every body once; returns the spans parsed.
    static func swiftProtobufParse(_ bodies: [[UInt8]]) throws -> Int {
        var count = 0
        for body in bodies {
            let request = try Opentelemetry_Proto_ExportTraceServiceRequest(serializedBytes: body)
            for resource in request.resourceSpans {
                for scope in resource.scopeSpans { count += scope.spans.count }
            }
        }
        return count
    }

    /// Seconds for upb to parse every body once (best of `repetitions`).
    static func upbParseSeconds(_ path: String, repetitions: Int) throws -> Double {
        let output = try python(
            """
            import sys, struct, time
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
            data = open(sys.argv[1], "rb").read()
            bodies, i = [], 0
            while i + 4 <= len(data):
                n = struct.unpack(">I", data[i:i+4])[0]; bodies.append(data[i+4:i+4+n]); i += 4 + n
            best = None
            for _ in range(int(sys.argv[2])):
                start = time.perf_counter()
                for b in bodies:
                    ExportTraceServiceRequest().ParseFromString(b)
                elapsed = time.perf_counter() - start
                best = elapsed if best is None else min(best, elapsed)
            print(best)
            """, [path, String(repetitions)])
        guard
            let seconds = Double(
                output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? "")
        else {
            throw ValidationError("python protobuf parse failed: \(output)")
        }
        return seconds
    }

    @discardableResult
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        if try Measure.run(["python3", "-c", "import opentelemetry.proto"], errorsToo: true).status != 0 {
            _ = try Measure.run(
                ["python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "opentelemetry-proto"],
                errorsToo: true)
        }
        let run = try Measure.run(["python3", "-c", script] + arguments, errorsToo: true)
        guard run.status == 0 else { throw ValidationError("python failed: \(run.output)") }
        return run.output
    }

    struct LoopbackResult {
        var sent: UInt64
        var received: UInt64
        var kernelDrops: UInt64
        var answering: Bool
        /// The collector process's peak resident memory.
        var peakMiB: Double
        var evictedTraces: UInt64
    }

    /// The memory budget the load runs give the collector (`collect --max-memory`).
    static let loopbackBudgetMB = 64

    /// Starts the real collector in a process of its own on 127.0.0.1 and sends datagrams at `rate` per second (nil:
    /// as fast as possible) for `seconds`; then checks it still answers and stops it.
    static func loopback(
        datagrams: [[UInt8]], rate: Double?, seconds: Double, budgetMB: Int = loopbackBudgetMB,
        progress: ((CollectorProcess.Stats) -> Void)? = nil
    ) async throws -> LoopbackResult {
        let collector = try CollectorProcess(budgetMB: budgetMB)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(collector.port).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var sent: UInt64 = 0
        let start = Measure.now()
        var index = 0
        var nextReport = 1.0
        while true {
            let elapsed = Measure.now() - start
            if elapsed >= seconds { break }
            let due = rate.map { UInt64($0 * elapsed) } ?? sent + 64
            while sent < due {
                let datagram = datagrams[index]
                index = (index + 1) % datagrams.count
                let n = datagram.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { sent += 1 }
            }
            if rate != nil { usleep(500) }
            if let progress, elapsed >= nextReport {
                nextReport += 1
                if let stats = collector.stats() { progress(stats) }
            }
        }
        // Let the receiver drain its socket buffer.
        var received: UInt64 = 0
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(50))
            let now = collector.stats()?["datagrams"] ?? received
            if now == received { break }
            received = now
        }
        // Still answering: one more datagram after the storm is received.
        _ = datagrams[0].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        close(fd)
        var answering = false
        var drops: UInt64 = 0
        for _ in 0..<40 where !answering {
            try await Task.sleep(for: .milliseconds(25))
            let stats = collector.stats()
            answering = (stats?["datagrams"] ?? 0) > received
            // Read while the socket is open: the kernel's count goes with it.
            drops = max(drops, stats?["drops"] ?? 0)
        }
        let last = collector.stop()
        return LoopbackResult(
            sent: sent, received: received, kernelDrops: drops, answering: answering,
            peakMiB: Double(last?["peakKiB"] ?? 0) / 1024, evictedTraces: last?["evicted"] ?? 0)
    }
}

/// Trace and span ids for generated benchmark data (random, never zero).
struct BenchIDs {
    private var random = SplitMix64(seed: 0x7EAC_E5C0)

    mutating func traceID(epochSeconds: UInt64) -> TraceID {
        TraceID(high: (epochSeconds & 0xFFFF_FFFF) << 32 | (random.next() >> 32), low: random.next())
    }

    mutating func spanID() -> SpanID { SpanID(random.next() | 1) }
}
