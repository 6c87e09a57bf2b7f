import TraceAnalysis
import TraceCollector
import TraceModel

#if canImport(Glibc)
    import Glibc
#endif

/// Plays a schedule into a pipeline in real time: each span is ingested at its playback time, and the pipeline's
/// clock reads the recorded time, so windows, rates and trace completion behave as they did live.
final class ReplayFeeder: Sendable {
    let schedule: ReplaySchedule
    let pipeline: IngestPipeline
    private let startedAt: EpochNanos

    /// The pipeline to feed reads its clock from the feeder: make it with `clock: { feeder.recordedNow() }`.
    init(schedule: ReplaySchedule, quietPeriodSeconds: Double) {
        self.schedule = schedule
        startedAt = Monotonic.now()
        let box = ClockBox()
        pipeline = IngestPipeline(quietPeriodSeconds: quietPeriodSeconds, clock: { box.now() })
        box.feeder = self
    }

    /// The recorded time the replay has reached.
    func recordedNow() -> EpochNanos {
        schedule.recordedTime(at: Monotonic.now() - startedAt)
    }

    /// Delivers spans as they fall due, ticking the pipeline so quiet traces complete, until every span is in and
    /// the recorded clock has stopped; then completes what is still open.
    func run() async {
        var delivered = 0
        let spans = schedule.spans
        while !Task.isCancelled {
            let due = schedule.dueCount(at: Monotonic.now() - startedAt)
            if due > delivered {
                pipeline.ingest(Array(spans[delivered..<due]))
                delivered = due
            }
            pipeline.tick()
            if delivered == spans.count, Monotonic.now() - startedAt > schedule.length + Int64(70e9 / schedule.speed) {
                break
            }
            // Sleep until the next span is due, but wake at least every quarter second to let traces complete.
            let next =
                delivered < spans.count ? schedule.playback[delivered] - (Monotonic.now() - startedAt) : 250_000_000
            try? await Task.sleep(for: .nanoseconds(max(1_000_000, min(next, 250_000_000))))
        }
        pipeline.finish()
    }
}

/// Lets the pipeline's clock closure reach the feeder that owns the pipeline (set once, before any reads).
private final class ClockBox: @unchecked Sendable {
    weak var feeder: ReplayFeeder?

    func now() -> EpochNanos { feeder?.recordedNow() ?? 0 }
}

enum Monotonic {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
