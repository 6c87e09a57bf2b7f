import DequeModule
import TraceModel

/// Groups spans into traces as they arrive, in any order, and hands out traces once they have gone quiet.
///
/// - Duplicates (same trace and span id) are ignored, except that a complete document replaces an `in_progress` one.
/// - A trace is complete once nothing has arrived for it for `quietPeriod`. With `.eventTime` (files) time is the
///   spans' own: the watermark, the median of recent span times (`EventTimeWatermark`), must have moved that far past
///   the trace's last span, so files replay deterministically and one span dated decades ahead completes nothing.
///   With `.arrival` (a live collector) time is the collector's clock, given by `advance(to:)`, and a trace's last
///   activity is when its last span arrived, so senders with skewed clocks change nothing (docs/SEMANTICS.md, "Time").
/// - At most `maxOpenTraces` are held; beyond that the oldest is completed early (`forcedCompletions`), which keeps
///   memory flat however large the input.
/// - At most `maxOpenBytes` (by `Span.estimatedBytes`) are held open, the oldest traces completing early beyond it, and
///   a trace holds at most `maxSpansPerTrace` spans: the rest of a runaway trace is counted (`spansOverTraceLimit`)
///   and not kept, so no input can grow the assembler past its budget.
/// - Spans arriving for a trace completed earlier start a new partial trace (`lateSpans`): kept, never dropped.
public struct TraceAssembler: Sendable {
    /// Whose clock decides when a trace has gone quiet.
    public enum Timekeeping: Sendable {
        /// The spans' own times (files, standard input): deterministic replay.
        case eventTime
        /// The time spans arrive, from `advance(to:)` (a live collector).
        case arrival
    }

    public var quietPeriod: Int64
    public var maxOpenTraces: Int
    public var maxOpenBytes = Int.max
    public var maxSpansPerTrace = TraceAssembler.defaultMaxSpansPerTrace
    /// Ten thousand spans: far past what a trace view or an X-Ray console shows, far below what would crowd a budget.
    public static let defaultMaxSpansPerTrace = 10_000
    public private(set) var spansOverTraceLimit = 0
    /// What the open traces hold, by `Span.estimatedBytes`.
    public private(set) var openBytes = 0
    public let timekeeping: Timekeeping
    private var eventClock = EventTimeWatermark()
    /// The latest `advance(to:)`: the arrival clock, and in event time a floor (the replay's own clock).
    private var advancedTo: EpochNanos = .min
    /// "Now" for completion: see `Timekeeping`.
    public var watermark: EpochNanos {
        timekeeping == .arrival ? advancedTo : max(eventClock.value, advancedTo)
    }
    public private(set) var duplicates = 0
    public private(set) var replacedInProgress = 0
    public private(set) var forcedCompletions = 0
    public private(set) var lateSpans = 0

    /// Empty as made: `merge` fills it with the trace's first span.
    private struct OpenTrace {
        var spans: [Span] = []
        var lookup: [SpanID: Int] = [:]
        var lastActivity: EpochNanos = .min
        var late = false
        /// Kept as spans arrive, while they are in the cache (see `AssembledTrace.init`).
        var estimatedBytes = 512
        var ownersKnown = true

        mutating func count(_ span: Span) {
            estimatedBytes += span.estimatedBytes
            if span.serviceName == nil { ownersKnown = false }
        }
    }

    private var open: [TraceID: OpenTrace] = [:]
    /// Trace ids in order of first arrival; completion checks the head.
    private var order = Deque<TraceID>()
    /// Recently completed ids, so late spans are recognised as such (bounded FIFO).
    private var recentlyCompleted = Set<TraceID>()
    private var recentlyCompletedOrder = Deque<TraceID>()

    /// How many completed trace ids are remembered to recognise late spans (a fixed cost: about 3 MB).
    static let rememberedCompletions = 65_536

    public init(quietPeriodSeconds: Double = 30, maxOpenTraces: Int = 100_000, timekeeping: Timekeeping = .eventTime) {
        self.timekeeping = timekeeping
        quietPeriod = max(0, Int64(saturatingNanosFromSeconds: quietPeriodSeconds))
        self.maxOpenTraces = max(1, maxOpenTraces)
        // Sized up front for the traffic they are bounded for: growing from empty rehashes every entry at each doubling,
        // on the ingest path, for as long as a busy collector warms up.
        open.reserveCapacity(min(self.maxOpenTraces, 1 << 15))
        recentlyCompleted.reserveCapacity(Self.rememberedCompletions + 1)
    }

    public var openTraceCount: Int { open.count }

    /// Adds spans; traces that became complete are passed to `complete`.
    public mutating func add(_ spans: [Span], complete: (AssembledTrace) -> Void) {
        for span in spans { add(span) }
        drain(complete)
    }

    /// Adds spans; `nextCompleted()` then hands out the traces that became complete.
    public mutating func add(_ spans: [Span]) {
        for span in spans { add(span) }
    }

