import Foundation
import Synchronization

/// Threads of the receivers' own for the gRPC server's tasks, so that exports are served even when every thread of
/// Swift's shared concurrency pool is busy or blocked — the pool has one thread per core, and the dashboard's event
/// loop, a blocking test or a slow caller elsewhere in the process could otherwise starve every export until the
/// client's deadline.
///
/// A task executor: tasks started with it as their preference (and their child tasks) run their jobs here.
final class ReceiverExecutor: TaskExecutor, @unchecked Sendable {
    // `@unchecked Sendable`: the queue is only touched under `condition`'s lock.
    private var queue: [UnownedJob] = []
    private var head = 0
    private let condition = NSCondition()

    init(threads: Int, name: String) {
        for i in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(i)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        queue.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            // Compact now and then, so the queue does not grow with the jobs ever run.
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
