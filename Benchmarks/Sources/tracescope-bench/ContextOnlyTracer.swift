import Foundation
import Tracing

/// The least a tracer that propagates context can do through swift-distributed-tracing: put a reference to its span
/// into the `ServiceContext` it hands to children (what any tracer must do for `withSpan` to parent anything).
/// With `recording`, it also reads the clock at start and end and allocates one object per span — the floor of a
/// tracer that records, before it stores or exports anything. The tracer benchmark prints it beside ours.
struct ContextOnlyTracer: Tracer {
    final class Handle: Sendable {
        let start: UInt64
        init(start: UInt64) { self.start = start }
    }

    enum Key: ServiceContextKey { typealias Value = Handle }

    struct Span: Tracing.Span {
        let context: ServiceContext
        let handle: Handle
        let recording: Bool
        let handOff: HandOffQueue?
        var operationName: String {
            get { "" }
            nonmutating set {}
        }
        var attributes: SpanAttributes {
            get { [:] }
            nonmutating set {}
        }
        var isRecording: Bool { false }
        func setStatus(_ status: SpanStatus) {}
        func addEvent(_ event: SpanEvent) {}
        func recordError<Instant: TracerInstant>(
            _ error: any Error, attributes: SpanAttributes,
            at instant: @autoclosure () -> Instant
        ) {}
        func addLink(_ link: SpanLink) {}
        func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
            // Read the end time (and keep the optimizer from dropping the read).
            if recording, instant().nanosecondsSinceEpoch < handle.start { print("clock went backwards") }
            handOff?.add(handle)
        }
    }

    private static let shared = Handle(start: 0)
    let recording: Bool
    /// Also hand each ended span's object to another thread to free (implies `recording`).
    let handOff: HandOffQueue?

    init(recording: Bool, handOff: HandOffQueue? = nil) {
        self.recording = recording || handOff != nil
        self.handOff = handOff
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> Span {
        var context = context()
        let handle = recording ? Handle(start: instant().nanosecondsSinceEpoch) : Self.shared
        context[Key.self] = handle
        return Span(context: context, handle: handle, recording: recording, handOff: handOff)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext, into carrier: inout Carrier, using injector: Inject
    )
    where Inject.Carrier == Carrier {}

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract
    )
    where Extract.Carrier == Carrier {}
}

/// What `ContextOnlyTracer(handOff:)` adds: each ended span's object is appended under a lock to a buffer that
/// another thread takes and frees — the least a tracer that exports off the caller's path must add (diagnostics for
/// the tracer benchmark: what the hand-off alone costs).
final class HandOffQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [AnyObject] = []

    init() {
        buffer.reserveCapacity(1 << 16)
        Thread { [self] in
            var batch: [AnyObject] = []
            batch.reserveCapacity(1 << 16)
            while true {
                lock.lock()
                swap(&batch, &buffer)
                lock.unlock()
                batch.removeAll(keepingCapacity: true)
                usleep(1000)
            }
        }.start()
    }

    func add(_ object: AnyObject) {
        lock.lock()
        buffer.append(object)
        lock.unlock()
    }
}
