import Foundation
import Testing
import TraceFormats
import TraceModel

/// Expectations that do not come from the code under test: the OTLP protobuf seeds were encoded by
/// opentelemetry-proto, the reference implementation (`Fuzz/make-seeds.py`), from the sample's OTLP JSON lines. Each
/// must decode to exactly the spans its JSON decodes to — two formats, two encoders, one meaning.
@Suite("Reference encodings")
struct ReferenceEncodingTests {
    static let root = FuzzCorpusTests.fuzzFolder.deletingLastPathComponent()

    static func decodeProtobuf(_ bytes: [UInt8]) -> [Span]? {
        var spans: [Span] = []
        let ok = bytes.withUnsafeBytes { raw in
            do throws(DecodeFailure) {
                return try OTLPProtobufDecoder.decode(raw, into: &spans).isEmpty
            } catch {
                return false
            }
        }
        return ok ? spans : nil
    }

    @Test func protobufFromOpenTelemetryProtoDecodesAsItsJSON() throws {
        let lines = try String(
            contentsOf: Self.root.appendingPathComponent("sample-traces/shop-otlp.jsonl"), encoding: .utf8
        ).split(separator: "\n").prefix(6)
        let seeds = FuzzCorpusTests.inputs(.otlpProtobuf, in: "corpus").compactMap {
            (try? Data(contentsOf: $0)).flatMap { Self.decodeProtobuf(Array($0)) }
        }
        #expect(seeds.count == lines.count)
        for line in lines {
            var fromJSON: [Span] = []
            let rejected = try Array(line.utf8).withUnsafeBytes { raw in
                try OTLPJSONDecoder.decodeRequest(raw, into: &fromJSON)
            }
            #expect(rejected.isEmpty)
            #expect(!fromJSON.isEmpty)
            let match = seeds.first { $0.first?.id == fromJSON.first?.id }
            let fromProtobuf = try #require(match, "no reference encoding of the request with span \(fromJSON[0].id)")
            #expect(fromProtobuf.count == fromJSON.count)
            for (a, b) in zip(fromJSON, fromProtobuf) {
                #expect(a.traceID == b.traceID && a.id == b.id && a.parentID == b.parentID)
                #expect(a.name == b.name && a.kind == b.kind && a.serviceName == b.serviceName)
                #expect(a.start == b.start && a.end == b.end)
                #expect(a.statusClass == b.statusClass && a.statusError == b.statusError)
                #expect(a.http == b.http)
                #expect(a.attributes == b.attributes)
            }
        }
    }
}
