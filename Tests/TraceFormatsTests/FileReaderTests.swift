import Foundation
import Testing
import TraceFiles
import TraceFormats
import TraceModel

@Suite("Reading trace files")
struct FileReaderTests {
    @Test func batchGetTracesOutputWithStringAndObjectDocuments() throws {
        let (spans, stats) = try FixtureFiles.read("batch-get-traces.json")
        #expect(stats.rejectedCount == 0)
        #expect(stats.kinds == [.batchGetTraces])
        #expect(spans.map(\.name).sorted() == ["api.example.com", "api.example.com", "frontend"])
        let frontend = try #require(spans.named("frontend"))
        #expect(frontend.start == 1_480_615_200_053_000_000)
        #expect(frontend.http?.contentLength == 120)
        let ec2 = try #require(spans.first { $0.origin == "AWS::EC2::Instance" })
        #expect(ec2.start == 1_480_615_200_056_000_000)
    }

    @Test func badRecordsAreCountedAndTheRestKept() throws {
        let (spans, stats) = try FixtureFiles.read("mixed-bad.jsonl")
        // Good: lines 1, 3 (escapes), 5 (wide), 6 (70 KB), 10.
        #expect(spans.count == 5)
        #expect(stats.records == 11)
        #expect(stats.rejectedCount == 6)
        #expect(stats.rejected[.invalidJSON] == 1)
        #expect(stats.rejected[.binary] == 1)
        #expect(stats.rejected[.missingField] == 1)
        #expect(stats.rejected[.invalidField] == 1)
        #expect(stats.rejected[.truncated] == 2)
        #expect(stats.examples.contains { $0.reason == .invalidJSON && $0.location?.hasSuffix(":9") == true })
        let locations = stats.examples.compactMap(\.location)
        #expect(locations.contains { $0.hasSuffix("mixed-bad.jsonl:2") }) // cut mid-object
        #expect(locations.contains { $0.hasSuffix("mixed-bad.jsonl:11") })
        #expect(spans.contains { $0.name == "esc\u{1B}[31mred\u{1B}]0;title\u{07}" })
        #expect(spans.contains { $0.name == "注文サービス🚀" })
        #expect(spans.contains { $0.name == "big" && ($0.metadataJSON?.utf8.count ?? 0) > 70_000 })
    }

    @Test func gzipIsReadTransparently() throws {
        let (spans, stats) = try FixtureFiles.read("checkout-small.jsonl.gz")
        #expect(stats.records == 40)
        #expect(stats.rejectedCount == 0)
        #expect(spans.count > 40)
    }

    @Test func aTruncatedGzipFileIsReportedNotFatal() throws {
        let whole = FixtureFiles.bytes("checkout-small.jsonl.gz")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID()).jsonl.gz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: path))
        var count = 0
        let stats = try TraceFileReader.read(path: path) { count += $0.count }
        #expect(count > 0)
        #expect(stats.rejectedCount >= 1)
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: TraceFileReader.Failure.self) {
            try TraceFileReader.read(path: "/nonexistent/traces.jsonl") { _ in }
        }
    }

    @Test func chunkBoundariesDoNotSplitRecords() {
        // Feed the same lines one byte at a time and all at once: identical spans.
        let text = FixtureFiles.text("mixed-bad.jsonl")
        var all = TraceStreamDecoder(source: "t")
        var whole: [Span] = []
        Array(text.utf8).withUnsafeBytes { all.push($0) { whole.append(contentsOf: $0) } }
        all.finish { whole.append(contentsOf: $0) }

        var drip = TraceStreamDecoder(source: "t")
        var dripped: [Span] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let n = min(7, bytes.count - i)
            bytes[i..<(i + n)].withUnsafeBytes { drip.push($0) { dripped.append(contentsOf: $0) } }
            i += n
        }
        drip.finish { dripped.append(contentsOf: $0) }
        #expect(whole == dripped)
        #expect(all.stats == drip.stats)
    }

    @Test func anOversizedRecordIsRejectedAndReadingGoesOn() {
        var decoder = TraceStreamDecoder(source: "t", maxRecordBytes: 1000)
        let big = #"{"name":"x","metadata":""# + String(repeating: "a", count: 5000) + "\"}\n"
        let ok =
            #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#
            + "\n"
        var spans: [Span] = []
        Array((ok + big + ok).utf8).withUnsafeBytes { decoder.push($0) { spans.append(contentsOf: $0) } }
        decoder.finish { spans.append(contentsOf: $0) }
        #expect(spans.count == 2)
        #expect(decoder.stats.rejected[.tooLarge] == 1)
    }
}
