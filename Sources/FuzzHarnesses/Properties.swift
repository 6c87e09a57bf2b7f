import Foundation
import TraceAnalysis
import TraceModel
import TraceReports

/// The properties more than one harness checks.
enum Properties {
    /// What a decoder's spans must satisfy whatever the input: times within range, an end not before the start.
    static func wellFormed(_ spans: [Span], _ check: inout PropertyCheck, _ context: String) {
        for span in spans {
            check.expect(
                (0...EpochRange.latest).contains(span.start), "\(context): start \(span.start) outside EpochRange")
            if let end = span.end {
                check.expect((0...EpochRange.latest).contains(end), "\(context): end \(end) outside EpochRange")
            }
        }
    }

    /// The spans analysed as `summary` would: every report renders, the JSON one parses with Foundation's parser (an
    /// implementation independent of ours), and no report carries a control character, C1 control or bidirectional
    /// override, since reports end up in terminals and CI logs (docs/SEMANTICS.md, "Untrusted text").
    static func summaryIsSafe(of spans: [Span], _ check: inout PropertyCheck) {
        var analyzer = TraceAnalyzer()
        analyzer.ingest(spans)
        analyzer.finish()
        let summary = SummaryBuilder.build(from: analyzer)
        reportsAreSafe(summary, &check)
    }

    static func reportsAreSafe(_ summary: Summary, _ check: inout PropertyCheck) {
        let json = SummaryJSONReport.render(summary)
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8))
        check.expect(parsed != nil, "summary JSON does not parse: \(json.prefix(400))")
        let reports = [
            ("json", json), ("text", TextReport.render(summary, histograms: true)),
            ("markdown", MarkdownReport.render(summary)), ("junit", JUnitReport.render(summary)),
        ]
        for (format, text) in reports {
            let unsafe = text.unicodeScalars.first { $0 != "\n" && TerminalSafe.needsEscape($0) }
            check.expect(
                unsafe == nil,
                "\(format) report carries U+\(String(unsafe?.value ?? 0, radix: 16, uppercase: true))")
        }
    }

    /// A diff's reports: JSON that parses, and no byte of any format that a terminal would act on.
    static func diffReportsAreSafe(_ diff: RunDiff, _ check: inout PropertyCheck) {
        let json = DiffJSONReport.render(diff)
        check.expect(
            (try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil,
            "diff JSON does not parse: \(json.prefix(400))")
        let reports = [
            ("json", json), ("text", DiffTextReport.render(diff)), ("markdown", DiffMarkdownReport.render(diff)),
            ("junit", DiffJUnitReport.render(diff)),
        ]
        for (format, text) in reports {
            let unsafe = text.unicodeScalars.first { $0 != "\n" && TerminalSafe.needsEscape($0) }
            check.expect(
                unsafe == nil,
                "diff \(format) report carries U+\(String(unsafe?.value ?? 0, radix: 16, uppercase: true))")
        }
    }

    /// Two decodings of one trace agree on what the analysis reads. Unordered compares them as sets: an X-Ray
    /// document's subsegments have no order of record (the encoder writes them by start time).
    static func sameSpans(
        _ a: [Span], _ b: [Span], _ check: inout PropertyCheck, _ context: String, ordered: Bool = true
    ) {
        check.expect(a.count == b.count, "\(context): \(a.count) spans became \(b.count)")
        // Ids may repeat in hostile input (two subsegments with one id, under different parents): the order ties
        // them by everything the comparison below looks at first, so equal lists pair up span for span.
        let order = { (x: Span, y: Span) in
            if x.id != y.id { return x.id.description < y.id.description }
            if x.parentID != y.parentID { return (x.parentID?.value ?? 0) < (y.parentID?.value ?? 0) }
            if x.start != y.start { return x.start < y.start }
            if x.end != y.end { return (x.end ?? .min) < (y.end ?? .min) }
            return x.name < y.name
        }
        let (a, b) = ordered ? (a, b) : (a.sorted(by: order), b.sorted(by: order))
        for (x, y) in zip(a, b) {
            let same =
                x.traceID == y.traceID && x.id == y.id && x.parentID == y.parentID && x.start == y.start
                && x.end == y.end && x.name == y.name && x.kind == y.kind && x.statusClass == y.statusClass
                && x.http == y.http && x.annotations == y.annotations && x.cause == y.cause
                && x.inProgress == y.inProgress && x.isSegment == y.isSegment
            check.expect(same, "\(context): span \(x.id) changed: \(x) became \(y)")
            if !same { return }
        }
    }
}
