import Testing
import TraceFormats
import TraceModel

@Suite("OTLP JSON")
struct OTLPJSONDecoderTests {
    static let request = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}},
          {"key":"cloud.region","value":{"stringValue":"eu-west-1"}}]},
          "scopeSpans":[{"scope":{"name":"x"},"spans":[
            {"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000001","name":"POST /cart",
             "kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000250000000",
             "attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},
                           {"key":"http.response.status_code","value":{"intValue":"429"}}],
             "status":{}},
            {"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000002","parentSpanId":"0000000000000001",
             "name":"SELECT","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":1700000000010000000,
             "endTimeUnixNano":"1700000000020000000","status":{"code":"STATUS_CODE_ERROR","message":"boom"},
             "attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}},
                           {"key":"retries","value":{"arrayValue":{"values":[{"intValue":"1"},{"doubleValue":2.5}]}}}],
             "events":[{"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"DBError"}},
                        {"key":"exception.message","value":{"stringValue":"no such table"}}]}]}
          ]}]}]}
        """

    private func decode(_ text: String) -> (spans: [Span], outcome: TraceRecordDecoder.Outcome) {
        var spans: [Span] = []
        let outcome = Array(text.utf8).withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
        return (spans, outcome)
    }

    @Test func mapsSpansKindsAndStatus() throws {
        let (spans, outcome) = decode(Self.request)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.kinds == [.otlpJSON])
        #expect(spans.count == 2)
        let server = spans[0]
        #expect(server.source == .otlp)
        #expect(server.kind == .server)
        #expect(server.isSegment)
        #expect(server.serviceName == "cart")
        #expect(server.duration == 250_000_000)
        #expect(server.http?.method == "POST")
        #expect(server.statusClass == .throttle)
        #expect(server.resource["cloud.region"] == .string("eu-west-1"))
        #expect(server.attribute("cloud.region") == .string("eu-west-1"))
        let client = spans[1]
        #expect(client.kind == .client)
        #expect(client.parentID == server.id)
        #expect(client.statusClass == .fault)
        #expect(client.cause?.exceptions.first?.type == "DBError")
        #expect(client.attributes["retries"] == .array([.int(1), .double(2.5)]))
    }

    @Test func theCommittedSampleDecodesCleanly() throws {
        var spans: [Span] = []
        var decoder = TraceStreamDecoder(source: "sample")
        let text = try String(
            contentsOfFile: #filePath.replacingOccurrences(
                of: "Tests/TraceFormatsTests/OTLPJSONDecoderTests.swift", with: "sample-traces/shop-otlp.jsonl"),
            encoding: .utf8)
        Array(text.utf8).withUnsafeBytes { decoder.push($0) { spans.append(contentsOf: $0) } }
        decoder.finish { spans.append(contentsOf: $0) }
        #expect(decoder.stats.rejectedCount == 0)
        #expect(Set(spans.compactMap(\.serviceName)) == ["frontend", "cart", "fulfillment"])
    }

    @Test func aSpanWithoutIdsIsRejected() {
        let (_, outcome) = decode(
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x","startTimeUnixNano":"1"}]}]}]}"#)
        #expect(outcome.failures.first?.reason == .missingField)
    }

    /// One bad span costs only itself: its neighbours in the request are kept, each rejected span counted.
    @Test func aBadSpanIsRejectedAloneAndItsRequestKept() throws {
        let line =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},"scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000001","name":"a","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"},{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"xyz","name":"b","startTimeUnixNano":"1700000000000000000"},{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000003","name":"c"},{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"0000000000000004","name":"d","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"}]}]}]}"#
        let (spans, outcome) = decode(line)
        #expect(spans.map(\.name) == ["a", "d"])
        #expect(spans.allSatisfy { $0.serviceName == "cart" })
        #expect(outcome.failures.map(\.reason) == [.invalidField, .missingField])
        // The OTLP/HTTP entry point says the same, and takes an empty request as a valid one.
        var direct: [Span] = []
        let rejected = try Array(line.utf8).withUnsafeBytes { raw throws(DecodeFailure) in
            try OTLPJSONDecoder.decodeRequest(raw, into: &direct)
        }
        #expect(direct.count == 2 && rejected.count == 2)
        var none: [Span] = []
        #expect(
            try Array(" {} ".utf8).withUnsafeBytes { raw throws(DecodeFailure) in
                try OTLPJSONDecoder.decodeRequest(raw, into: &none)
            }.isEmpty)
        #expect(throws: DecodeFailure.self) {
            try Array("{} {}".utf8).withUnsafeBytes { raw throws(DecodeFailure) in
                try OTLPJSONDecoder.decodeRequest(raw, into: &none)
            }
        }
    }
}
