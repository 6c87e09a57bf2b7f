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
        switch storage {
        case .narrow(var a):
            let sum = UInt64(a[index]) &+ amount
            if sum <= UInt64(UInt16.max), sum >= amount {
                storage = .narrow([]) // keeps `a` uniquely referenced: the write below is in place
                a[index] = UInt16(truncatingIfNeeded: sum)
                storage = .narrow(a)
                return 0
            }
            let before = allocatedBytes(of: a, width: 2)
            storage = .medium(a.map { UInt32($0) })
            return widenedAdd(amount, at: index, grownFrom: before)
        case .medium(var a):
            let sum = UInt64(a[index]) &+ amount
            if sum <= UInt64(UInt32.max), sum >= amount {
                storage = .medium([])
                a[index] = UInt32(truncatingIfNeeded: sum)
                storage = .medium(a)
                return 0
            }
            let before = allocatedBytes(of: a, width: 4)
            storage = .wide(a.map { UInt64($0) })
            return widenedAdd(amount, at: index, grownFrom: before)
        case .wide(var a):
            storage = .wide([])
            let (sum, overflow) = a[index].addingReportingOverflow(amount)
            a[index] = overflow ? .max : sum
            storage = .wide(a)
            return 0
        }
    }

    private func allocatedBytes<T>(of array: [T], width: Int) -> Int { Self.bufferBytes(array.capacity, width: width) }

    private mutating func widenedAdd(_ amount: UInt64, at index: Int, grownFrom before: Int) -> Int {
        let grown = allocatedBytes - before
        return grown + add(amount, at: index)
    }

    /// Zeroes every counter, keeping the width and the buffer.
    mutating func zeroAll() {
        inPlace(Zero(index: nil))
    }

    /// Zeroes one counter.
    mutating func zero(at index: Int) {
        inPlace(Zero(index: index))
    }

    /// A change to the counters that works at any width (a closure cannot be generic).
    private protocol Edit {
        func apply<T: FixedWidthInteger>(to counters: inout [T])
    }

    private struct Zero: Edit {
        /// One counter, or all of them.
        var index: Int?

        func apply<T: FixedWidthInteger>(to counters: inout [T]) {
            if let index {
                counters[index] = 0
            } else {
                for i in counters.indices { counters[i] = 0 }
            }
        }
    }

    /// Applies `edit` in place, whatever the width: the storage is emptied meanwhile, so the array stays uniquely
    /// referenced and is not copied.
    private mutating func inPlace(_ edit: some Edit) {
        switch storage {
        case .narrow(var a):
            storage = .narrow([])
            edit.apply(to: &a)
            storage = .narrow(a)
        case .medium(var a):
            storage = .medium([])
            edit.apply(to: &a)
            storage = .medium(a)
        case .wide(var a):
            storage = .wide([])
            edit.apply(to: &a)
            storage = .wide(a)
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
