/// Counters packed as narrow as their values allow: 16 bits each until one passes 65,535, then 32, then 64.
///
/// Most counters of a live graph are small — a minute's requests in one latency bucket, a second's requests of one
/// class — so 16 bits hold them, at a quarter of the memory of 64-bit counters. A count that outgrows its width
/// widens the whole array, so every count stays exact (64 bits saturate at `UInt64.max`).
///
/// Operations that change the allocation return the change in bytes, so owners keep a true byte count without
/// summing their parts (`ServiceGraph.bytes`).
struct PackedCounts: Sendable, Equatable {
    private enum Storage: Sendable, Equatable {
        case narrow([UInt16])
        case medium([UInt32])
        case wide([UInt64])
    }

    private var storage: Storage = .narrow([])

    init() {}

    /// `count` zeroed counters.
    init(count: Int) {
        storage = .narrow(Array(repeating: 0, count: max(0, count)))
    }

    var count: Int {
        switch storage {
        case .narrow(let a): a.count
        case .medium(let a): a.count
        case .wide(let a): a.count
        }
    }

    /// Bytes of the counters' buffer (none until the first counter exists).
    var allocatedBytes: Int {
        switch storage {
        case .narrow(let a): Self.bufferBytes(a.capacity, width: 2)
        case .medium(let a): Self.bufferBytes(a.capacity, width: 4)
        case .wide(let a): Self.bufferBytes(a.capacity, width: 8)
        }
    }

    /// A Swift array's heap buffer: its elements and a header of about 32 bytes.
    private static func bufferBytes(_ capacity: Int, width: Int) -> Int {
        capacity == 0 ? 0 : 32 + capacity * width
    }

    subscript(index: Int) -> UInt64 {
        switch storage {
        case .narrow(let a): UInt64(a[index])
        case .medium(let a): UInt64(a[index])
        case .wide(let a): a[index]
        }
    }

    /// Adds `amount` to one counter, widening the array when the sum no longer fits. Returns the bytes grown.
    @discardableResult
    mutating func add(_ amount: UInt64, at index: Int) -> Int {
        if inPlace(Add(amount: amount, index: index)) { return 0 }
        let before = allocatedBytes
        switch storage {
        case .narrow(let a): storage = .medium(a.map { UInt32($0) })
        case .medium(let a): storage = .wide(a.map { UInt64($0) })
        case .wide: break // 64-bit counters always take the sum (saturating)
        }
        return allocatedBytes - before + add(amount, at: index)
    }

    /// Zeroes every counter, keeping the width and the buffer.
    mutating func zeroAll() {
        inPlace(Zero(index: nil))
    }

    /// Zeroes one counter.
    mutating func zero(at index: Int) {
        inPlace(Zero(index: index))
    }

    /// A change to the counters that works at any width (a closure cannot be generic); false when the counters are
    /// too narrow for it, and nothing was changed.
    private protocol Edit {
        func apply<T: FixedWidthInteger & UnsignedInteger>(to counters: inout [T]) -> Bool
    }

    private struct Zero: Edit {
        /// One counter, or all of them.
        var index: Int?

        func apply<T: FixedWidthInteger & UnsignedInteger>(to counters: inout [T]) -> Bool {
            if let index {
                counters[index] = 0
            } else {
                for i in counters.indices { counters[i] = 0 }
            }
            return true
        }
    }

    private struct Add: Edit {
        var amount: UInt64
        var index: Int

        func apply<T: FixedWidthInteger & UnsignedInteger>(to counters: inout [T]) -> Bool {
            let (sum, overflow) = UInt64(counters[index]).addingReportingOverflow(amount)
            if T.bitWidth == 64 {
                counters[index] = overflow ? .max : T(truncatingIfNeeded: sum)
                return true
            }
            guard !overflow, sum <= UInt64(T.max) else { return false }
            counters[index] = T(truncatingIfNeeded: sum)
            return true
        }
    }

    /// Applies `edit` in place, whatever the width: the storage is emptied meanwhile, so the array stays uniquely
    /// referenced and is not copied.
    @discardableResult
    private mutating func inPlace(_ edit: some Edit) -> Bool {
        switch storage {
        case .narrow(var a):
            storage = .narrow([])
            defer { storage = .narrow(a) }
            return edit.apply(to: &a)
        case .medium(var a):
            storage = .medium([])
            defer { storage = .medium(a) }
            return edit.apply(to: &a)
        case .wide(var a):
            storage = .wide([])
            defer { storage = .wide(a) }
            return edit.apply(to: &a)
        }
    }

    /// Adds `front` zeroed counters before the first and `back` after the last, in a buffer of exactly the new size.
    /// Returns the bytes grown.
    mutating func extend(front: Int, back: Int) -> Int {
        guard front > 0 || back > 0 else { return 0 }
        let before = allocatedBytes
        func extended<T: FixedWidthInteger>(_ a: [T]) -> [T] {
            var result: [T] = []
            result.reserveCapacity(front + a.count + back)
            result.append(contentsOf: repeatElement(0, count: front))
            result.append(contentsOf: a)
            result.append(contentsOf: repeatElement(0, count: back))
            return result
        }
        switch storage {
        case .narrow(let a): storage = .narrow(extended(a))
        case .medium(let a): storage = .medium(extended(a))
        case .wide(let a): storage = .wide(extended(a))
        }
        return allocatedBytes - before
    }

    /// Frees every counter. Returns the bytes grown (negative: what was freed).
    mutating func removeAll() -> Int {
        let before = allocatedBytes
        storage = .narrow([])
        return -before
    }
}
