import TestSupport
import Testing
import TraceModel

@testable import TraceFormats

/// The protobuf decoder's handling of what the wire format allows but SDKs rarely do: a resource after its spans,
/// repeated attribute keys, many attributes. (Field-by-field decoding is covered in `HostileInputTests`.)
@Suite("OTLP protobuf")
struct OTLPProtobufDecoderTests {
    static func span(_ w: inout ProtoWriter, id: UInt8, attributes: [(String, String)]) {
        w.message(2) { span in
            span.bytes(1, [UInt8](repeating: 0xAB, count: 16))
            span.bytes(2, [0, 0, 0, 0, 0, 0, 0, id])
            span.string(5, "GET /items")
            span.varint(6, 2)
            span.fixed64(7, 1_700_000_000_000_000_000)
            span.fixed64(8, 1_700_000_000_250_000_000)
            for (key, value) in attributes {
                span.message(9) { kv in
                    kv.string(1, key)
                    kv.message(2) { $0.string(1, value) }
                }
            }
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> [Span] {
        var spans: [Span] = []
        let rejected = try bytes.withUnsafeBytes { raw in try OTLPProtobufDecoder.decode(raw, into: &spans) }
        #expect(rejected.isEmpty)
        return spans
    }

    @Test func aResourceWrittenAfterItsSpansStillNamesTheirService() throws {
        var request = ProtoWriter()
        request.message(1) { resourceSpans in
            resourceSpans.message(2) { scope in Self.span(&scope, id: 1, attributes: []) }
            resourceSpans.message(1) { resource in
                for (key, value) in [("service.name", "inventory"), ("cloud.platform", "aws_lambda")] {
                    resource.message(1) { kv in
                        kv.string(1, key)
                        kv.message(2) { $0.string(1, value) }
                    }
                }
            }
        }
        let spans = try Self.decode(request.bytes)
        #expect(spans.count == 1)
        #expect(spans.first?.serviceName == "inventory")
        #expect(spans.first?.resource["cloud.platform"] == .string("aws_lambda"))
        #expect(spans.first?.attribute("cloud.platform") == .string("aws_lambda"))
    }

    @Test func aRepeatedKeyKeepsItsLastValue() throws {
        var request = ProtoWriter()
        request.resourceSpans(service: "web") { scope in
            Self.span(
                &scope, id: 1,
                attributes: [
                    ("http.request.method", "GET"), ("http.response.status_code", "200"),
                    ("a.custom.key.longer.than.fifteen.bytes", "first"), ("http.response.status_code", "503"),
                    ("a.custom.key.longer.than.fifteen.bytes", "second"),
                ])
        }
        let span = try #require(try Self.decode(request.bytes).first)
        #expect(span.attributeList.count == 3)
        #expect(
            span.attributes == [
                "http.request.method": .string("GET"), "http.response.status_code": .string("503"),
                "a.custom.key.longer.than.fifteen.bytes": .string("second"),
            ])
        #expect(span.http?.status == 503)
        #expect(span.statusClass == .fault)
    }

    @Test func manyAttributesAreDeduplicatedToo() throws {
        // Past 16 the decoder de-duplicates through a dictionary: the same outcome, at linear cost.
        let pairs = (0..<300).map { ("key.\($0 % 100)", "v\($0)") }
        var request = ProtoWriter()
        request.resourceSpans(service: "web") { scope in Self.span(&scope, id: 1, attributes: pairs) }
        let span = try #require(try Self.decode(request.bytes).first)
        #expect(span.attributeList.count == 100)
        #expect(span.attribute("key.7") == .string("v207"))
        #expect(Set(span.attributeList.map(\.key)).count == 100)
    }

    @Test func currentHTTPConventionsWinOverLegacyOnesInAnyOrder() throws {
        // The decoder learns what a key says about HTTP as it reads it; the dictionary path compares keys. Both must
        // agree, and neither may depend on the order attributes were written in.
        let legacyFirst = [
            ("http.method", "PUT"), ("http.request.method", "GET"), ("http.host", "old.example.com"),
            ("server.address", "shop.example.com"), ("http.route", "/items/{id}"), ("http.target", "/items/7"),
            ("http.user_agent", "old-agent"), ("user_agent.original", "curl/8"), ("http.client_ip", "10.0.0.1"),
            ("client.address", "10.0.0.2"), ("http.status_code", "500"), ("http.response.status_code", "404"),
        ]
        let expected = HTTPInfo(
            method: "GET", url: "http://shop.example.com/items/7", status: 404, clientIP: "10.0.0.2",
            userAgent: "curl/8")
        for pairs in [legacyFirst, legacyFirst.reversed()] {
            var request = ProtoWriter()
            request.resourceSpans(service: "web") { scope in Self.span(&scope, id: 1, attributes: pairs) }
            let span = try #require(try Self.decode(request.bytes).first)
            #expect(span.http == expected)
            let dictionary = Dictionary(pairs.map { ($0.0, AttributeValue.string($0.1)) }) { $1 }
            #expect(OTLPSemantics.http(from: dictionary) == expected)
        }
        // A full URL beats a path and host; a span with no HTTP key has no HTTP info.
        #expect(
            OTLPSemantics.http(from: ["url.full": .string("https://a.example/x"), "url.path": .string("/y")])?.url
                == "https://a.example/x")
        #expect(OTLPSemantics.http(from: ["db.system": .string("postgresql")]) == nil)
    }

