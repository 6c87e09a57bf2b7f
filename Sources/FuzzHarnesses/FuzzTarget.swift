/// Every byte-level entry point the fuzzers drive, by the name `Fuzz/run.sh` takes.
///
/// A harness returns the properties its input violated (empty when all held). Crashes and traps are found by the
/// fuzzer itself; properties are what a crash-free decoder can still get wrong: a re-encoded document that decodes
/// differently, a summary that is not JSON, a control character that reaches a report. The fuzz driver traps on a
/// violation so libFuzzer keeps the input; the test suite (`FuzzRegressionTests`) replays every committed corpus
/// and regression input through the same harnesses and expects no violation.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case xrayDocument = "xray-document"
    case daemonDatagram = "daemon-datagram"
    case recordStream = "record-stream"
    case batchGetTraces = "batch-get-traces"
    case xrayAPI = "xray-api"
    case otlpJSON = "otlp-json"
    case otlpProtobuf = "otlp-protobuf"
    case gzip
    case filter
    case gate
    case baseline
    case samplingRules = "sampling-rules"
    case traceHeaders = "trace-headers"
    case httpRequest = "http-request"
    case httpResponse = "http-response"

    public func run(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var check = PropertyCheck()
        switch self {
        case .xrayDocument: XRayDocumentHarness.run(bytes, &check)
        case .daemonDatagram: DaemonDatagramHarness.run(bytes, &check)
        case .recordStream: RecordStreamHarness.run(bytes, &check)
        case .batchGetTraces: BatchGetTracesHarness.run(bytes, &check)
        case .xrayAPI: XRayAPIHarness.run(bytes, &check)
        case .otlpJSON: OTLPHarness.runJSON(bytes, &check)
        case .otlpProtobuf: OTLPHarness.runProtobuf(bytes, &check)
        case .gzip: GzipHarness.run(bytes, &check)
        case .filter: FilterHarness.run(bytes, &check)
        case .gate: GateHarness.run(bytes, &check)
        case .baseline: BaselineHarness.run(bytes, &check)
        case .samplingRules: SamplingRulesHarness.run(bytes, &check)
        case .traceHeaders: TraceHeaderHarness.run(bytes, &check)
        case .httpRequest: HTTPRequestHarness.run(bytes, &check)
        case .httpResponse: HTTPResponseHarness.run(bytes, &check)
        }
        return check.violations
    }

    public func run(_ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { run($0) }
    }
}

/// Collects property violations, each a sentence naming what should have held.
struct PropertyCheck {
    private(set) var violations: [String] = []

    mutating func expect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { violations.append(message()) }
    }
}

extension String {
    /// Untrusted bytes as text the way the CLI reads a file: invalid UTF-8 repaired, never rejected.
    init(fuzzBytes bytes: UnsafeRawBufferPointer) {
        self = String(decoding: bytes, as: UTF8.self)
    }
}
