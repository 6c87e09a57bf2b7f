import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceReports

@testable import TraceTUI

/// Whatever arrives — mutated documents, truncated protobuf, absurd timestamps — the whole path from the decoders
/// through the analysis to every report and every screen must come out the other end: counted, never a crash (a
/// trap here is a collector that one datagram takes down).
@Suite("Hostile input, end to end")
struct HostileInputTests {
    /// Real-shaped X-Ray documents: a Lambda invocation with its phases, calls, http, aws, sql, annotations,
    /// metadata and a cause; an in-progress segment; an independent subsegment.
    static let xrayDocuments = [
        #"{"name":"checkout","id":"0000000000000010","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1700000000.1,"end_time":1700000001.25,"origin":"AWS::Lambda::Function","http":{"request":{"method":"POST","url":"https://shop.example.com/checkout"},"response":{"status":502,"content_length":"12"}},"fault":true,"annotations":{"tier":"gold","retries":2},"metadata":{"default":{"k":[1,2,{"x":null}]}},"cause":{"working_directory":"/var/task","exceptions":[{"id":"0000000000000abc","type":"Timeout","message":"payments \u001b[31mred","stack":[{"path":"main.swift","line":12,"label":"charge"}]}]},"subsegments":[{"name":"Initialization","id":"0000000000000011","start_time":1700000000.1,"end_time":1700000000.4},{"name":"Invocation","id":"0000000000000012","start_time":1700000000.4,"end_time":1700000001.2,"subsegments":[{"name":"DynamoDB","id":"0000000000000013","namespace":"aws","start_time":1700000000.5,"end_time":1700000000.6,"aws":{"operation":"PutItem","table_name":"orders"},"throttle":true,"error":true},{"name":"api.payments.example.com","id":"0000000000000014","namespace":"remote","start_time":1700000000.6,"end_time":1700000001.1,"http":{"response":{"status":503}},"fault":true},{"name":"db","id":"0000000000000015","namespace":"remote","start_time":1700000000.7,"end_time":1700000000.8,"sql":{"database_type":"PostgreSQL"}}]},{"name":"Overhead","id":"0000000000000016","start_time":1700000001.2,"end_time":1700000001.25}]}"#,
        #"{"name":"shop-api/prod","id":"0000000000000020","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1700000000.0,"in_progress":true,"origin":"AWS::ApiGateway::Stage"}"#,
        #"{"name":"SQS","id":"0000000000000021","trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"0000000000000010","type":"subsegment","namespace":"aws","start_time":1700000001.0,"end_time":1700000001.01}"#,
    ]

    /// An OTLP/JSON request line, as the OpenTelemetry Collector's file exporter writes it.
    static let otlpJSON =
        #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"frontend"}}]},"scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000031","name":"GET /","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000500000000","attributes":[{"key":"http.response.status_code","value":{"intValue":"500"}}],"status":{"code":2}},{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000032","parentSpanId":"0000000000000031","name":"SELECT","kind":3,"startTimeUnixNano":"1700000000100000000","endTimeUnixNano":"1700000000200000000","attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}},{"key":"weird","value":{"arrayValue":{"values":[{"doubleValue":1.5},{"boolValue":true}]}}}]}]}]}]}"#

