import Foundation
import Instrumentation
import Testing
import TraceModel
import TracescopeTesting
import Tracing

@testable import Tracescope

@Suite("The tracer", .timeLimit(.minutes(2)))
struct TracerTests {
    static func makeTracer(_ memory: InMemoryExporter, sampler: any TracescopeSampler = AlwaysSample())
        -> TracescopeTracer
    {
        TracescopeTracer(serviceName: "orders", exporter: memory, sampler: sampler, flushInterval: .milliseconds(20))
    }

    @Test func parentsFlowThroughAsyncLetAndTaskGroups() async throws {
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory)
        await tracer.withSpan("root", ofKind: .server) { _ in
            async let left: Void = tracer.withSpan("async-let") { _ in }
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<3 {
                    group.addTask { tracer.withSpan("group-\(i)") { _ in tracer.withSpan("grandchild-\(i)") { _ in } } }
                }
            }
            await left
        }
        tracer.forceFlush()
        let spans = memory.spans
        #expect(spans.count == 8)
        let root = try #require(spans.first { $0.operationName == "root" })
        #expect(root.parentID == nil)
        #expect(root.isSegment)
        for span in spans where span.operationName != "root" {
            #expect(span.traceID == root.traceID)
            #expect(!span.isSegment)
        }
        #expect(spans.first { $0.operationName == "async-let" }?.parentID == root.spanID)
        for i in 0..<3 {
            let group = try #require(spans.first { $0.operationName == "group-\(i)" })
            #expect(group.parentID == root.spanID)
            #expect(spans.first { $0.operationName == "grandchild-\(i)" }?.parentID == group.spanID)
        }
        tracer.shutdown()
    }

    @Test func detachedWorkContinuesTheContextItIsGiven() async throws {
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory)
        let context = tracer.withSpan("request") { span in span.context }
        await Task.detached {
            tracer.withSpan("background", context: context) { _ in }
        }.value
        tracer.forceFlush()
        let request = try #require(memory.spans.first { $0.operationName == "request" })
        #expect(memory.spans.first { $0.operationName == "background" }?.parentID == request.spanID)
        tracer.shutdown()
    }

    @Test func errorsStatusAndAttributesAreRecorded() async throws {
        struct PaymentDeclined: Error, CustomStringConvertible { var description: String { "card declined" } }
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory)
        #expect(throws: PaymentDeclined.self) {
            try tracer.withSpan("charge", ofKind: .client) { span in
                span.attributes["peer.service"] = "payments"
                span.attributes["annotation.customer_tier"] = "gold"
                span.addEvent("retrying")
                throw PaymentDeclined()
            }
        }
        tracer.forceFlush()
        let span = try #require(memory.spans.first)
        #expect(span.exceptions.first?.message == "card declined")
        #expect(span.events.map(\.name) == ["retrying"])
        let xray = XRayMapping.span(span)
        #expect(xray.statusClass == .fault)
        #expect(xray.isSegment)
        #expect(xray.annotations["customer_tier"] == .string("gold"))
        #expect(xray.cause?.exceptions.first?.message == "card declined")
        tracer.shutdown()
    }

    @Test func unsampledTracesRecordNothingAndTellDownstream() async {
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory, sampler: NeverSample())
        let headers = tracer.withSpan("root") { root -> [String: String] in
            #expect(!root.isRecording)
            return tracer.withSpan("child") { child in
                #expect(!child.isRecording)
                #expect(child.context.tracescopeSpanContext?.sampling == .notSampled)
                return tracer.headers(for: child.context)
            }
        }
        tracer.forceFlush()
        #expect(memory.spans.isEmpty)
        #expect(headers["X-Amzn-Trace-Id"]?.contains("Sampled=0") == true)
        tracer.shutdown()
    }

    @Test func anUpstreamDecisionIsHonoured() async {
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory, sampler: NeverSample())
        var context = InstrumentationContext.topLevel
        tracer.extract(
            ["X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"],
            into: &context, using: DictionaryExtractor())
        tracer.withSpan("handler", context: context, ofKind: .server) { _ in }
        tracer.forceFlush()
        let span = memory.spans.first
        #expect(span?.traceID == TraceID(xray: "1-5759e988-bd862e3fe1be46a994272793"))
        #expect(span?.parentID == SpanID(hex: "53995c3f42cd8ad8"))
        #expect(span?.isSegment == true)
        tracer.shutdown()
    }

    /// A span that recorded nothing but its name leaves as plain values; one renamed, or with attributes, goes by its
    /// recorder: each exports what it recorded while it ran, and nothing recorded after its end.
    @Test func plainRenamedAndAttributedSpansExportWhatTheyRecorded() async {
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory)
        var ended: TracescopeSpan?
        tracer.withSpan("plain") { span in ended = span }
        tracer.withSpan("first name") { span in span.operationName = "renamed" }
        tracer.withSpan("attributed") { span in span.attributes["customer"] = "gold" }
        // After its end a span records nothing more, and a second end exports nothing twice.
        ended?.attributes["late"] = "ignored"
        ended?.operationName = "too late"
        ended?.end()
        tracer.forceFlush()
        let spans = memory.spans
        #expect(spans.map(\.operationName) == ["plain", "renamed", "attributed"])
        #expect(spans[0].attributes.isEmpty && spans[0].isSegment && spans[0].serviceName == "orders")
        #expect(spans[2].attributes["customer"] == .string("gold"))
        #expect(tracer.exportStats.exported == 3)
        tracer.shutdown()
    }

    /// A sampler that never samples decides a new trace inline, and still honours a sampled parent.
    @Test func aNeverSamplingSamplerStillFollowsASampledParent() {
        let memory = InMemoryExporter()
        let tracer = Self.makeTracer(memory, sampler: NeverSample())
        tracer.withSpan("new trace") { span in
            #expect(!span.isRecording)
            #expect(span.context.tracescopeSpanContext?.sampling == .notSampled)
        }
        var context = InstrumentationContext.topLevel
        context.tracescopeSpanContext = TracescopeSpanContext(
            traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), sampling: .sampled, isRemote: true)
        tracer.withSpan("continued", context: context) { span in #expect(span.isRecording) }
        tracer.forceFlush()
        #expect(memory.spans.map(\.operationName) == ["continued"])
        tracer.shutdown()
    }

    @Test func shutdownExportsEverythingAccepted() async {
        let memory = InMemoryExporter()
        let tracer = TracescopeTracer(
            serviceName: "bulk", exporter: memory, sampler: AlwaysSample(),
            flushInterval: .seconds(60))
        for i in 0..<20_000 { tracer.withSpan("op \(i)") { _ in } }
        tracer.shutdown()
        #expect(memory.spans.count == 20_000)
        #expect(tracer.exportStats.dropped == 0)
        #expect(tracer.exportStats.exported == 20_000)
        // After shutdown nothing is accepted, and it is counted rather than lost silently.
        tracer.withSpan("late") { _ in }
        #expect(tracer.exportStats.dropped == 1)
    }

    @Test func aFullQueueDropsAndCountsInsteadOfBlocking() {
        /// Takes 200 ms over every batch: a caller that waited for it would take seconds for a thousand spans.
        final class SlowExporter: SpanExporter {
            func export(_ spans: [FinishedSpan]) throws { usleep(200_000) }
        }
        let tracer = TracescopeTracer(
            serviceName: "bulk", exporter: SlowExporter(), sampler: AlwaysSample(),
            queueCapacity: 16, flushInterval: .seconds(60))
        let began = ContinuousClock.now
        for _ in 0..<1000 { tracer.withSpan("op") { _ in } }
        let elapsed = ContinuousClock.now - began
        #expect(elapsed < .seconds(1), "the caller waited for the exporter: \(elapsed)")
        let stats = tracer.exportStats
        #expect(stats.accepted + stats.dropped == 1000)
        // A queue of 16 behind a 200 ms export takes a few dozen spans at most; the rest are dropped and counted.
        #expect(stats.dropped >= 900, "\(stats)")
        tracer.shutdown()
        #expect(tracer.exportStats.exported == tracer.exportStats.accepted)
    }
}
