/// Exact decimal parsing for the numbers trace formats care about: integers, and epoch seconds to nanoseconds.
///
/// X-Ray carries times as float epoch seconds (`1480615200.010`, sometimes `1.48E9`). Going through `Double` loses
/// sub-microsecond digits at today's epoch, so the digits are turned into integer nanoseconds directly.
enum DecimalParser {
    /// A plain integer (optional minus, digits only), or nil.
    static func integer(_ b: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < b.count, b.count - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        return negative ? -v : v
    }

    /// Parses a decimal number of seconds (`123.456`, `1.48E9`, `-0.5`) into nanoseconds, rounding below 1 ns.
    /// Returns nil for malformed text or values beyond ±292 years of the epoch.
    static func secondsToNanos(_ b: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        var negative = false
        if i < b.count, b[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0 // value = mantissa * 10^exponent
        var sawDigit = false
        while i < b.count, let d = digit(b[i]) {
            sawDigit = true
            if significant < 19 {
                mantissa = mantissa * 10 + UInt64(d)
                if mantissa > 0 { significant += 1 }
            } else {
                exponent += 1
            }
            i += 1
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            // Digits past the 19th significant one are below a nanosecond at any realistic epoch: dropped.
            while i < b.count, let d = digit(b[i]) {
                sawDigit = true
                if significant < 19 {
                    mantissa = mantissa * 10 + UInt64(d)
                    if mantissa > 0 { significant += 1 }
                    exponent -= 1
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < b.count, let d = digit(b[i]) {
                if e < 10_000 { e = e * 10 + Int(d) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == b.count else { return nil }
        // nanos = mantissa * 10^(exponent + 9)
        var scale = exponent + 9
        var value = mantissa
        if scale >= 0 {
            while scale > 0 {
                let (m, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = m
                scale -= 1
            }
        } else {
            var lastDropped: UInt64 = 0
            while scale < 0 {
                lastDropped = value % 10
                value /= 10
                scale += 1
                if value == 0 { break }
            }
            if lastDropped >= 5 { value += 1 }
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(value) : Int64(value)
    }

    @inline(__always)
    private static func digit(_ c: UInt8) -> UInt8? {
        let d = c &- UInt8(ascii: "0")
        return d < 10 ? d : nil
    }
}