    @Test func everyHTTPKeyIsOneTheDecoderKnows() {
        // The decoder recognises HTTP keys only among the well-known keys it interns; one missing there would be
        // silently ignored on the protobuf path. It keeps their positions in a SIMD16: sixteen kinds at most.
        #expect(HTTPAttribute.allCases.count <= 16)
        for field in HTTPAttribute.allCases {
            #expect(SemanticKeys.known.contains(field.key), "\(field.key)")
            let (key, http) = field.key.utf8.withContiguousStorageIfAvailable {
                SemanticKeys.key(UnsafeRawBufferPointer($0))
            }!
            #expect(key == field.key)
            #expect(http == field)
        }
    }

    @Test func wellKnownKeysAreRecognisedExactly() {
        func lookUp(_ key: String) -> (key: String, http: HTTPAttribute?) {
            Array(key.utf8).withUnsafeBytes { SemanticKeys.key($0) }
        }
        for key in SemanticKeys.known { #expect(lookUp(key).key == key) }
        // Same length, same first and last eight bytes, one byte different in the middle: not the known key.
        let nearMiss = lookUp("http.respXnse.status_code")
        #expect(nearMiss.key == "http.respXnse.status_code")
        #expect(nearMiss.http == nil)
        for key in ["", "h", "db.nam", "url.ful", "a.custom.key"] { #expect(lookUp(key).key == key) }
        #expect(lookUp("url.full").http == .url)
    }

    /// The writer frames nested messages in place and widens a length afterwards: messages of one, two and three
    /// length bytes (a span of a few bytes, a batch of kilobytes, one of hundreds of kilobytes) decode whole.
    @Test(arguments: [1, 40, 5_000])
    func requestsOfEverySizeDecodeWhole(spans count: Int) throws {
        let spans = (0..<count).map { i in
            Span(
                traceID: TraceID(high: 0x6700_0000_0000_0001, low: UInt64(i)), id: SpanID(UInt64(i + 1)),
                name: String(repeating: "n", count: 1 + i % 300), source: .otlp, kind: .server,
                serviceName: "svc \(i % 3)",
                start: 1_700_000_000_000_000_000, end: 1_700_000_000_000_000_000 + Int64(i),
                attributes: i % 7 == 0 ? ["long": .string(String(repeating: "v", count: 20_000))] : [:])
        }
        let body = OTLPProtobufEncoder.request(spans)
        var decoded: [Span] = []
        try body.withUnsafeBytes { try OTLPProtobufDecoder.decode($0, into: &decoded) }
        #expect(decoded.count == count)
        let byID = Dictionary(uniqueKeysWithValues: decoded.map { ($0.id, $0) })
        for span in spans {
            let back = try #require(byID[span.id])
            #expect(back.name == span.name, "\(back.name.count) vs \(span.name.count)")
            #expect(back.end == span.end && back.serviceName == span.serviceName)
            #expect(back.attributeList.count == span.attributeList.count)
        }
    }
}
