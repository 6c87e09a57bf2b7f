import TraceFormats
import TraceModel

/// One X-Ray segment document: decoded, re-encoded and decoded again, to the same spans.
enum XRayDocumentHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        var spans: [Span] = []
        do throws(DecodeFailure) { try XRayDocumentDecoder.decode(bytes, into: &spans) } catch { return }
        Properties.wellFormed(spans, &check, "decoded")
        var again: [Span] = []
        for document in XRayDocumentEncoder.documents(for: spans) {
            do throws(DecodeFailure) { try XRayDocumentDecoder.decode(document, into: &again) } catch {
                check.expect(false, "re-encoded document does not decode (\(error)): \(document.prefix(400))")
                return
            }
        }
        Properties.sameSpans(spans, again, &check, "X-Ray re-encoded", ordered: false)
        Properties.summaryIsSafe(of: spans, &check)
    }
}

/// One X-Ray daemon datagram: the header line, then a document.
enum DaemonDatagramHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        var spans: [Span] = []
        do throws(DecodeFailure) { try DaemonDatagram.decode(bytes, into: &spans) } catch { return }
        Properties.wellFormed(spans, &check, "datagram")
    }
}

/// A file or standard input: framing and format sniffing over arbitrary chunk boundaries. The first byte picks the
/// chunk size; however the stream is cut, the records, spans and rejections are those of the whole input at once.
enum RecordStreamHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        let input = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        let chunk = Int(first) + 1
        var whole = TraceStreamDecoder(source: "fuzz", maxRecordBytes: 4096)
        var wholeSpans: [Span] = []
        whole.push(input) { wholeSpans += $0 }
        whole.finish { wholeSpans += $0 }
        var pieces = TraceStreamDecoder(source: "fuzz", maxRecordBytes: 4096)
        var pieceSpans: [Span] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + chunk)
            pieces.push(UnsafeRawBufferPointer(rebasing: input[offset..<end])) { pieceSpans += $0 }
            offset = end
        }
        pieces.finish { pieceSpans += $0 }
        check.expect(
            whole.stats == pieces.stats, "chunks of \(chunk) changed the stats: \(whole.stats) vs \(pieces.stats)")
        Properties.sameSpans(wholeSpans, pieceSpans, &check, "chunked")
        Properties.wellFormed(wholeSpans, &check, "stream")
        Properties.summaryIsSafe(of: wholeSpans, &check)
    }
}

/// `aws xray batch-get-traces` output, as a file holds it (sniffed as such, then its documents decoded).
enum BatchGetTracesHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        var spans: [Span] = []
        let outcome = TraceRecordDecoder.decode(bytes, into: &spans)
        check.expect(
            outcome.failures.count <= max(1, outcome.values) || !spans.isEmpty || outcome.values > 0,
            "more failures than values")
        Properties.wellFormed(spans, &check, "batch-get-traces")
        Properties.summaryIsSafe(of: spans, &check)
    }
}

/// OTLP `ExportTraceServiceRequest` bodies, JSON and protobuf. Protobuf requests re-encode to the same spans.
enum OTLPHarness {
    static func runJSON(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        var spans: [Span] = []
        do throws(DecodeFailure) { _ = try OTLPJSONDecoder.decodeRequest(bytes, into: &spans) } catch { return }
        Properties.wellFormed(spans, &check, "OTLP JSON")
        roundTrip(spans, &check)
        Properties.summaryIsSafe(of: spans, &check)
    }

    static func runProtobuf(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        var spans: [Span] = []
        do throws(DecodeFailure) { _ = try OTLPProtobufDecoder.decode(bytes, into: &spans) } catch { return }
        Properties.wellFormed(spans, &check, "OTLP protobuf")
        roundTrip(spans, &check)
        Properties.summaryIsSafe(of: spans, &check)
    }

    /// Spans that came from OTLP, written as OTLP protobuf (what a forwarder sends) and read back. Only complete
    /// spans are written (OTLP has no "in progress"; the complete document follows), so those are compared.
    private static func roundTrip(_ decoded: [Span], _ check: inout PropertyCheck) {
        let spans = decoded.filter { !$0.inProgress && $0.end != nil }
        let encoded = OTLPProtobufEncoder.request(decoded)
        var again: [Span] = []
        let decoded: Result<[DecodeFailure], DecodeFailure> = encoded.withUnsafeBytes { raw in
            Result { () throws(DecodeFailure) in try OTLPProtobufDecoder.decode(raw, into: &again) }
        }
        switch decoded {
        case .failure(let error):
            check.expect(false, "re-encoded request does not decode: \(error)")
            return
        case .success(let rejected):
            check.expect(rejected.isEmpty, "re-encoded request rejects spans: \(rejected.prefix(3))")
        }
        check.expect(again.count == spans.count, "OTLP re-encoded: \(spans.count) spans became \(again.count)")
        for (x, y) in zip(spans, again) {
            let same =
                x.traceID == y.traceID && x.id == y.id && x.parentID == y.parentID && x.start == y.start
                && x.end == y.end && x.name == y.name && x.kind == y.kind && x.statusClass == y.statusClass
            check.expect(same, "OTLP re-encoded: span \(x.id) changed: \(x) became \(y)")
            if !same { return }
        }
    }
}

/// gzip input (files, request bodies): inflation never exceeds its limit, and what we compress inflates back.
enum GzipHarness {
    static func run(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let limit = 1 << 16
        if case .success(let inflated) = GzipInflater.inflateWhole(bytes, limit: limit) {
            check.expect(inflated.count <= limit, "inflated \(inflated.count) bytes past the limit of \(limit)")
        }
        let input = Array(bytes)
        guard let compressed = try? Gzip.compress(input) else {
            check.expect(false, "gzip could not compress \(input.count) bytes")
            return
        }
        switch compressed.withUnsafeBytes({ GzipInflater.inflateWhole($0, limit: input.count) }) {
        case .failure(let error): check.expect(false, "our own gzip output does not inflate: \(error)")
        case .success(let back):
            check.expect(back == input, "gzip round trip changed \(input.count) bytes into \(back.count)")
        }
    }
}
