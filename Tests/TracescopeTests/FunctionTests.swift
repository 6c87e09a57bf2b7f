import Foundation
import Synchronization
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
import TracescopeTesting
import Tracing

@testable import Tracescope

@Suite("Function invocations", .timeLimit(.minutes(5)))
struct FunctionTests {
    /// Runs the spans through the same analysis `tracescope summary` uses.
    static func analyze(_ spans: [FinishedSpan]) -> TraceAnalyzer {
        var analyzer = TraceAnalyzer()
        analyzer.ingest(spans.map(XRayMapping.span))
        analyzer.finish()
        return analyzer
    }

    @Test func dwellInitAndHandlerWithAColdStartOnlyFirst() async throws {
        let memory = InMemoryExporter()
        let tracer = TracescopeTracer(serviceName: "shop", exporter: memory, sampler: AlwaysSample())
        let initializations = Atomic<Int>(0)
        let mailer = TracedFunction(name: "mailer", tracer: tracer, mode: .platform) {
            initializations.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(30))
            return "smtp connection"
        }
        for _ in 0..<3 {
            let enqueued = WallClock.now() - 50_000_000
            let result = try await mailer.invoke(enqueuedAt: enqueued, httpStatus: { _ in 202 }) { connection in
                try await Task.sleep(for: .milliseconds(5))
                return connection.count
            }
            #expect(result == 15)
        }
        tracer.shutdown()
        #expect(initializations.load(ordering: .relaxed) == 1)
        let analyzer = Self.analyze(memory.spans)
        let fn = try #require(analyzer.functions["mailer"])
        #expect(fn.invocations == 3)
        #expect(fn.coldStarts == 1)
        #expect(fn.dwell.count == 3)
        #expect(fn.dwell.minNanos >= 50_000_000)
        #expect(fn.initialization.count == 1)
        #expect(fn.initialization.minNanos >= 30_000_000)
        #expect(fn.handler.count == 3)
        #expect(fn.handler.minNanos >= 5_000_000)
        // The service map shows the Lambda pair, called by the client.
        let service = NodeKey(name: "mailer", type: "AWS::Lambda")
        let function = NodeKey(name: "mailer", type: "AWS::Lambda::Function")
        #expect(analyzer.graph.edges[EdgeKey(from: .client, to: service)]?.total == 3)
        #expect(analyzer.graph.edges[EdgeKey(from: service, to: function)]?.total == 3)
    }

    @Test func handlerSpansNestUnderInvocationAndFailuresAreFaults() async throws {
        struct Boom: Error {}
        let memory = InMemoryExporter()
        let tracer = TracescopeTracer(serviceName: "shop", exporter: memory, sampler: AlwaysSample())
        let fn = TracedFunction(name: "checkout", tracer: tracer, mode: .platform) { () }
        await #expect(throws: Boom.self) {
            try await fn.invoke { _ in
                try tracer.withSpan("DynamoDB PutItem", ofKind: .client) { span in
                    span.attributes[XRayAttribute.awsService] = "DynamoDB"
                    span.attributes["aws.operation"] = "PutItem"
                    throw Boom()
                }
            }
        }
        tracer.shutdown()
        let spans = memory.spans
        let invocation = try #require(spans.first { $0.operationName == "Invocation" })
        let call = try #require(spans.first { $0.operationName == "DynamoDB PutItem" })
        #expect(call.parentID == invocation.spanID)
        let xray = XRayMapping.span(call)
        #expect(xray.name == "DynamoDB")
        #expect(xray.namespace == "aws")
        #expect(xray.aws["operation"] == .string("PutItem"))
        let analyzer = Self.analyze(spans)
        #expect(analyzer.graph.nodes[NodeKey(name: "checkout", type: "AWS::Lambda::Function")]?.faults == 1)
        #expect(analyzer.graph.nodes[NodeKey(name: "DynamoDB", type: "AWS::DynamoDB::Table")]?.faults == 1)
    }

    @Test func concurrentFirstInvocationsInitializeOnce() async throws {
        let memory = InMemoryExporter()
        let tracer = TracescopeTracer(serviceName: "shop", exporter: memory, sampler: AlwaysSample())
        let count = Atomic<Int>(0)
        let fn = TracedFunction(name: "cart", tracer: tracer, mode: .platform) {
            count.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(20))
            return 1
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await fn.invoke { $0 } } }
            for try await value in group { #expect(value == 1) }
        }
        tracer.shutdown()
        #expect(count.load(ordering: .relaxed) == 1)
        #expect(Self.analyze(memory.spans).functions["cart"]?.coldStarts == 1)
        fn.recycle()
    }

    @Test func insideLambdaTheFacadeIsContinued() async throws {
        let memory = InMemoryExporter()
        let tracer = TracescopeTracer(serviceName: "shop", exporter: memory, sampler: NeverSample())
        let fn = TracedFunction(name: "checkout", tracer: tracer, mode: .insideLambda) { () }
        var context = InstrumentationContext.topLevel
        context.tracescopeSpanContext = TracescopeSpanContext(
            traceID: TraceID(xray: "1-5759e988-bd862e3fe1be46a994272793"), spanID: SpanID(hex: "53995c3f42cd8ad8"),
            sampling: .sampled, isRemote: true, parentIsFacade: true)
        _ = try await fn.invoke(context: context) { _ in tracer.withSpan("work") { _ in } }
        tracer.shutdown()
        let spans = memory.spans
        #expect(spans.count == 2)
        #expect(spans.allSatisfy { !$0.isSegment })
        #expect(spans.first { $0.operationName == "checkout" }?.parentID == SpanID(hex: "53995c3f42cd8ad8"))
    }
}
