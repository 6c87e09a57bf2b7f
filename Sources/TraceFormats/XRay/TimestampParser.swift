import TraceModel

/// Parses the time spellings found in trace files: epoch seconds as text, and ISO-8601 / RFC 3339
/// (`2024-05-01T12:00:00.123Z`, `2024-05-01T14:00:00+02:00`), as `aws xray batch-get-traces` post-processors write.
public enum TimestampParser {
    public static func nanos(from text: String) -> EpochNanos? {
        var copy = text
        return copy.withUTF8 { buffer in nanos(UnsafeRawBufferPointer(buffer)) }
    }

    static func nanos(_ b: UnsafeRawBufferPointer) -> EpochNanos? {
        if let seconds = DecimalParser.secondsToNanos(b) { return seconds }
        return iso8601(b)
    }

    private static func number(_ b: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var v = 0
        for i in start..<(start + count) {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    static func iso8601(_ b: UnsafeRawBufferPointer) -> EpochNanos? {
        guard b.count >= 19,
            let year = number(b, 0, 4), b[4] == UInt8(ascii: "-"),
            let month = number(b, 5, 2), b[7] == UInt8(ascii: "-"),
            let day = number(b, 8, 2),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
            let hour = number(b, 11, 2), b[13] == UInt8(ascii: ":"),
            let minute = number(b, 14, 2), b[16] == UInt8(ascii: ":"),
            let second = number(b, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var digits = 0
            while i < b.count, b[i] &- UInt8(ascii: "0") < 10 {
                if digits < 9 {
                    fraction = fraction * 10 + Int64(b[i] - UInt8(ascii: "0"))
                    digits += 1
                }
                i += 1
            }
            guard digits > 0 else { return nil }
            while digits < 9 {
                fraction *= 10
                digits += 1
            }
        }
        var offsetSeconds = 0
        if i < b.count {
            switch b[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = number(b, i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
                guard let om = number(b, j, 2) else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
                i = j + 2
            default:
                return nil
            }
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        // Four-digit years reach 9999, but nanoseconds since 1970 fit Int64 only until 2262: saturate rather than
        // overflow (spans then clamp into `EpochRange`).
        let limit = Int64.max / 1_000_000_000 - 1
        return min(max(seconds, -limit), limit) * 1_000_000_000 + fraction
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
