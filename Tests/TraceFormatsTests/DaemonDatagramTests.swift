import Testing
import TraceFormats
import TraceModel

@Suite("X-Ray daemon datagrams")
struct DaemonDatagramTests {
    @Test(arguments: 0..<5)
    func decodesWhatThePythonSDKSent(index: Int) throws {
        let spans = try decodeDatagram(FixtureFiles.bytes("python-sdk/datagram-\(index).txt"))
        #expect(!spans.isEmpty)
        #expect(spans.allSatisfy { $0.traceID == TraceID(xray: "1-6b0272ad-67e9edcdd84bdb1e025ac2c4") })
    }

    @Test func thePythonSDKsSegmentAndStreamedSubsegments() throws {
        let throttled = try decodeDatagram(FixtureFiles.bytes("python-sdk/datagram-0.txt"))
        #expect(throttled[0].name == "inventory.internal")
        #expect(throttled[0].statusClass == .throttle)
        #expect(throttled[0].isDownstreamCall)
        let dynamo = try decodeDatagram(FixtureFiles.bytes("python-sdk/datagram-1.txt"))
        #expect(dynamo[0].cause?.exceptions.first?.type == "KeyError")
        let segment = try decodeDatagram(FixtureFiles.bytes("python-sdk/datagram-4.txt"))
        #expect(segment[0].isSegment)
        #expect(segment[0].statusClass == .fault)
        #expect(segment.count == 3)
    }

    @Test(arguments: [
        "{\"format\": \"json\", \"version\": 1}\n",
        "{\"version\":1,\"format\":\"JSON\"}\n",
        "{ \"format\" : \"Json\" , \"version\" : \"1\" }\n",
    ])
    func headerSpellingsSDKsUse(header: String) throws {
        let doc =
            #"{"name":"a","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#
        #expect(try decodeDatagram(header + doc).count == 1)
    }

    @Test(arguments: [
        ("{\"format\":\"xml\",\"version\":1}\n{}", RejectReason.badHeader),
        ("{\"format\":\"json\",\"version\":2}\n{}", .badHeader),
        ("{\"format\":\"json\"}\n{}", .badHeader),
        ("format json\n{}", .badHeader),
        ("{\"name\":\"no header\"}", .badHeader),
        ("{\"format\":\"json\",\"version\":1}\n", .missingField),
        ("{\"format\":\"json\",\"version\":1}\n{\"name\":", .truncated),
        ("\u{0}\u{1}\u{2}\u{3}binary", .binary),
    ])
    func rejectsBadDatagrams(datagram: String, reason: RejectReason) {
        #expect {
            _ = try decodeDatagram(datagram)
        } throws: { error in
            (error as? DecodeFailure)?.reason == reason
        }
    }

    @Test func aCaptureOfBackToBackDatagramsReadsAsAFile() throws {
        let (spans, stats) = try FixtureFiles.read("python-sdk-capture.txt")
        #expect(stats.rejectedCount == 0)
        #expect(stats.kinds.contains(.daemonHeader))
        #expect(spans.count == 7)
    }
}
