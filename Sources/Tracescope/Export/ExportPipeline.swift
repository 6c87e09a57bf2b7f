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
/// `@unchecked Sendable`: all mutable state is guarded by `mutex`.
final class ExportPipeline: @unchecked Sendable {
    private let exporter: any SpanExporter
    private let capacity: Int
    private let intervalNanos: Int64
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var done = pthread_cond_t()
    private var buffer: [SpanRecorder] = []
    private var counters = ExportStats()
    /// Sequence numbers: `requested` is what a flush waits for, `completed` what the thread has exported.
    private var completedThrough: UInt64 = 0
    private var flushRequested = false
    private var stopping = false
    private var stopped = false
    private var thread: pthread_t?
    static let sliceSize = 512

    init(exporter: any SpanExporter, capacity: Int, interval: Duration) {
        self.exporter = exporter
        self.capacity = max(16, capacity)
        let (seconds, attoseconds) = interval.components
        intervalNanos = max(1_000_000, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        buffer.reserveCapacity(min(self.capacity, 4096))
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&done, nil)
        start()
    }

    deinit {
        shutdown()
        pthread_cond_destroy(&done)
        pthread_cond_destroy(&wake)
        pthread_mutex_destroy(&mutex)
    }

    var stats: ExportStats {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return counters
    }

    /// Called from `Span.end()` on any thread.
    func enqueue(_ recorder: SpanRecorder) {
        pthread_mutex_lock(&mutex)
        if stopped || buffer.count >= capacity {
            counters.dropped += 1
            pthread_mutex_unlock(&mutex)
            return
        }
        buffer.append(recorder)
        counters.accepted += 1
        let wakeNow = buffer.count == capacity / 2
        pthread_mutex_unlock(&mutex)
        if wakeNow { pthread_cond_signal(&wake) }
    }

    /// Blocks until every span accepted before the call has been exported.
    func flush() {
        pthread_mutex_lock(&mutex)
        let target = counters.accepted
        guard !stopped, thread != nil else {
            pthread_mutex_unlock(&mutex)
            drainInline()
            return
        }
        flushRequested = true
        pthread_cond_signal(&wake)
        while completedThrough < target && !stopped { pthread_cond_wait(&done, &mutex) }
        pthread_mutex_unlock(&mutex)
    }

    func shutdown() {
        pthread_mutex_lock(&mutex)
        guard !stopping, let thread else {
            let inline = thread == nil && !stopping
            stopping = true
            pthread_mutex_unlock(&mutex)
            if inline {
                drainInline()
                exporter.shutdown()
            }
            return
        }
        stopping = true
        pthread_cond_signal(&wake)
        pthread_mutex_unlock(&mutex)
        pthread_join(thread, nil)
        exporter.shutdown()
    }

    /// Without a background thread (it could not be created), export on the caller's thread.
    private func drainInline() {
        pthread_mutex_lock(&mutex)
        let batch = buffer
        buffer.removeAll()
        pthread_mutex_unlock(&mutex)
        guard !batch.isEmpty else { return }
        let failed = (try? exporter.export(batch.map { $0.finished() })) == nil
        pthread_mutex_lock(&mutex)
        counters.exported += UInt64(batch.count)
        if failed {
            counters.failedExports += 1
            counters.failedSpans += UInt64(batch.count)
        }
        pthread_mutex_unlock(&mutex)
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
        var batch: [SpanRecorder] = []
        var lastHadSpans = false
        while true {
            pthread_mutex_lock(&mutex)
            // Under load (the last batch had spans and more are waiting) keep draining, in parallel with the callers.
            // Otherwise wait out the interval unless the buffer fills, a flush asks or shutdown begins — in a loop, so a
            // spurious wake-up never exports a partial batch early.
            if !lastHadSpans || buffer.isEmpty {
                var deadline = timespec()
                clock_gettime(CLOCK_REALTIME, &deadline)
                let total = Int64(deadline.tv_nsec) + intervalNanos
                deadline.tv_sec += Int(total / 1_000_000_000)
                deadline.tv_nsec = Int(total % 1_000_000_000)
                while buffer.count < capacity / 2 && !flushRequested && !stopping {
                    if pthread_cond_timedwait(&wake, &mutex, &deadline) == ETIMEDOUT { break }
                }
            }
            swap(&batch, &buffer)
            flushRequested = false
            let finishing = stopping
            let through = counters.accepted - UInt64(buffer.count)
            pthread_mutex_unlock(&mutex)

            // Export in slices: temporaries stay small enough for the allocator to reuse, rather than fresh pages
            // (and page faults) for every large batch.
            var failed = false
            var offset = 0
            while offset < batch.count {
                let slice = batch[offset..<min(offset + Self.sliceSize, batch.count)]
                do { try exporter.export(slice.map { $0.finished() }) } catch { failed = true }
                offset += Self.sliceSize
            }

            pthread_mutex_lock(&mutex)
            counters.exported += UInt64(batch.count)
            if failed {
                counters.failedExports += 1
                counters.failedSpans += UInt64(batch.count)
            }
            completedThrough = through
            if finishing && buffer.isEmpty { stopped = true }
            pthread_cond_broadcast(&done)
            pthread_mutex_unlock(&mutex)
            if finishing && stopped { return }
            lastHadSpans = !batch.isEmpty
            batch.removeAll(keepingCapacity: true)
        }
    }
}
