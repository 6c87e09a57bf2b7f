/// Heap bytes that span contents hold, for budgets that input cannot defeat: one home for the sizes of strings and
/// collections, which `Span.estimatedBytes` adds up.
public enum MemoryFootprint {
    /// A native string of up to 15 UTF-8 bytes lives inline; a longer one on the heap, with a 32-byte header.
    @inline(__always)
    public static func of(_ s: String?) -> Int {
        guard let n = s?.utf8.count, n > 15 else { return 0 }
        return 32 + n
    }

    public static func of(_ value: AttributeValue) -> Int {
        switch value {
        case .string(let s): return of(s)
        case .int, .double, .bool: return 0
        case .array(let items):
            // Nested arrays are bounded by the decoders (eight levels); walked with a work list all the same.
            var total = 32
            var pending = items
            while let item = pending.popLast() {
                total += 24
                switch item {
                case .string(let s): total += of(s)
                case .array(let inner):
                    total += 32
                    pending += inner
                default: break
                }
            }
            return total
        }
    }

    /// One stored attribute: the entry (key, value, and the table's share) and what its strings hold.
    @inline(__always)
    public static func of(_ attribute: Attribute) -> Int {
        64 + of(attribute.key) + of(attribute.value)
    }

    public static func of(_ map: [String: AttributeValue]) -> Int {
        guard !map.isEmpty else { return 0 }
        var total = 64
        for (key, value) in map { total += 64 + of(key) + of(value) }
        return total
    }

    public static func of(_ cause: Cause) -> Int {
        var total = 64 + of(cause.workingDirectory) + of(cause.referencedExceptionID)
        for exception in cause.exceptions {
            total += 96 + of(exception.id) + of(exception.type) + of(exception.message)
            for frame in exception.stack { total += 48 + of(frame.path) + of(frame.label) }
        }
        return total
    }
}
