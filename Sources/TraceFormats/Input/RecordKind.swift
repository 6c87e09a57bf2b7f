/// The kinds of record Tracescope reads, told apart by their top-level keys.
public enum RecordKind: String, Sendable, Hashable, CaseIterable {
    /// An X-Ray segment or independent subsegment document.
    case xrayDocument = "x-ray segment documents"
    /// A daemon datagram header line (`{"format":"json","version":1}`); its document follows.
    case daemonHeader = "x-ray daemon datagrams"
    /// An OTLP `ExportTraceServiceRequest` in JSON.
    case otlpJSON = "OTLP JSON"
    /// `aws xray batch-get-traces` output (`{"Traces":[…]}`).
    case batchGetTraces = "batch-get-traces output"
}
