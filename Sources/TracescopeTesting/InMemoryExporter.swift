import Synchronization
import Tracescope

/// Keeps finished spans in memory, for users' own tests (the `TracescopeTesting` product, so that applications do not
/// ship it):
/// ```swift
/// import TracescopeTesting
///
/// let memory = InMemoryExporter()
/// let tracer = TracescopeTracer(serviceName: "test", exporter: memory, sampler: AlwaysSample())
/// … ; tracer.forceFlush()
/// #expect(memory.spans.map(\.operationName) == ["checkout"])
/// ```
public final class InMemoryExporter: SpanExporter {
    private let store = Mutex<[FinishedSpan]>([])

    /// An empty store.
    public init() {}

    /// Keeps the spans.
    public func export(_ spans: [FinishedSpan]) throws {
        store.withLock { $0.append(contentsOf: spans) }
    }

    /// Every span exported so far, in export order.
    public var spans: [FinishedSpan] { store.withLock { $0 } }

    /// Forgets the spans kept so far.
    public func reset() {
        store.withLock { $0.removeAll() }
    }
}
