import Foundation
import Testing
import TraceAnalysis
import TraceModel
import TraceReports

@Suite("Summary reports")
struct ReportTests {
    static let summary: Summary = {
        var s = SummaryBuilder.build(
            from: analyze([
                segment(
                    "api", id: hexID(1), origin: "AWS::ApiGateway::Stage", status: 502, flags: #""fault":true"#,
                    subsegments: [
                        subsegment("Lambda", id: hexID(2), namespace: "aws", flags: #""fault":true"#)
                    ]),
                segment(
                    "evil\u{1B}[2J|<b>`x`", id: hexID(3), parent: hexID(2), origin: "AWS::Lambda::Function",
                    start: 100.11,
                    end: 100.19, flags: #""fault":true"#,
                    subsegments: [
                        subsegment("Initialization", id: hexID(4), start: 100.11, end: 100.15)
                    ]),
            ]))
        s.inputs = ["traces.jsonl"]
        s.gates = GateEvaluator.evaluate(
            [try? GateParser.parse("api: fault_rate == 0")].compactMap { $0 }, on: s, baseline: nil)
        s.rejected = Summary.Rejected(
            count: 1, reasons: ["invalid JSON": 1], examples: ["traces.jsonl:7: invalid JSON: x"])
        return s
    }()

    @Test func markdownPutsTheVerdictFirstAndDrawsTheMap() {
        let md = MarkdownReport.render(Self.summary)
        let lines = md.split(separator: "\n")
        #expect(lines.first == "## ❌ Tracescope summary: fail")
        #expect(md.contains("| ❌ | `api: fault_rate == 0` |"))
        #expect(md.contains("```mermaid\ngraph LR"))
        #expect(md.contains("class n0,n1 fault") || md.contains("class n1,n0 fault") || md.contains(" fault\n"))
        #expect(md.contains("-->|\"1 · 100% failed\"|"))
        #expect(!md.contains("\u{1B}"))
        #expect(md.contains("evil\\\\e[2J\\|&lt;b&gt;\\`x\\`"))
        #expect(md.contains("### Functions"))
        #expect(md.contains("| 1 (100%) |"))
        #expect(md.contains("### Rejected records: 1"))
    }

    @Test func jsonFollowsTheSchemaAndReadsBack() throws {
        let json = SummaryJSONReport.render(Self.summary)
        #expect(json.contains(#""schema": "tracescope.summary/v1""#))
        #expect(json.contains(#""verdict": "fail""#))
        #expect(json.contains(#""from": {"#))
        #expect(json.contains(#""name": "client""#))
        #expect(!json.contains("\u{1B}"))
        let back = try BaselineReader.read(json: json, source: "s.json")
        #expect(back.services.map(\.node) == Self.summary.services.map(\.node))
        #expect(back.edges.map(\.edge) == Self.summary.edges.map(\.edge))
        #expect(back.functions.first?.coldStarts == 1)
        #expect(back.traces.requests == 1)
        #expect(back.traces.faults == 1)
    }

    /// A baseline with numbers no summary writes (huge, negative, fractional counts) is refused with the field named,
    /// never converted into a crash.
    @Test func aBaselineWithAbsurdCountsIsRefusedByField() throws {
        let json = SummaryJSONReport.render(Self.summary)
        for (from, to) in [
            (#""count": 1"#, #""count": 1e300"#), (#""count": 1"#, #""count": -3"#), (#""count": 1"#, #""count": 1.5"#),
        ] {
            let broken = json.replacingOccurrences(of: from, with: to)
            #expect(broken != json)
            #expect(throws: BaselineReader.Failure.self) { _ = try BaselineReader.read(json: broken, source: "s.json") }
            do { _ = try BaselineReader.read(json: broken, source: "s.json") } catch {
                #expect(
                    error.message.hasPrefix("s.json: ") && error.message.hasSuffix("is not a count"), "\(error.message)"
                )
            }
        }
    }

    @Test func junitHasACasePerGateAndEscapesText() {
        let xml = JUnitReport.render(Self.summary)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(xml.contains("failures=\"1\""))
        #expect(
            xml.contains(
                "<testcase classname=\"tracescope.gates\" name=\"api: fault_rate == 0 [api (AWS::ApiGateway::Stage)]\">"
            ))
        #expect(xml.contains("<failure message="))
        var empty = Self.summary
        empty.gates = []
        #expect(JUnitReport.render(empty).contains("tests=\"1\" failures=\"0\""))
    }

    @Test func textIsAlignedAndInert() {
        let text = TextReport.render(Self.summary)
        #expect(text.hasPrefix("Tracescope summary  verdict: FAIL"))
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("evil\\e[2J|<b>`x`"))
        #expect(!TextReport.render(Self.summary, histograms: false).contains("Latency distributions"))
        #expect(TextReport.render(Self.summary, histograms: true).contains("Latency distributions"))
    }
}