    /// `TRACESCOPE_FUZZ_ROUNDS=100000` (and `TRACESCOPE_FUZZ_SEED`) search longer than CI does.
    @Test func mutatedInputNeverStopsThePath() throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = environment["TRACESCOPE_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 2_000
        var random = SplitMix64(seed: environment["TRACESCOPE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x7EA5_CE0F)
        var analyzer = TraceAnalyzer(quietPeriodSeconds: 30, windowed: true)
        analyzer.keepTraces(budgetBytes: 16 << 20)
        var accepted = 0
        var rejected = 0
        let header = Array(DaemonDatagram.header.utf8)
        let seeds = (Self.xrayDocuments + [Self.otlpJSON]).map { Array($0.utf8) }
        for round in 0..<rounds {
            for seed in seeds {
                let bytes = Self.mutate(seed, &random)
                var spans: [Span] = []
                let outcome = bytes.withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
                rejected += outcome.failures.count
                if round % 3 == 0 {
                    // The same bytes as a daemon datagram.
                    var datagram: [Span] = []
                    let failed = (header + bytes).withUnsafeBytes { raw -> Bool in
                        do throws(DecodeFailure) {
                            try DaemonDatagram.decode(raw, into: &datagram)
                            return false
                        } catch { return true }
                    }
                    if failed { rejected += 1 }
                }
                accepted += spans.count
                analyzer.ingest(spans)
            }
            let protobuf = Self.mutate(Self.otlpProtobuf(), &random)
            var spans: [Span] = []
            let failed = protobuf.withUnsafeBytes { raw -> Bool in
                do throws(DecodeFailure) {
                    try OTLPProtobufDecoder.decode(raw, into: &spans)
                    return false
                } catch { return true }
            }
            if failed { rejected += 1 }
            accepted += spans.count
            analyzer.ingest(spans)
        }
        analyzer.finish()
        // Both sides were exercised: plenty of mutants still decode, plenty are rejected with a reason.
        #expect(accepted > 1_000)
        #expect(rejected > 1_000)
        try Self.everyViewRenders(analyzer)
    }

    /// Whole files, mutated (newlines and NULs included) and read in chunks of random size, as the file reader and
    /// the replay feed them: every record is counted, as spans or as a rejection, and everything still renders.
    @Test func mutatedFilesReadInRandomChunks() throws {
        var random = SplitMix64(seed: 0xF11E)
        let file = Array((Self.xrayDocuments + [Self.otlpJSON]).joined(separator: "\n").utf8) + [0x0A]
        var analyzer = TraceAnalyzer(quietPeriodSeconds: 30, windowed: true)
        analyzer.keepTraces(budgetBytes: 16 << 20)
        for _ in 0..<300 {
            var bytes = Self.mutate(file, &random)
            if random.below(3) == 0 { bytes.insert(contentsOf: [0x0A, 0x00, 0x0A], at: random.below(bytes.count + 1)) }
            var decoder = TraceStreamDecoder(source: "mutated.jsonl", maxRecordBytes: 4096)
            var offset = 0
            bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    let end = min(raw.count, offset + 1 + random.below(700))
                    decoder.push(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { analyzer.ingest($0) }
                    offset = end
                }
            }
            decoder.finish { analyzer.ingest($0) }
            #expect(decoder.stats.records > 0)
        }
        analyzer.finish()
        try Self.everyViewRenders(analyzer)
    }

    @Test func absurdTimesAreClampedIntoTheModelsRange() throws {
        let extremes: [(String, String)] = [
            ("-9000000000", "9000000000"), ("0", "1e18"), ("1e300", "1"), ("1700000000", "-1700000000"),
            ("9223372036.854775807", "9223372036.854775808"), ("\"1900-01-01T00:00:00Z\"", "\"2999-12-31T23:59:59Z\""),
            ("1", "1"),
        ]
        var analyzer = TraceAnalyzer(windowed: true)
        analyzer.keepTraces(budgetBytes: 16 << 20)
        for (i, (start, end)) in extremes.enumerated() {
            let document =
                #"{"name":"evil-\#(i)","id":"\#(String(format: "%016x", 100 + i))","trace_id":"1-5759e988-bd862e3fe1be46a9942727\#(String(format: "%02x", i))","start_time":\#(start),"end_time":\#(end),"subsegments":[{"name":"call","id":"\#(String(format: "%016x", 200 + i))","namespace":"remote","start_time":\#(end),"end_time":\#(start)}]}"#
            // And in the same trace an in-progress segment that starts four billion seconds after it: the timeline
            // must place a span far outside its trace's extent.
            let straggler =
                #"{"name":"late-\#(i)","id":"\#(String(format: "%016x", 300 + i))","trace_id":"1-5759e988-bd862e3fe1be46a9942727\#(String(format: "%02x", i))","start_time":4000000000,"in_progress":true}"#
            var spans: [Span] = []
            _ = Array((document + "\n" + straggler).utf8).withUnsafeBytes {
                TraceRecordDecoder.decode($0, into: &spans)
            }
            for span in spans {
                #expect((0...EpochRange.latest).contains(span.start), "\(document)")
                #expect(span.end.map { (0...EpochRange.latest).contains($0) } ?? true, "\(document)")
            }
            analyzer.ingest(spans)
        }
        // OTLP's unsigned nanoseconds: the largest there are.
        var request = ProtoWriter()
        request.message(1) { resource in
            resource.message(2) { scope in scope.message(2) { Self.otlpSpan(&$0, start: .max - 1, end: .max) } }
        }
        var spans: [Span] = []
        _ = try request.bytes.withUnsafeBytes { raw throws(DecodeFailure) in
            try OTLPProtobufDecoder.decode(raw, into: &spans)
        }
        #expect(spans.allSatisfy { $0.start <= EpochRange.latest && ($0.end ?? 0) <= EpochRange.latest })
        analyzer.ingest(spans)
        analyzer.finish()
        try Self.everyViewRenders(analyzer)
    }

    @Test func theProtobufSeedDecodesAsBuilt() throws {
        var spans: [Span] = []
        _ = try Self.otlpProtobuf().withUnsafeBytes { raw throws(DecodeFailure) in
            try OTLPProtobufDecoder.decode(raw, into: &spans)
        }
        try #require(spans.count == 1)
        let span = spans[0]
        #expect(span.serviceName == "frontend")
        #expect(span.name == "POST /charge")
        #expect(span.kind == .server)
        #expect(span.start == 1_700_000_000_000_000_000 && span.end == 1_700_000_000_250_000_000)
        #expect(span.http?.status == 500)
        #expect(span.statusClass == .fault)
        #expect(span.cause?.exceptions.first?.type == "Timeout")
        #expect(span.resource["service.name"] == .string("frontend"))
    }

    // MARK: Helpers

    /// Flips, inserts, deletes, duplicates and truncates bytes — one to four edits.
    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) {
            guard !bytes.isEmpty else { break }
            let at = random.below(bytes.count)
            switch random.below(6) {
            case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << random.below(8))
            case 1: bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 2:
                bytes.insert(
                    contentsOf: [UInt8(ascii: "\""), 0x1B, 0xFF, UInt8(ascii: "{"), UInt8(ascii: "9")].prefix(
                        1 + random.below(5)), at: at)
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(16)))
            case 4:
                bytes.insert(
                    contentsOf: bytes[at..<min(bytes.count, at + 1 + random.below(64))], at: random.below(bytes.count))
            default: bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    /// Decoded spans through every report and every screen: the summary in all four formats, the dashboard at two
    /// sizes in both glyph sets, and the timeline of each stored trace.
    static func everyViewRenders(_ analyzer: TraceAnalyzer) throws {
        let summary = SummaryBuilder.build(from: analyzer)
        for report in [
            MarkdownReport.render(summary), SummaryJSONReport.render(summary), JUnitReport.render(summary),
            TextReport.render(summary, histograms: true),
        ] {
            #expect(!report.isEmpty)
            #expect(!report.unicodeScalars.contains { $0 == "\u{1B}" }, "an escape reached a report")
        }
        let now = analyzer.traces.lastEnd
        let model = DashboardModel.make(from: analyzer, source: "hostile", window: .all, now: now, rejected: 1)
        for (width, height) in [(80, 24), (200, 60)] {
            for glyphs in [Glyphs.unicode, .ascii] {
                let text = DashboardView.render(AppState(width: width, height: height), model, glyphs: glyphs).text
                #expect(
                    !text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" },
                    "a control character reached the screen")
            }
        }
        for trace in (analyzer.store?.traces ?? []).suffix(40) {
            var state = AppState(width: 120, height: 40)
            state.screen = .trace(trace.traceID)
            let query = DashboardQuery(window: .all, trace: trace.traceID)
            let traceModel = DashboardModel.make(from: analyzer, source: "hostile", query: query, now: now, rejected: 0)
            let text = DashboardView.render(state, traceModel, glyphs: .unicode).text
            #expect(
                !text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" },
                "a control character reached the timeline")
            // Beside the typical trace, and searched: the same promise.
            state.screen = .compare(current: trace.traceID, base: .typical)
            let compared = DashboardModel.make(
                from: analyzer, source: "hostile", query: state.query, now: now, rejected: 0)
            let comparedText = DashboardView.render(state, compared, glyphs: .unicode).text
            #expect(
                !comparedText.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" },
                "a control character reached the comparison")
            state.screen = .trace(trace.traceID)
            state = update(state, with: .key(.character("/")), model: traceModel)
            for key in "\u{1B}[2J".map({ Key.character($0) }) + [.enter] {
                state = update(state, with: .key(key), model: traceModel)
            }
            let searched = DashboardView.render(state, traceModel, glyphs: .unicode).text
            #expect(!searched.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        }
    }

    /// One OTLP span: ids, kind, times, an HTTP 500, an ERROR status and an exception event.
    static func otlpSpan(_ span: inout ProtoWriter, start: UInt64, end: UInt64) {
        span.bytes(1, (0..<16).map { UInt8($0 + 1) })
        span.bytes(2, (0..<8).map { UInt8($0 + 0x21) })
        span.string(5, "POST /charge")
        span.varint(6, 2)
        span.fixed64(7, start)
        span.fixed64(8, end)
        span.message(9) { kv in
            kv.string(1, "http.response.status_code")
            kv.message(2) { $0.varint(3, 500) }
        }
        span.message(11) { event in
            event.fixed64(1, start &+ 1)
            event.string(2, "exception")
            event.message(3) { kv in
                kv.string(1, "exception.type")
                kv.message(2) { $0.string(1, "Timeout") }
            }
        }
        span.message(15) { status in
            status.string(2, "upstream \u{1B}]0;title\u{07}")
            status.varint(3, 2)
        }
    }

    /// An `ExportTraceServiceRequest` with one resource (`service.name` frontend) and one span.
    static func otlpProtobuf() -> [UInt8] {
        var request = ProtoWriter()
        request.resourceSpans(service: "frontend") { scope in
            scope.message(2) { Self.otlpSpan(&$0, start: 1_700_000_000_000_000_000, end: 1_700_000_000_250_000_000) }
        }
        return request.bytes
    }
}

extension SplitMix64 {
    /// A uniform integer in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
}
