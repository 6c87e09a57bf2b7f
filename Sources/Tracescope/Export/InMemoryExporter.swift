import Synchronization

/// Keeps finished spans in memory, for users' own tests:
/// ```swift
/// let memory = InMemoryExporter()
/// let tracer = TracescopeTracer(serviceName: "test", exporter: memory, sampler: AlwaysSample())
/// … ; tracer.forceFlush()
/// #expect(memory.spans.map(\.operationName) == ["checkout"])
/// ```
public final class InMemoryExporter: SpanExporter {
    private let store = Mutex<[FinishedSpan]>([])

    public init() {}

    public func export(_ spans: [FinishedSpan]) throws {
        store.withLock { $0.append(contentsOf: spans) }
    }

    public var spans: [FinishedSpan] { store.withLock { $0 } }

    public func reset() {
        store.withLock { $0.removeAll() }
    }
}
