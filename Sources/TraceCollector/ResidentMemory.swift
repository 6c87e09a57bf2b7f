import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Giving freed memory back to the system. glibc keeps memory freed on a thread in that thread's arena; a collector
/// whose receivers run on several threads (the event loop, gRPC's executor) would otherwise hold at its peak what a
/// burst once needed, and resident memory would say nothing about what is held now.
enum ResidentMemory {
    static func trim() {
        mallocTrim?(0)
    }

    /// Large blocks (request bodies, huge attribute values) always from their own mappings, returned to the system
    /// when freed. glibc otherwise raises its mapping threshold after such a block is freed, and the next ones come
    /// from the heap, where a burst of them stays resident.
    static func mapLargeBlocks() {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
            // M_MMAP_THRESHOLD (-3): fixing it also stops its adjustment.
            _ = mallopt(-3, 256 << 10)
        #endif
    }

    /// glibc's `malloc_trim`, looked up once (Swift's Glibc module does not import `<malloc.h>`); nil elsewhere.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// Counts the collector's ticks (a repeated task's closure must be Sendable).
    final class TickCount: Sendable {
        private let count = Atomic<Int>(0)

        func next() -> Int { count.add(1, ordering: .relaxed).oldValue }
    }
}
