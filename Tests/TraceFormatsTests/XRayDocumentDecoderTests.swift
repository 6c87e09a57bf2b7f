import Testing
import TraceFormats
import TraceModel

@Suite("X-Ray segment documents")
struct XRayDocumentDecoderTests {
    static let segment = """
        {"name":"checkout","id":"70de5b6f19ff9a0a","trace_id":"1-5759e988-bd862e3fe1be46a994272793",
         "start_time":1480615200.010,"end_time":1480615200.090123456,"origin":"AWS::Lambda::Function",
         "http":{"request":{"method":"POST","url":"https://x/checkout","client_ip":"1.2.3.4"},
                 "response":{"status":"502","content_length":"17"}},
         "fault":true,"annotations":{"tier":"gold","total":12.5,"items":3,"vip":true,"dotted.key":"ok"},
         "metadata":{"debug":{"a":[1,2]}},
         "aws":{"account_id":"123","xray":{"sdk":"X-Ray for Go"}},
         "some_future_field":{"x":[1,{"y":null}]},
         "subsegments":[
           {"name":"DynamoDB","id":"1111111111111111","start_time":1480615200.02,"end_time":1480615200.03,
            "namespace":"aws","aws":{"operation":"PutItem","table_name":"orders"},"throttle":true,"error":true,
            "cause":{"working_directory":"/var/task","exceptions":[{"id":"aaaaaaaaaaaaaaaa","type":"Throttled",
              "message":"slow down","remote":true,"stack":[{"path":"a.py","line":3,"label":"f"}]}]},
            "subsegments":[{"name":"HTTP POST","id":"2222222222222222","start_time":1480615200.021,
              "end_time":1480615200.029,"namespace":"remote","cause":"aaaaaaaaaaaaaaaa"}]},
           {"name":"Overhead","id":"3333333333333333","start_time":1.48061520009E9,"end_time":1.480615200090123456E9}
         ]}
        """

    @Test func flattensASegmentWithNestedSubsegments() throws {
        let spans = try XRayDocumentDecoder.decode(Self.segment)
        #expect(spans.map(\.name) == ["checkout", "DynamoDB", "HTTP POST", "Overhead"])
        let segment = spans[0]
        #expect(segment.isSegment)
        #expect(segment.kind == .server)
        #expect(segment.traceID == TraceID(hex: "5759e988bd862e3fe1be46a994272793"))
        #expect(segment.start == 1_480_615_200_010_000_000)
        #expect(segment.end == 1_480_615_200_090_123_456)
        #expect(segment.origin == "AWS::Lambda::Function")
        #expect(segment.http?.status == 502)
        #expect(segment.http?.contentLength == 17)
        #expect(segment.http?.clientIP == "1.2.3.4")
        #expect(segment.statusClass == .fault)
        #expect(segment.annotations["tier"] == .string("gold"))
        #expect(segment.annotations["total"] == .double(12.5))
        #expect(segment.annotations["items"] == .int(3))
        #expect(segment.annotations["vip"] == .bool(true))
        #expect(segment.annotations["dotted.key"] == .string("ok"))
        #expect(segment.aws["xray.sdk"] == .string("X-Ray for Go"))
        #expect(segment.metadataJSON == #"{"debug":{"a":[1,2]}}"#)

        let dynamo = spans[1]
        #expect(!dynamo.isSegment)
        #expect(dynamo.kind == .client)
        #expect(dynamo.parentID == segment.id)
        #expect(dynamo.segmentID == segment.id)
        #expect(dynamo.serviceName == "checkout")
        #expect(dynamo.traceID == segment.traceID)
        #expect(dynamo.statusClass == .throttle)
        #expect(dynamo.aws["table_name"] == .string("orders"))
        #expect(dynamo.cause?.exceptions.first?.type == "Throttled")
        #expect(dynamo.cause?.exceptions.first?.stack.first?.line == 3)

        let http = spans[2]
        #expect(http.parentID == dynamo.id)
        #expect(http.cause?.referencedExceptionID == "aaaaaaaaaaaaaaaa")
        #expect(spans[3].kind == .internal)
        #expect(spans[3].start == 1_480_615_200_090_000_000)
        #expect(spans[3].end == 1_480_615_200_090_123_456)
    }

    @Test func independentSubsegmentKeepsItsParentAndWaitsForItsService() throws {
        let spans = try XRayDocumentDecoder.decode(
            """
            {"type":"subsegment","name":"SQS","id":"4444444444444444","parent_id":"70de5b6f19ff9a0a",
             "trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1480615200.05,"end_time":1480615200.06,
             "namespace":"aws"}
            """)
        #expect(spans.count == 1)
        #expect(!spans[0].isSegment)
        #expect(spans[0].parentID == SpanID(hex: "70de5b6f19ff9a0a"))
        #expect(spans[0].serviceName == nil)
        #expect(spans[0].isDownstreamCall)
    }

    @Test func inProgressAndInferredSegments() throws {
        let open = try XRayDocumentDecoder.decode(
            """
            {"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1.0,"in_progress":true}
            """)
        #expect(open[0].inProgress)
        #expect(open[0].end == nil)
        let inferred = try XRayDocumentDecoder.decode(
            """
            {"name":"orders","id":"0000000000000002","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,
             "end_time":2,"inferred":true,"origin":"AWS::DynamoDB::Table","parent_id":"0000000000000009"}
            """)
        #expect(inferred[0].inferred)
        #expect(inferred[0].duration == 1_000_000_000)
    }

    @Test func acceptsISOTimesAndW3CTraceIDs() throws {
        let spans = try XRayDocumentDecoder.decode(
            """
            {"name":"a","id":"0000000000000001","trace_id":"5759e988bd862e3fe1be46a994272793",
             "start_time":"2016-12-01T18:00:00.056Z","end_time":"2016-12-01T20:00:00.084+02:00"}
            """)
        #expect(spans[0].start == 1_480_615_200_056_000_000)
        #expect(spans[0].end == 1_480_615_200_084_000_000)
    }

    @Test(arguments: [
        (#"{"name":"a","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1}"#, RejectReason.missingField),
        (#"{"name":"a","id":"0000000000000001","start_time":1}"#, .missingField),
        (#"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793"}"#, .missingField),
        (#"{"name":"a","id":"xyz","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1}"#, .invalidField),
        (#"{"name":"a","id":"0000000000000001","trace_id":"2-nope","start_time":1}"#, .invalidField),
        (
            #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":"soon"}"#,
            .invalidField
        ),
        (
            #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"subsegments":[{"name":"b","start_time":1}]}"#,
            .missingField
        ),
        (#"{"name":"a","id":"0000000000000001","#, .truncated),
        (#"{"name":"a" "id":"0000000000000001"}"#, .invalidJSON),
        (
            #"{"type":"subsegment","name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1}"#,
            .missingField
        ),
    ])
    func rejectsWithAReason(document: String, reason: RejectReason) {
        #expect {
            _ = try XRayDocumentDecoder.decode(document)
        } throws: { error in
            (error as? DecodeFailure)?.reason == reason
        }
    }

    @Test func deepNestingIsRejectedNotCrashed() {
        var doc =
            #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"metadata":"#
        doc += String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: DecodeFailure.self) { _ = try XRayDocumentDecoder.decode(doc) }
    }

    @Test func keepsEscapesAndWideCharactersVerbatim() throws {
        let spans = try XRayDocumentDecoder.decode(
            #"""
            {"name":"pay\u001b[31m\u00e9\ud83d\ude80注文","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}
            """#)
        #expect(spans[0].name == "pay\u{1B}[31mé🚀注文")
    }
}
