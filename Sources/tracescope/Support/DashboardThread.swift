import Foundation
import TraceTUI

extension DashboardApp {
    /// Runs the dashboard's event loop on a thread of its own and waits for it to end. The loop blocks (curses reads
    /// keys with a timeout); run on one of Swift concurrency's threads — one per core — it would hold that thread
    /// for the whole session, and the collector's gRPC service and the X-Ray poller need those threads.
    func runOnItsOwnThread() async {
        let app = UncheckedSendable(self)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                app.value.run()
                done.resume()
            }
            thread.name = "tracescope-dashboard"
            thread.start()
        }
    }
}

/// A value handed to exactly one other thread, which alone uses it from then on (the dashboard and its curses
/// state stay on one thread).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
