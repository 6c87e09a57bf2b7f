import Testing
import TraceAnalysis
import TraceModel

@Suite("Gates")
struct GateTests {
    /// 100 requests to `api` (1…100 ms, the last five faulting) and 3 invocations of `fn`.
    static let summary: Summary = {
        var docs: [String] = []
        for i in 1...100 {
            let trace = "1-5759e988-bd862e3fe1be46a994" + hexID(i).suffix(6)
            docs.append(
                segment(
                    "api", id: hexID(i), start: 100, end: 100 + Double(i) / 1000, status: i > 95 ? 500 : 200,
                    flags: i > 95 ? #""fault":true"# : "", trace: trace))
        }
        for i in 1...3 {
            docs.append(
                segment(
                    "fn", id: hexID(1000 + i), origin: "AWS::Lambda::Function", start: 200, end: 200.5,
                    subsegments: i == 1 ? [subsegment("Initialization", id: hexID(2000), start: 200, end: 200.3)] : [],
                    trace: "1-5759e988-bd862e3fe1be46a994" + hexID(1000 + i).suffix(6)))
        }
        return SummaryBuilder.build(from: analyze(docs))
    }()

    private func evaluate(_ gate: String, baseline: Summary? = nil, minimumSamples: UInt64? = nil) throws
        -> [GateResult]
    {
        GateEvaluator.evaluate(
            [try GateParser.parse(gate)], on: Self.summary, baseline: baseline, minimumSamples: minimumSamples)
    }

    @Test func parsesTheGrammar() throws {
        let g = try GateParser.parse("checkout -> payments: fault_rate == 0")
        #expect(g.scope == .edge(from: "checkout", to: "payments"))
        #expect(g.metric == .rate(.fault))
        #expect(g.comparison == .equal)
        #expect(try GateParser.parse("fn:checkout: init.p(99) < 2s").metric == .phase(.initialization, .percentile(99)))
        #expect(try GateParser.parse("fn:checkout: init.p(99) < 2s").threshold == .absolute(2000))
        #expect(try GateParser.parse("*: error_rate < 1%").threshold == .absolute(0.01))
        #expect(try GateParser.parse("checkout: p(95) <= +10%").threshold == .relative(0.10))
        #expect(
            try GateParser.parse("checkout[AWS::Lambda::Function]:p(99.9)<900us").scope
                == .service(name: "checkout", type: "AWS::Lambda::Function"))
        #expect(try GateParser.parse("checkout[AWS::Lambda::Function]:p(99.9)<900us").threshold == .absolute(0.9))
    }

    @Test(arguments: [
        "checkout p(95) < 2", "x: p(101) < 2", "x: p95 < 2", "x: p(95) < fast", "x: p(95) ~ 2", "x: rps < 10%",
        "fn:f: warmup.p(50) < 1",
    ])
    func rejectsMalformedGates(text: String) {
        #expect(throws: GateParser.Failure.self) { _ = try GateParser.parse(text) }
    }

    @Test func passAndFail() throws {
        let pass = try evaluate("api: p(95) < 100ms")
        #expect(pass.count == 1)
        #expect(pass[0].status == .pass)
        #expect(pass[0].samples == 100)
        let observed = try #require(pass[0].observed)
        #expect(abs(observed - 95) <= 1)
        let fail = try evaluate("api: fault_rate < 1%")
        #expect(fail[0].status == .fail)
        #expect(fail[0].observed == 0.05)
        #expect(try evaluate("api: faults == 5")[0].passed)
        #expect(try evaluate("traces: max <= 500ms")[0].passed)
    }

    @Test func tooFewSamplesIsReportedAndNeverPasses() throws {
        let result = try evaluate("fn:fn: init.p(99) < 2s")
        #expect(result[0].status == .insufficientSamples)
        #expect(result[0].samples == 1)
        #expect(!result[0].passed)
        #expect(try evaluate("fn:fn: init.p(99) < 2s", minimumSamples: 1)[0].passed)
        #expect(try evaluate("fn:fn: cold_starts == 1")[0].passed)
        #expect(try evaluate("fn:fn: cold_start_rate < 50%")[0].passed)
    }

    @Test func aScopeThatMatchesNothingFails() throws {
        let result = try evaluate("checkuot: p(95) < 1s")
        #expect(result[0].status == .noMatch)
        #expect(!result[0].passed)
    }

    @Test func relativeToABaseline() throws {
        var faster = Self.summary
        faster.services = faster.services.map { s in
            var s = s
            s.figures.p95 = (s.figures.p95 ?? 0) * 0.5
            return s
        }
        let regressed = try evaluate("api: p(95) <= +10%", baseline: faster)
        #expect(regressed[0].status == .fail)
        #expect(regressed[0].baseline != nil)
        #expect(try evaluate("api: p(95) <= +10%", baseline: Self.summary)[0].passed)
        #expect(try evaluate("api: p(95) <= +10%")[0].status == .noBaseline)
    }

    @Test func wildcardsExpandToEveryMatch() throws {
        let all = try evaluate("*: requests > 0")
        #expect(Set(all.compactMap(\.target)) == ["api", "fn (AWS::Lambda::Function)"])
        #expect(try evaluate("client -> *: requests >= 1").count == 2)
    }
}
