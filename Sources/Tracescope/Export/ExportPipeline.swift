import Synchronization
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where finished spans go. `export` is called on the pipeline's one background thread, never concurrently.
public protocol SpanExporter: Sendable {
    func export(_ spans: [FinishedSpan]) throws
    /// Called after the last export: close sockets and files.
    func shutdown()
}

extension SpanExporter {
    /// Nothing to close, by default.
    public func shutdown() {}
}

/// Counters of the export pipeline.
public struct ExportStats: Sendable, Equatable {
    /// Spans accepted from ended spans.
    public var accepted: UInt64 = 0
    /// Spans handed to the exporter.
    public var exported: UInt64 = 0
    /// Spans dropped because the queue was full (or the tracer was shut down).
    public var dropped: UInt64 = 0
    /// Export calls that threw; their spans are counted as exported-with-failure here.
    public var failedExports: UInt64 = 0
    /// The spans of those exports.
    public var failedSpans: UInt64 = 0
}

/// Finished spans wait in a bounded buffer; a background thread exports them every `interval`, or sooner when the
/// buffer is half full. Ending a span costs a lock and an append — never I/O, never a task, never a wake-up unless
/// the buffer fills. `flush()` returns once everything accepted before it was exported.
///
/// Two locks: `queue` (a futex-based `Mutex`, two atomic operations when uncontended) is all a caller takes; the
/// export thread's sleeping, flushes and shutdown use `control` with its condition variables, which callers touch
/// only to wake the thread when the buffer is half full.
///
/// `@unchecked Sendable`: the state outside `queue` is guarded by `control`.
final class ExportPipeline: @unchecked Sendable {
    struct Queue {
        var buffer: [EndedSpan] = []
        var accepted: UInt64 = 0
        var dropped: UInt64 = 0
        /// No span is accepted any more (after shutdown).
        var closed = false
    }

    private let exporter: any SpanExporter
    private let capacity: Int
    private let intervalNanos: Int64
    private let queue = Mutex(Queue())
    private var control = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var done = pthread_cond_t()
    /// Guarded by `control`: what the export thread has done, and what it is asked.
    private var exported: UInt64 = 0
    private var failedExports: UInt64 = 0
    private var failedSpans: UInt64 = 0
    /// `completedThrough` is how many accepted spans the thread has exported; a flush waits for its target.
    private var completedThrough: UInt64 = 0
    private var flushRequested = false
    private var stopping = false
    private var stopped = false
    private var thread: pthread_t?
    static let sliceSize = 512
    /// How long the export thread lets spans gather while they keep coming.
    static let busyWaitNanos: Int64 = 1_000_000

    /// The tracer's service and origin, for the finished spans.
    private let serviceName: String
    private let origin: String?

