import Foundation
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceReports

@testable import TraceTUI

/// One hostile-name corpus (`HostileNames`) as service names, span names, URLs, annotations, exception messages and
/// status messages, through every output: the four report formats, the dashboard (map, panels, trace list, timeline)
/// and the files Tracescope writes. Nothing a terminal acts on may come out, and the JSON outputs keep the names
/// (escaped, not lost): Foundation's parser reads them back as they were.
@Suite("Output safety")
struct OutputSafetyTests {
    static func spans() -> [Span] {
        var spans: [Span] = []
        for (i, name) in HostileNames.all.enumerated() {
            let trace = TraceID(high: 0x6b00_3640, low: UInt64(i + 1))
            let start: Int64 = 1_795_176_000_000_000_000 + Int64(i) * 1_000_000_000
            spans.append(
                Span(
                    traceID: trace, id: SpanID(UInt64(100 + i)), name: name, origin: "AWS::Lambda::Function",
                    start: start, end: start + 200_000_000, faultFlag: i % 2 == 0,
                    statusMessage: name,
                    http: HTTPInfo(method: "GET", url: "https://x/\(name)", status: 500, userAgent: name),
                    annotations: [name: .string(name)],
                    cause: Cause(exceptions: [ExceptionRecord(type: name, message: name)])))
            spans.append(
                Span(
                    traceID: trace, id: SpanID(UInt64(200 + i)), parentID: SpanID(UInt64(100 + i)), name: name,
                    kind: .client, isSegment: false, namespace: "remote", start: start + 10_000_000,
                    end: start + 100_000_000, http: HTTPInfo(status: 503)))
        }
        return spans
    }

    static func analyzer() -> TraceAnalyzer {
        var analyzer = TraceAnalyzer(windowed: true)
        analyzer.keepTraces(budgetBytes: 16 << 20)
        analyzer.ingest(spans())
        analyzer.finish()
        return analyzer
    }

    @Test func everyReportFormatIsInert() throws {
        let summary = SummaryBuilder.build(from: Self.analyzer())
        let reports = [
            ("text", TextReport.render(summary, histograms: true)), ("markdown", MarkdownReport.render(summary)),
            ("json", SummaryJSONReport.render(summary)), ("junit", JUnitReport.render(summary)),
        ]
        for (format, text) in reports {
            let unsafe = HostileNames.unsafeScalar(in: text)
            #expect(unsafe == nil, "\(format): U+\(String(unsafe?.value ?? 0, radix: 16)) came out")
        }
        // JSON escapes them (`\u001b`, `\u202e`): the names come back whole.
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(SummaryJSONReport.render(summary).utf8)) as? [String: Any])
        let names = Set(((json["services"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        for name in HostileNames.all { #expect(names.contains(name), "lost \(name.debugDescription)") }
    }

    @Test func writtenDocumentsAreInertAndKeepTheNames() throws {
        let spans = Self.spans()
        var writer = JSONWriter()
        XRayDocumentEncoder.writeLines(for: spans, into: &writer)
        let lines = writer.text
        #expect(HostileNames.unsafeScalar(in: lines) == nil)
        var back: [Span] = []
        for line in lines.split(separator: "\n") { try XRayDocumentDecoder.decode(String(line), into: &back) }
        #expect(Set(back.map(\.name)) == Set(spans.map(\.name)))
    }

    @Test func everyScreenIsInert() throws {
        let analyzer = Self.analyzer()
        let now = analyzer.traces.lastEnd
        let model = DashboardModel.make(from: analyzer, source: "hostile", window: .all, now: now, rejected: 1)
        for (width, height) in [(80, 24), (200, 60)] {
            for glyphs in [Glyphs.unicode, .ascii] {
                let text = DashboardView.render(AppState(width: width, height: height), model, glyphs: glyphs).text
                #expect(HostileNames.unsafeScalar(in: text) == nil, "the dashboard at \(width)×\(height)")
            }
        }
        for trace in analyzer.store?.traces ?? [] {
            var state = AppState(width: 120, height: 40)
            state.screen = .trace(trace.traceID)
            let query = DashboardQuery(window: .all, trace: trace.traceID)
            let traceModel = DashboardModel.make(from: analyzer, source: "hostile", query: query, now: now, rejected: 0)
            let text = DashboardView.render(state, traceModel, glyphs: .unicode).text
            #expect(HostileNames.unsafeScalar(in: text) == nil, "the timeline of \(trace.traceID)")
        }
    }
}
