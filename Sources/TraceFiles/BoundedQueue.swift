#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking FIFO of fixed capacity between one producer thread and one consumer thread.
///
/// `@unchecked Sendable`: all state is guarded by the pthread mutex; the condition variables wake the other side.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private var items: [Element?]
    private var head = 0
    private var count = 0
    private var mutex = pthread_mutex_t()
    private var notEmpty = pthread_cond_t()
    private var notFull = pthread_cond_t()

    init(capacity: Int) {
        items = Array(repeating: nil, count: max(1, capacity))
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&notEmpty, nil)
        pthread_cond_init(&notFull, nil)
    }

    deinit {
        pthread_cond_destroy(&notFull)
        pthread_cond_destroy(&notEmpty)
        pthread_mutex_destroy(&mutex)
    }

    /// Blocks while the queue is full.
    func push(_ item: Element) {
        pthread_mutex_lock(&mutex)
        while count == items.count { pthread_cond_wait(&notFull, &mutex) }
        items[(head + count) % items.count] = item
        count += 1
        pthread_cond_signal(&notEmpty)
        pthread_mutex_unlock(&mutex)
    }

    /// Blocks while the queue is empty.
    func pop() -> Element {
        pthread_mutex_lock(&mutex)
        while count == 0 { pthread_cond_wait(&notEmpty, &mutex) }
        let item = items[head]
        items[head] = nil
        head = (head + 1) % items.count
        count -= 1
        pthread_cond_signal(&notFull)
        pthread_mutex_unlock(&mutex)
        // Only pushed elements are ever stored, so the slot at `head` holds one.
        guard let item else { preconditionFailure("BoundedQueue slot empty despite count > 0") }
        return item
    }
}