    /// Consuming: the span moves into its trace rather than being copied there (one retain of its box fewer).
    public mutating func add(_ span: consuming Span) {
        let id = span.traceID
        let activity: EpochNanos
        if timekeeping == .arrival, advancedTo != .min {
            activity = advancedTo
        } else {
            activity = span.end ?? span.start
            eventClock.observe(activity)
        }
        // One hash finds the trace or makes its entry: a new trace comes in as an empty default, filled by `merge`.
        var bytesAdded = 0
        let result = Self.merge(
            span, activity: activity, into: &open[id, default: OpenTrace()], completed: recentlyCompleted,
            maxSpans: maxSpansPerTrace, bytesAdded: &bytesAdded)
        openBytes += bytesAdded
        switch result {
        case .started(let late):
            if late { lateSpans += 1 }
            order.append(id)
        case .added: break
        case .replacedInProgress: replacedInProgress += 1
        case .duplicate: duplicates += 1
        case .overLimit: spansOverTraceLimit += 1
        }
    }

    private enum MergeResult {
        case started(late: Bool)
        case added, replacedInProgress, duplicate, overLimit
    }

    private static func merge(
        _ span: consuming Span, activity: EpochNanos, into trace: inout OpenTrace,
        completed: Set<TraceID>, maxSpans: Int, bytesAdded: inout Int
    ) -> MergeResult {
        let before = trace.estimatedBytes
        defer { bytesAdded = trace.estimatedBytes - before }
        if trace.spans.isEmpty {
            trace.lastActivity = activity
            trace.late = completed.contains(span.traceID)
            trace.count(span)
            // Room for a typical trace's spans at once, rather than regrowing the array at its second and third span.
            trace.spans.reserveCapacity(4)
            trace.spans.append(span)
            return .started(late: trace.late)
        }
        if activity > trace.lastActivity { trace.lastActivity = activity }
        let existing: Int?
        if trace.spans.count < 24 {
            existing = trace.spans.firstIndex { $0.id == span.id }
        } else {
            if trace.lookup.isEmpty {
                for (i, s) in trace.spans.enumerated() { trace.lookup[s.id] = i }
            }
            existing = trace.lookup[span.id]
        }
        if let existing {
            if trace.spans[existing].inProgress && !span.inProgress {
                trace.count(span)
                trace.estimatedBytes -= trace.spans[existing].estimatedBytes
                trace.spans[existing] = span
                return .replacedInProgress
            }
            return .duplicate
        }
        guard trace.spans.count < maxSpans else { return .overLimit }
        if !trace.lookup.isEmpty { trace.lookup[span.id] = trace.spans.count }
        trace.count(span)
        trace.spans.append(span)
        return .added
    }

    /// Moves the watermark forward (a live collector calls this with its clock so quiet traces complete).
    public mutating func advance(to now: EpochNanos, complete: (AssembledTrace) -> Void) {
        advance(to: now)
        drain(complete)
    }

    /// Moves the watermark forward; `nextCompleted()` then hands out the traces that went quiet.
    public mutating func advance(to now: EpochNanos) {
        if now > advancedTo { advancedTo = now }
    }

    /// Completes every open trace (end of input, shutdown).
    public mutating func flush(_ complete: (AssembledTrace) -> Void) {
        while let trace = nextFlushed() { complete(trace) }
    }

    /// The oldest open trace, completed now (end of input, shutdown); nil once none is open.
    public mutating func nextFlushed() -> AssembledTrace? {
        while let id = order.popFirst() {
            if let index = open.index(forKey: id) { return finish(at: index) }
        }
        return nil
    }

    private mutating func drain(_ complete: (AssembledTrace) -> Void) {
        while let trace = nextCompleted() { complete(trace) }
    }

    /// The next trace that is complete — quiet for the quiet period, or the oldest beyond `maxOpenTraces` — or nil.
    /// One at a time, so a caller analyses each as it comes instead of collecting them first.
    public mutating func nextCompleted() -> AssembledTrace? {
        let watermark = self.watermark
        while let id = order.first {
            guard let index = open.index(forKey: id) else {
                order.removeFirst()
                continue
            }
            let lastActivity = open.values[index].lastActivity
            let quiet = watermark > lastActivity && watermark - lastActivity >= quietPeriod
            if quiet {
                order.removeFirst()
                return finish(at: index)
            } else if open.count > maxOpenTraces || openBytes > maxOpenBytes {
                order.removeFirst()
                forcedCompletions += 1
                return finish(at: index)
            } else {
                return nil
            }
        }
        return nil
    }

    private mutating func finish(at index: [TraceID: OpenTrace].Index) -> AssembledTrace {
        let (id, trace) = open.remove(at: index)
        openBytes -= trace.estimatedBytes
        var assembled = AssembledTrace(
            traceID: id, spans: trace.spans, estimatedBytes: trace.estimatedBytes,
            ownersKnown: trace.ownersKnown)
        assembled.isLateFragment = trace.late
        if recentlyCompleted.insert(id).inserted {
            recentlyCompletedOrder.append(id)
            if recentlyCompletedOrder.count > Self.rememberedCompletions, let old = recentlyCompletedOrder.popFirst() {
                recentlyCompleted.remove(old)
            }
        }
        return assembled
    }
}
