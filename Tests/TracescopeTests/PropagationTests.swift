import Instrumentation
import Testing
import TraceModel
import TracescopeTesting

@testable import Tracescope

@Suite("Trace header propagation")
struct PropagationTests {
    @Test func xrayHeaderRoundTripsWithLineageAndUnknownKeys() throws {
        let text =
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Foo=bar"
        let header = try #require(XRayTraceHeader(parsing: text))
        #expect(header.root == TraceID(xray: "1-5759e988-bd862e3fe1be46a994272793"))
        #expect(header.parent == SpanID(hex: "53995c3f42cd8ad8"))
        #expect(header.sampling == .sampled)
        #expect(header.extra == "Lineage=a87bd80c:1|68fd508a:5;Foo=bar")
        #expect(header.value == text)
    }

    @Test(arguments: [
        ("Sampled=0", TracescopeSpanContext.Sampling.notSampled), ("Sampled=?", .deferred), ("", .deferred),
    ])
    func samplingFlags(field: String, expected: TracescopeSpanContext.Sampling) throws {
        let header = try #require(XRayTraceHeader(parsing: "Root=1-5759e988-bd862e3fe1be46a994272793; \(field)"))
        #expect(header.sampling == expected)
    }

    @Test func malformedHeadersAreIgnored() {
        #expect(XRayTraceHeader(parsing: "Parent=53995c3f42cd8ad8") == nil)
        #expect(XRayTraceHeader(parsing: "Root=garbage") == nil)
        #expect(W3CTraceParent(parsing: "00-00000000000000000000000000000000-53995c3f42cd8ad8-01") == nil)
        #expect(W3CTraceParent(parsing: "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01-extra") == nil)
        #expect(W3CTraceParent(parsing: "ff-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01") == nil)
        #expect(W3CTraceParent(parsing: "01-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01-future") != nil)
    }

    @Test func w3cAndXRaySpellTheSameTrace() throws {
        let parent = try #require(W3CTraceParent(parsing: "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"))
        #expect(parent.traceID.xray == "1-5759e988-bd862e3fe1be46a994272793")
        #expect(parent.sampled)
        #expect(parent.value == "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01")
    }

    @Test func injectThenExtractContinuesTheTraceBothWays() async throws {
        let tracer = TracescopeTracer(serviceName: "a", exporter: InMemoryExporter(), sampler: AlwaysSample())
        defer { tracer.shutdown() }
        let (headers, sent) = tracer.withSpan("call", ofKind: .client) { span in
            (tracer.headers(for: span.context), span.context.tracescopeSpanContext)
        }
        #expect(headers["X-Amzn-Trace-Id"] != nil)
        #expect(headers["traceparent"] != nil)
        for only in ["X-Amzn-Trace-Id", "traceparent"] {
            var context = InstrumentationContext.topLevel
            tracer.extract([only.uppercased(): headers[only] ?? ""], into: &context, using: DictionaryExtractor())
            let received = try #require(context.tracescopeSpanContext)
            #expect(received.traceID == sent?.traceID)
            #expect(received.spanID == sent?.spanID)
            #expect(received.sampling == .sampled)
            #expect(received.isRemote)
        }
    }

    @Test func tracestateTravelsUntouched() async {
        let tracer = TracescopeTracer(serviceName: "a", exporter: InMemoryExporter(), sampler: AlwaysSample())
        defer { tracer.shutdown() }
        var context = InstrumentationContext.topLevel
        tracer.extract(
            ["traceparent": "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01", "tracestate": "vendor=x"],
            into: &context, using: DictionaryExtractor())
        let headers = tracer.withSpan("hop", context: context) { span in tracer.headers(for: span.context) }
        #expect(headers["tracestate"] == "vendor=x")
        #expect(headers["traceparent"]?.hasPrefix("00-5759e988bd862e3fe1be46a994272793-") == true)
    }
}
