import ArgumentParser

/// The one check for number-valued flags: a value a flag cannot mean (NaN, infinity, 1e300, a negative duration)
/// exits 2 with a message naming the flag, before any conversion could trap (docs/SEMANTICS.md, "Command line").
enum NumericFlag {
    /// Ten years: longer than anything a run, a poll or a timeout is for, far inside what `Duration` holds.
    static let longestSeconds: Double = 315_360_000

    /// Seconds: finite, above zero, at most ten years.
    static func seconds(_ value: Double, flag: String) throws {
        guard value.isFinite, value > 0, value <= longestSeconds else {
            throw ValidationError("\(flag) \(value): expected seconds above 0 and at most \(Int(longestSeconds))")
        }
    }

    /// A whole number within `range`.
    static func count(_ value: Int, flag: String, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) \(value): expected \(range.lowerBound)…\(range.upperBound)")
        }
    }
}
