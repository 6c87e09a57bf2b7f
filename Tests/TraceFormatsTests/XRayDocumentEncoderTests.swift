import Testing
import TraceFormats
import TraceModel

@Suite("Writing X-Ray documents")
struct XRayDocumentEncoderTests {
    @Test func roundTripsEveryField() throws {
        let original = try XRayDocumentDecoder.decode(XRayDocumentDecoderTests.segment)
        let documents = XRayDocumentEncoder.documents(for: original)
        #expect(documents.count == 1)
        let decoded = try XRayDocumentDecoder.decode(documents[0])
        #expect(decoded.count == original.count)
        for (a, b) in zip(original, decoded) {
            #expect(a.id == b.id)
            #expect(a.parentID == b.parentID)
            #expect(a.start == b.start)
            #expect(a.end == b.end)
            #expect(a.statusClass == b.statusClass)
            #expect(a.kind == b.kind)
            #expect(a.http == b.http)
            #expect(a.annotations == b.annotations)
            #expect(a.cause == b.cause)
            #expect(a.metadataJSON == b.metadataJSON)
        }
    }

    @Test func orphanSubsegmentsBecomeIndependentDocuments() throws {
        let sub = Span(
            traceID: TraceID(high: 1, low: 2), id: SpanID(7), parentID: SpanID(9), name: "SQS",
            kind: .client, isSegment: false, namespace: "aws", start: 1_000_000_000, end: 2_000_000_000)
        let docs = XRayDocumentEncoder.documents(for: [sub])
        let back = try XRayDocumentDecoder.decode(docs[0])
        #expect(docs[0].contains(#""type":"subsegment""#))
        #expect(back[0].parentID == SpanID(9))
        #expect(back[0].traceID == sub.traceID)
    }

    @Test func controlCharactersAreEscapedSoOutputStaysValidJSON() throws {
        let span = Span(
            traceID: TraceID(high: 1, low: 2), id: SpanID(1), name: "a\u{1B}[2J\"\\\n\u{7F}b",
            start: 0, end: 1)
        let doc = XRayDocumentEncoder.document(for: span)
        #expect(!doc.contains("\u{1B}"))
        #expect(try XRayDocumentDecoder.decode(doc)[0].name == span.name)
    }
}
