import TraceAnalysis
import TraceFormats
import TraceModel

/// Decodes records of any format and runs them through a fresh analyzer.
func analyze(_ records: [String], quietPeriodSeconds: Double = 30) -> TraceAnalyzer {
    var analyzer = TraceAnalyzer(quietPeriodSeconds: quietPeriodSeconds)
    for record in records {
        var spans: [Span] = []
        let outcome = Array(record.utf8).withUnsafeBytes { TraceRecordDecoder.decode($0, into: &spans) }
        precondition(outcome.failures.isEmpty, "test record failed to decode: \(outcome.failures)")
        analyzer.ingest(spans)
    }
    analyzer.finish()
    return analyzer
}

let traceA = "1-5759e988-bd862e3fe1be46a994272793"

/// A segment document with optional parent, origin, status and embedded subsegments (JSON fragments).
func segment(
    _ name: String, id: String, parent: String? = nil, origin: String? = nil, start: Double = 100,
    end: Double = 101, status: Int? = nil, flags: String = "", subsegments: [String] = [],
    trace: String = traceA
) -> String {
    var fields = [
        #""name":"\#(name)""#, #""id":"\#(id)""#, #""trace_id":"\#(trace)""#, #""start_time":\#(start)"#,
        #""end_time":\#(end)"#,
    ]
    if let parent { fields.append(#""parent_id":"\#(parent)""#) }
    if let origin { fields.append(#""origin":"\#(origin)""#) }
    if let status { fields.append(#""http":{"response":{"status":\#(status)}}"#) }
    if !flags.isEmpty { fields.append(flags) }
    if !subsegments.isEmpty { fields.append(#""subsegments":[\#(subsegments.joined(separator: ","))]"#) }
    return "{" + fields.joined(separator: ",") + "}"
}

func subsegment(
    _ name: String, id: String, namespace: String? = nil, start: Double = 100.1, end: Double = 100.2,
    flags: String = "", children: [String] = []
) -> String {
    var fields = [#""name":"\#(name)""#, #""id":"\#(id)""#, #""start_time":\#(start)"#, #""end_time":\#(end)"#]
    if let namespace { fields.append(#""namespace":"\#(namespace)""#) }
    if !flags.isEmpty { fields.append(flags) }
    if !children.isEmpty { fields.append(#""subsegments":[\#(children.joined(separator: ","))]"#) }
    return "{" + fields.joined(separator: ",") + "}"
}

func node(_ name: String, _ type: String? = nil) -> NodeKey { NodeKey(name: name, type: type) }

func edge(_ from: NodeKey, _ to: NodeKey) -> EdgeKey { EdgeKey(from: from, to: to) }

func hexID(_ n: Int) -> String {
    let digits = String(n, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
