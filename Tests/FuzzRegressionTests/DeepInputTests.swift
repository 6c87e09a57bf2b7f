import Foundation
import Testing
import TraceAnalysis
import TraceBackends
import TraceFormats
import TraceModel
import TraceReports
import TraceTUI
import Tracescope

/// No input overflows the stack: a million levels of JSON arrays or objects in every JSON entry point, filters of
/// any length and nesting, and parent chains of any depth through the analysis, the reports, the timeline and both
/// encoders. Each is a clear error or is handled without recursion (the test process would die on a stack overflow).
@Suite("Deep input")
struct DeepInputTests {
    static let depth = 1_000_000
    static let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    static let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)

    static let segment =
        #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"#

    @Test func xrayDocumentsAndDatagrams() {
        for deep in [Self.arrays, Self.objects] {
            for document in [
                Self.segment + #""metadata":"# + deep + "}", Self.segment + #""annotations":{"k":"# + deep + "}}",
            ] {
                #expect(throws: DecodeFailure.self) { _ = try XRayDocumentDecoder.decode(document) }
                #expect(Self.datagramFails(DaemonDatagram.header + document))
            }
        }
    }

    @Test func filesAndRequestBodies() {
        for deep in [Self.arrays, Self.objects] {
            for record in [deep, #"{"resourceSpans":"# + deep + "}", #"{"Traces":"# + deep + "}"] {
                var spans: [Span] = []
                let outcome = Array(record.utf8).withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
                #expect(!outcome.failures.isEmpty)
                #expect(spans.isEmpty)
            }
        }
    }

    @Test func baselinesAndSamplingRules() {
        for deep in [Self.arrays, Self.objects] {
            #expect(throws: (any Error).self) { _ = try BaselineReader.read(json: deep, source: "deep.json") }
            #expect(throws: (any Error).self) { _ = try LocalSampler(rulesJSON: deep) }
        }
    }

    @Test func xrayAPIResponses() {
        for deep in [Self.arrays, Self.objects] {
            #expect(throws: (any Error).self) { _ = try XRayAPI.serviceGraphResponse(Array(deep.utf8)) }
            #expect(throws: (any Error).self) { _ = try XRayAPI.traceSummariesResponse(Array(deep.utf8)) }
        }
    }

    static func datagramFails(_ text: String) -> Bool {
        var spans: [Span] = []
        return Array(text.utf8).withUnsafeBytes { raw in
            do throws(DecodeFailure) {
                try DaemonDatagram.decode(raw, into: &spans)
                return false
            } catch {
                return true
            }
        }
    }

    @Test func filtersOfAnyLengthAndNesting() throws {
        let chain = Array(repeating: "fault", count: 200_000).joined(separator: " AND ")
        let filter = try TraceFilter(chain)
        let trace = AssembledTrace(
            traceID: TraceID(high: 1, low: 1),
            spans: [Span(traceID: TraceID(high: 1, low: 1), id: SpanID(1), name: "a", start: 0, end: 1)])
        #expect(!filter.matches(trace))
        let either = try TraceFilter(Array(repeating: "ok", count: 200_000).joined(separator: " || "))
        #expect(either.matches(trace))
        #expect(throws: TraceFilterError.self) {
            _ = try TraceFilter(String(repeating: "(", count: 100_000) + "ok" + String(repeating: ")", count: 100_000))
        }
        #expect(throws: TraceFilterError.self) { _ = try TraceFilter(String(repeating: "!", count: 100_000) + "ok") }
    }

    /// A trace whose spans chain 200,000 deep, through everything that walks parents.
    @Test func aParentChainOfAnyDepth() throws {
        let depth = 200_000
        let trace = TraceID(high: 0x6b00_3640, low: 7)
        let base: Int64 = 1_795_176_000_000_000_000
        var spans: [Span] = []
        spans.reserveCapacity(depth)
        for n in 1...depth {
            let parent: SpanID? = n == 1 ? nil : SpanID(UInt64(n - 1))
            let kind: SpanKind = n == 1 ? .server : .internal
            spans.append(
                Span(
                    traceID: trace, id: SpanID(UInt64(n)), parentID: parent, name: "level", source: .otlp, kind: kind,
                    isSegment: n == 1, serviceName: "deep", start: base + Int64(n),
                    end: base + 1_000_000_000 - Int64(n)))
        }
        var analyzer = TraceAnalyzer()
        analyzer.assembler.maxSpansPerTrace = depth
        analyzer.ingest(spans)
        analyzer.finish()
        #expect(analyzer.traces.total == 1)
        let summary = SummaryBuilder.build(from: analyzer)
        #expect(!SummaryJSONReport.render(summary).isEmpty)
        #expect(!TextReport.render(summary).isEmpty)
        let timeline = TraceTimeline(AssembledTrace(traceID: trace, spans: spans))
        #expect(timeline.rows.count == depth)

        // Written as X-Ray documents: nested as deep as the decoder reads back, the rest as independent
        // subsegments naming their parents. Every span comes back, once.
        let documents = XRayDocumentEncoder.documents(for: spans)
        var back: [Span] = []
        for document in documents { try XRayDocumentDecoder.decode(document, into: &back) }
        #expect(back.count == depth)
        #expect(Set(back.map(\.id)).count == depth)
        #expect(
            Dictionary(uniqueKeysWithValues: back.map { ($0.id, $0.parentID) })[SpanID(UInt64(depth))]
                == SpanID(UInt64(depth - 1)))

        // And as OTLP protobuf (flat by design).
        var decoded: [Span] = []
        let request = OTLPProtobufEncoder.request(spans)
        let failed = request.withUnsafeBytes { raw in
            do throws(DecodeFailure) {
                _ = try OTLPProtobufDecoder.decode(raw, into: &decoded)
                return false
            } catch {
                return true
            }
        }
        #expect(!failed)
        #expect(decoded.count == depth)
    }

    /// A parent cycle among subsegments: each written once, none lost.
    @Test func aParentCycleIsWrittenOnce() throws {
        let trace = TraceID(high: 0x6b00_3640, low: 8)
        let spans = [
            Span(traceID: trace, id: SpanID(1), parentID: SpanID(2), name: "a", isSegment: false, start: 10, end: 20),
            Span(traceID: trace, id: SpanID(2), parentID: SpanID(1), name: "b", isSegment: false, start: 10, end: 20),
        ]
        var back: [Span] = []
        for document in XRayDocumentEncoder.documents(for: spans) {
            try XRayDocumentDecoder.decode(document, into: &back)
        }
        #expect(back.map(\.id).sorted { $0.description < $1.description } == [SpanID(1), SpanID(2)])
    }
}
