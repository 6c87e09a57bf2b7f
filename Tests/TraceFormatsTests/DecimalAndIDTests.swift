import Testing
import TraceModel

@testable import TraceFormats

@Suite("Numbers, times and ids")
struct DecimalAndIDTests {
    private func nanos(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBytes { DecimalParser.secondsToNanos($0) }
    }

    @Test func secondsBecomeExactNanoseconds() {
        #expect(nanos("1480615200.010") == 1_480_615_200_010_000_000)
        #expect(nanos("1700000000.123456789") == 1_700_000_000_123_456_789)
        #expect(nanos("1.48E9") == 1_480_000_000_000_000_000)
        #expect(nanos("1.480615200053e+9") == 1_480_615_200_053_000_000)
        #expect(nanos("0.5") == 500_000_000)
        #expect(nanos("-0.25") == -250_000_000)
        #expect(nanos("12") == 12_000_000_000)
        #expect(nanos("1e400") == nil)
        #expect(nanos("1.2.3") == nil)
        #expect(nanos("") == nil)
    }

    @Test func writtenNumbersAndTimesAreExact() {
        func written(_ body: (inout JSONWriter) -> Void) -> String {
            var writer = JSONWriter()
            body(&writer)
            return writer.text
        }
        for value in [0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 65_507, 1_700_000_000] {
            #expect(written { $0.int(value) } == String(value))
        }
        #expect(written { $0.int(Int64.min) } == String(Int64.min))
        #expect(written { $0.int(Int64.max) } == String(Int64.max))
        #expect(written { $0.int(UInt64.max) } == String(UInt64.max))
        #expect(written { $0.int(10_000_000_000_000_000_000 as UInt64) } == "10000000000000000000")
        #expect(written { $0.epochSeconds(1_700_000_000_123_456_789) } == "1700000000.123456789")
        #expect(written { $0.epochSeconds(1_700_000_000_000_000_500) } == "1700000000.0000005")
        #expect(written { $0.epochSeconds(1_700_000_000_010_000_000) } == "1700000000.01")
        #expect(written { $0.epochSeconds(1_700_000_000_000_000_000) } == "1700000000")
        #expect(written { $0.epochSeconds(-250_000_000) } == "-0.25")
        // What is written reads back to the same nanosecond.
        for nanos: Int64 in [1, 999_999_999, 1_480_615_200_053_000_001, 1_795_000_000_987_654_321] {
            #expect(self.nanos(written { $0.epochSeconds(nanos) }) == nanos)
        }
    }

    @Test func isoTimestamps() {
        #expect(TimestampParser.nanos(from: "1970-01-01T00:00:00Z") == 0)
        #expect(TimestampParser.nanos(from: "2024-02-29T12:00:00.5Z") == 1_709_208_000_500_000_000)
        #expect(TimestampParser.nanos(from: "2024-02-29T14:00:00.5+02:00") == 1_709_208_000_500_000_000)
        #expect(TimestampParser.nanos(from: "2024-13-01T00:00:00Z") == nil)
        #expect(TimestampParser.nanos(from: "yesterday") == nil)
    }

    @Test func otlpIdsInHexOrBase64() {
        #expect(
            OTLPIDs.traceID("5759e988bd862e3fe1be46a994272793") == TraceID(xray: "1-5759e988-bd862e3fe1be46a994272793"))
        // The same 16 bytes in base64, as early OTLP/JSON exporters wrote them.
        #expect(OTLPIDs.traceID("V1npiL2GLj/hvkaplCcnkw==") == TraceID(hex: "5759e988bd862e3fe1be46a994272793"))
        #expect(OTLPIDs.spanID("AAAAAAAAAAE=") == SpanID(1))
        #expect(OTLPIDs.spanID("short") == nil)
    }
}
