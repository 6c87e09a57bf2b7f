import Testing
import TraceAnalysis
import TraceFormats
import TraceModel

@Suite("Status classes and invocation phases")
struct StatusAndPhaseTests {
    @Test(arguments: [
        (#""http":{"response":{"status":200}}"#, StatusClass.ok),
        (#""http":{"response":{"status":404}}"#, .error),
        (#""http":{"response":{"status":429}}"#, .throttle),
        (#""http":{"response":{"status":503}}"#, .fault),
        (#""error":true,"throttle":true"#, .throttle),
        (#""error":true,"fault":true"#, .fault),
        (#""error":true"#, .error),
        (#""fault":true,"http":{"response":{"status":200}}"#, .fault),
    ])
    func xrayClasses(fields: String, expected: StatusClass) throws {
        let doc =
            #"{"name":"a","id":"0000000000000001","trace_id":"\#(traceA)","start_time":1,"end_time":2,\#(fields)}"#
        #expect(try XRayDocumentDecoder.decode(doc)[0].statusClass == expected)
    }

    @Test func otlpErrorWithoutHTTPIsAFault() {
        var span = Span(traceID: TraceID(high: 1, low: 1), id: SpanID(1), name: "x", source: .otlp, start: 0, end: 1)
        span.statusError = true
        #expect(span.statusClass == .fault)
        span.http = HTTPInfo(status: 404)
        #expect(span.statusClass == .error)
    }

    @Test func theNewLayoutGivesEveryPhase() throws {
        let a = analyze([
            segment(
                "mailer", id: hexID(1), origin: "AWS::Lambda", start: 100, end: 101.5,
                subsegments: [
                    subsegment("Dwell time", id: hexID(2), start: 100, end: 100.25),
                    subsegment("Attempt #1", id: hexID(3), start: 100.25, end: 101.5),
                ]),
            segment(
                "mailer", id: hexID(4), parent: hexID(1), origin: "AWS::Lambda::Function", start: 100.26,
                end: 101.4,
                subsegments: [
                    subsegment("Initialization", id: hexID(5), start: 100.26, end: 100.86),
                    subsegment("Invocation", id: hexID(6), start: 100.86, end: 101.36),
                    subsegment("Overhead", id: hexID(7), start: 101.36, end: 101.4),
                ]),
        ])
        let fn = try #require(a.functions["mailer"])
        #expect(fn.invocations == 1)
        #expect(fn.coldStarts == 1)
        #expect(fn.dwell.maxNanos == 250_000_000)
        #expect(fn.initialization.maxNanos == 600_000_000)
        #expect(fn.handler.maxNanos == 500_000_000)
        #expect(fn.overhead.maxNanos == 40_000_000)
    }

    @Test func theOlderLayoutDerivesTheHandler() throws {
        let a = analyze([
            segment(
                "legacy", id: hexID(4), origin: "AWS::Lambda::Function", start: 100, end: 101,
                subsegments: [
                    subsegment("initialization", id: hexID(5), start: 100, end: 100.3)
                ]),
            segment(
                "legacy", id: hexID(9), origin: "AWS::Lambda::Function", start: 200, end: 200.2,
                trace: "1-5759e988-bd862e3fe1be46a994272794"),
        ])
        let fn = try #require(a.functions["legacy"])
        #expect(fn.invocations == 2)
        #expect(fn.coldStarts == 1)
        #expect(fn.handler.maxNanos == 700_000_000)
        #expect(fn.handler.minNanos == 200_000_000)
        #expect(fn.dwell.count == 0)
    }

    @Test func phaseNamesMatchByPrefixIgnoringCase() {
        #expect(InvocationPhase.of("Dwell time") == .dwell)
        #expect(InvocationPhase.of("ATTEMPT #2") == .attempt)
        #expect(InvocationPhase.of("Restore") == .restore)
        #expect(InvocationPhase.of("Invoke") == nil)
    }
}
