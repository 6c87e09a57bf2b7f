import Synchronization
import TraceModel
import Tracing

/// The recording side of a sampled span. Spans may be touched from several tasks, so its mutable state sits behind
/// a mutex; its end is one atomic (ending is every span's cost, the rest is not); once ended it is immutable and
/// handed to the export pipeline.
final class SpanRecorder: SpanContextHolder {
    /// What a span may have recorded besides its name. Most spans set none of it, and it lives out of line: the
    /// recorder stays two cache lines, which is what ending a span moves to the export thread and back.
    final class Recorded {
        var attributes = SpanAttributes()
        var events: [SpanEvent] = []
        var status: SpanStatus?
        var errors: [ExceptionRecord] = []
    }

    struct State {
        /// Set when the span is renamed after it started; nil: `SpanRecorder.initialName`.
        var name: String?
        var recorded: Recorded?

        var attributes: SpanAttributes {
            get { recorded?.attributes ?? SpanAttributes() }
            set { recording().attributes = newValue }
        }
        var events: [SpanEvent] {
            get { recorded?.events ?? [] }
            set { recording().events = newValue }
        }
        var status: SpanStatus? {
            get { recorded?.status }
            set { recording().status = newValue }
        }
        var errors: [ExceptionRecord] {
            get { recorded?.errors ?? [] }
            set { recording().errors = newValue }
        }

        private mutating func recording() -> Recorded {
            if let recorded { return recorded }
            let made = Recorded()
            recorded = made
            return made
        }
    }

    /// The end time, or `notEnded`.
    private let endNanos = Atomic<EpochNanos>(SpanRecorder.notEnded)
    /// Set by every change of `state`: a span never changed since it started (most spans) ends without its lock.
    private let changed = Atomic<Bool>(false)
    private static let notEnded = EpochNanos.min

    /// What every span of one tracer shares: one reference to retain per span, not three.
    final class Owner: Sendable {
        let pipeline: ExportPipeline
        let serviceName: String
        let origin: String?

        init(pipeline: ExportPipeline, serviceName: String, origin: String?) {
            self.pipeline = pipeline
            self.serviceName = serviceName
            self.origin = origin
        }
    }

    /// Header fields passed through to children and outgoing calls (see `TracescopeSpanContext`); most spans have
    /// none, so they share no storage at all.
    final class PassedOn: Sendable {
        let xrayExtra: String?
        let traceState: String?

        init?(xrayExtra: String?, traceState: String?) {
            guard xrayExtra != nil || traceState != nil else { return nil }
            self.xrayExtra = xrayExtra
            self.traceState = traceState
        }
    }

    let started: StartedSpan
    let owner: Owner
    let passedOn: PassedOn?
    /// The name it started with.
    let initialName: String
    private let state: Mutex<State>

    init(
        name: String, traceID: TraceID, spanID: SpanID, parentID: SpanID?, kind: Tracing.SpanKind, isLocalRoot: Bool,
        start: EpochNanos, owner: Owner, passedOn: PassedOn? = nil
    ) {
        started = StartedSpan(
            traceID: traceID, spanID: spanID, parentID: parentID, kind: kind, isLocalRoot: isLocalRoot, start: start)
        self.owner = owner
        self.passedOn = passedOn
        initialName = name
        state = Mutex(State(name: nil, recorded: nil))
    }

    /// Reads the recorded state (a copy: two references).
    func read<Result>(_ body: (State) -> Result) -> Result {
        body(state.withLock { $0 })
    }

    /// Changes the recorded state (and says so, see `changed`).
    func update(_ body: (inout State) -> Void) {
        state.withLock { s in
            changed.store(true, ordering: .releasing)
            body(&s)
        }
    }

    /// The span's name now.
    var name: String { changed.load(ordering: .acquiring) ? read { $0.name } ?? initialName : initialName }

    func end(at nanos: EpochNanos) {
        let end = max(nanos, started.start)
        let first = endNanos.compareExchange(
            expected: Self.notEnded, desired: end, ordering: .acquiringAndReleasing
        ).exchanged
        // Ending twice is a programming error the API allows; the second end is ignored rather than exported twice.
        guard first else { return }
        var name = initialName
        var plain = true
        if changed.load(ordering: .acquiring) {
            (name, plain) = state.withLock { ($0.name ?? initialName, $0.recorded == nil) }
        }
        owner.pipeline.enqueue(
            EndedSpan(started: started, end: end, name: name, recorder: plain ? nil : self))
    }

    var isRecording: Bool { endNanos.load(ordering: .acquiring) == Self.notEnded }

    /// The context children see: this span, sampled, local.
    var spanContext: TracescopeSpanContext {
        TracescopeSpanContext(
            traceID: started.traceID, spanID: started.spanID, sampling: .sampled, isRemote: false,
            xrayExtra: passedOn?.xrayExtra,
            traceState: passedOn?.traceState)
    }

    /// The finished span in plain values (called on the export thread).
    func finished() -> FinishedSpan {
        let started = started
        return state.withLock { s in
            // Most spans carry no attributes: then no dictionary is built or searched.
            var attributes: [String: AttributeValue] = [:]
            var origin: String?
            var service = owner.serviceName
            if !s.attributes.isEmpty {
                // swift-format-ignore: ReplaceForEachWithForLoop
                // SpanAttributes is not a Sequence: forEach is its only iteration.
                s.attributes.forEach { key, value in
                    if let v = value.modelValue { attributes[key] = v }
                }
                origin = attributes[XRayAttribute.origin]?.stringValue
                service = attributes[XRayAttribute.serviceName]?.stringValue ?? owner.serviceName
            }
            let isSegment = started.isLocalRoot || origin != nil
            return FinishedSpan(
                traceID: started.traceID, spanID: started.spanID, parentID: started.parentID,
                operationName: s.name ?? initialName, kind: started.kind, serviceName: service, isSegment: isSegment,
                origin: origin ?? (isSegment ? owner.origin : nil), start: started.start,
                end: max(started.start, endNanos.load(ordering: .acquiring)), attributes: attributes,
                statusError: s.status?.code == .error, statusMessage: s.status?.message, exceptions: s.errors,
                events: s.events.map { ($0.name, EpochNanos(clamping: $0.nanosecondsSinceEpoch)) }
            )
        }
    }
}

extension Tracing.SpanKind {
    var model: TraceModel.SpanKind {
        switch self {
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .internal: .internal
        }
    }
}