    init(exporter: any SpanExporter, capacity: Int, interval: Duration, serviceName: String, origin: String?) {
        self.exporter = exporter
        self.serviceName = serviceName
        self.origin = origin
        self.capacity = max(16, capacity)
        let (seconds, attoseconds) = interval.components
        intervalNanos = max(1_000_000, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let reserve = min(self.capacity, 4096)
        queue.withLock { $0.buffer.reserveCapacity(reserve) }
        pthread_mutex_init(&control, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&done, nil)
        start()
    }

    deinit {
        shutdown()
        pthread_cond_destroy(&done)
        pthread_cond_destroy(&wake)
        pthread_mutex_destroy(&control)
    }

    var stats: ExportStats {
        let (accepted, dropped) = queue.withLock { ($0.accepted, $0.dropped) }
        pthread_mutex_lock(&control)
        defer { pthread_mutex_unlock(&control) }
        return ExportStats(
            accepted: accepted, exported: exported, dropped: dropped, failedExports: failedExports,
            failedSpans: failedSpans)
    }

    /// Called from `Span.end()` on any thread.
    func enqueue(_ span: EndedSpan) {
        let capacity = self.capacity
        let wakeNow = queue.withLock { q -> Bool in
            guard !q.closed, q.buffer.count < capacity else {
                q.dropped += 1
                return false
            }
            q.buffer.append(span)
            q.accepted += 1
            return q.buffer.count == capacity / 2
        }
        if wakeNow {
            pthread_mutex_lock(&control)
            pthread_cond_signal(&wake)
            pthread_mutex_unlock(&control)
        }
    }

    /// Blocks until every span accepted before the call has been exported.
    func flush() {
        let target = queue.withLock { $0.accepted }
        pthread_mutex_lock(&control)
        guard !stopped, thread != nil else {
            pthread_mutex_unlock(&control)
            drainInline()
            return
        }
        flushRequested = true
        pthread_cond_signal(&wake)
        while completedThrough < target && !stopped { pthread_cond_wait(&done, &control) }
        pthread_mutex_unlock(&control)
    }

    func shutdown() {
        pthread_mutex_lock(&control)
        guard !stopping, let thread else {
            let inline = thread == nil && !stopping
            stopping = true
            pthread_mutex_unlock(&control)
            if inline {
                queue.withLock { $0.closed = true }
                drainInline()
                exporter.shutdown()
            }
            return
        }
        stopping = true
        pthread_cond_signal(&wake)
        pthread_mutex_unlock(&control)
        pthread_join(thread, nil)
        exporter.shutdown()
    }

    /// Without a background thread (it could not be created), export on the caller's thread.
    private func drainInline() {
        let batch = queue.withLock { q -> [EndedSpan] in
            defer { q.buffer.removeAll() }
            return q.buffer
        }
        guard !batch.isEmpty else { return }
        let failed =
            (try? exporter.export(batch.map { $0.finished(serviceName: serviceName, origin: origin) })) == nil
        pthread_mutex_lock(&control)
        exported += UInt64(batch.count)
        if failed {
            failedExports += 1
            failedSpans += UInt64(batch.count)
        }
        pthread_mutex_unlock(&control)
    }

    private func start() {
        final class Box: @unchecked Sendable {
            let pipeline: ExportPipeline
            init(_ pipeline: ExportPipeline) { self.pipeline = pipeline }
        }
        var handle = pthread_t()
        // The thread holds the pipeline unretained-safe via a retained box released when the loop ends.
        let context = Unmanaged.passRetained(Box(self)).toOpaque()
        let created = pthread_create(
            &handle, nil,
            { raw in
                guard let raw else { return nil }
                let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
                box.pipeline.run()
                return nil
            }, context)
        if created == 0 {
            thread = handle
        } else {
            // No thread: spans are exported synchronously on flush and shutdown instead.
            Unmanaged<Box>.fromOpaque(context).release()
        }
    }

    /// The export thread's name, as `top -H`, `perf` and the tracer benchmark see it (15 bytes at most on Linux).
    static let threadName = "tracescope-exp"

    private func run() {
        #if os(Linux)
            // glibc's pthread_setname_np is not imported into Swift: the kernel's own file for it does the same.
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            if fd >= 0 {
                _ = Self.threadName.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
                close(fd)
            }
        #elseif canImport(Darwin)
            pthread_setname_np(Self.threadName)
        #endif
        var batch: [EndedSpan] = []
        var lastHadSpans = false
        let halfFull = capacity / 2
        while true {
            pthread_mutex_lock(&control)
            // Wait out the interval unless the buffer fills, a flush asks or shutdown begins — in a loop, so a spurious
            // wake-up never exports a partial batch early. Under load (the last batch had spans) wait a millisecond at
            // most, for a batch of a thousand spans or so rather than a few: each drain takes the buffer's lock from
            // the callers' core.
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            let total =
                Int64(deadline.tv_nsec) + (lastHadSpans ? min(intervalNanos, Self.busyWaitNanos) : intervalNanos)
            deadline.tv_sec += Int(total / 1_000_000_000)
            deadline.tv_nsec = Int(total % 1_000_000_000)
            while !flushRequested && !stopping && queue.withLock({ $0.buffer.count }) < halfFull {
                if pthread_cond_timedwait(&wake, &control, &deadline) == ETIMEDOUT { break }
            }
            flushRequested = false
            let finishing = stopping
            pthread_mutex_unlock(&control)
            // Everything accepted up to here is in `batch`; after shutdown began, nothing more is accepted.
            let through = queue.withLock { q -> UInt64 in
                swap(&batch, &q.buffer)
                if finishing { q.closed = true }
                return q.accepted
            }

            // Export in slices: temporaries stay small enough for the allocator to reuse, rather than fresh pages
            // (and page faults) for every large batch.
            var failed = false
            var offset = 0
            while offset < batch.count {
                let slice = batch[offset..<min(offset + Self.sliceSize, batch.count)]
                do {
                    try exporter.export(slice.map { $0.finished(serviceName: serviceName, origin: origin) })
                } catch { failed = true }
                offset += Self.sliceSize
            }

            pthread_mutex_lock(&control)
            exported += UInt64(batch.count)
            if failed {
                failedExports += 1
                failedSpans += UInt64(batch.count)
            }
            completedThrough = through
            let drained = finishing && queue.withLock { $0.buffer.isEmpty }
            if drained { stopped = true }
            pthread_cond_broadcast(&done)
            pthread_mutex_unlock(&control)
            if drained { return }
            lastHadSpans = !batch.isEmpty
            batch.removeAll(keepingCapacity: true)
        }
    }
}
