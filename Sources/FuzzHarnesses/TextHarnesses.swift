import TraceAnalysis
import TraceFormats
import TraceModel
import TraceReports
import Tracescope

/// A few assembled traces with the fields filters and gates read (HTTP, annotations, every status class), decoded
/// from X-Ray documents so the harnesses see what `summary` and the dashboard see.
enum FuzzFixtures {
    static let documents = [
        #"{"name":"api","id":"0000000000000001","trace_id":"1-6b003640-269e0d37f2a74de452e6b438","start_time":1795176000,"end_time":1795176000.5,"http":{"request":{"method":"POST","url":"https://shop.example.com/cart","user_agent":"curl"},"response":{"status":200}},"annotations":{"customer":"gold","n":3},"subsegments":[{"name":"db","id":"0000000000000002","start_time":1795176000.1,"end_time":1795176000.2,"namespace":"remote","fault":true}]}"#,
        #"{"name":"checkout","id":"0000000000000003","trace_id":"1-6b003641-269e0d37f2a74de452e6b438","origin":"AWS::Lambda::Function","start_time":1795176001,"end_time":1795176003,"throttle":true,"error":true,"http":{"response":{"status":429}}}"#,
        #"{"name":"checkout","id":"0000000000000004","trace_id":"1-6b003642-269e0d37f2a74de452e6b438","origin":"AWS::Lambda::Function","start_time":1795176002,"end_time":1795176002.01,"error":true,"http":{"response":{"status":404}}}"#,
    ]

    static let spans: [Span] = documents.flatMap { (try? XRayDocumentDecoder.decode($0)) ?? [] }

    static let traces: [AssembledTrace] = {
        var assembler = TraceAssembler()
        assembler.add(spans)
        var traces: [AssembledTrace] = []
        assembler.flush { traces.append($0) }
        return traces
    }()

    static let summary: Summary = {
        var analyzer = TraceAnalyzer()
        analyzer.ingest(spans)
        analyzer.finish()
        return SummaryBuilder.build(from: analyzer)
    }()
}

/// X-Ray filter expressions (the dashboard's `/`, `tui --xray`'s filter): parse, then evaluate on every trace.
enum FilterHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = String(fuzzBytes: bytes)
        guard let filter = try? TraceFilter(text) else { return }
        for trace in FuzzFixtures.traces { _ = filter.matches(trace) }
        // Parsing is deterministic: the same text gives the same expression.
        check.expect((try? TraceFilter(text)) == filter, "parsing \"\(text)\" twice differs")
    }
}

/// `--assert` gates of `summary` and `diff`: parse, evaluate (the summary as its own baseline; a diff of the fixtures
/// with themselves), and report.
enum GateHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = String(fuzzBytes: bytes)
        if let gate = try? DiffGate.parse(text) {
            var diff = DiffBuilder.build(base: FuzzFixtures.summary, current: FuzzFixtures.summary)
            diff.gates = DiffGate.evaluate([gate], on: diff, minimumSamples: 1)
            check.expect(diff.significantRegressions == 0, "a run differs from itself")
            Properties.diffReportsAreSafe(diff, &check)
        }
        guard let gate = try? GateParser.parse(text) else { return }
        var summary = FuzzFixtures.summary
        summary.gates = GateEvaluator.evaluate([gate], on: summary, baseline: summary, minimumSamples: 1)
        Properties.reportsAreSafe(summary, &check)
    }
}

/// `--baseline` files: an earlier summary's JSON read back, gated against, and reported.
enum BaselineHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let baseline = try? BaselineReader.read(json: String(fuzzBytes: bytes), source: "baseline.json") else {
            return
        }
        Properties.reportsAreSafe(baseline, &check)
        var summary = FuzzFixtures.summary
        let gates = ["p(95) <= +10%", "error_rate <= +0.01", "checkout: p(99) <= +20%"].compactMap {
            try? GateParser.parse($0)
        }
        summary.gates = GateEvaluator.evaluate(gates, on: summary, baseline: baseline, minimumSamples: 1)
        Properties.reportsAreSafe(summary, &check)
    }
}

/// X-Ray local sampling rules files (versions 1 and 2), then a few decisions.
enum SamplingRulesHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard
            let sampler = try? LocalSampler(
                rulesJSON: String(fuzzBytes: bytes), clock: { 1_795_176_000_000_000_000 }, random: { 0.5 })
        else { return }
        for request in [
            SamplingRequest(serviceName: "checkout", host: "shop.example.com", httpMethod: "GET", urlPath: "/cart"),
            SamplingRequest(serviceName: ""),
        ] {
            _ = sampler.shouldSample(request)
        }
    }
}

/// `X-Amzn-Trace-Id` and `traceparent`: whatever parses renders to a header that parses to the same value.
enum TraceHeaderHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = String(fuzzBytes: bytes)
        if let header = XRayTraceHeader(parsing: text) {
            let again = XRayTraceHeader(parsing: header.value)
            check.expect(again == header, "X-Amzn-Trace-Id \"\(text)\" → \"\(header.value)\" parses differently")
        }
        if let parent = W3CTraceParent(parsing: text) {
            check.expect(
                W3CTraceParent(parsing: parent.value) == parent, "traceparent \"\(text)\" does not round-trip")
        }
    }
}
