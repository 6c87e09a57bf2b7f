import TraceAnalysis
import TraceFormats
import TraceModel

/// Reads an earlier summary JSON back as a `Summary`, for relative gates (`checkout: p(95) <= +10%`).
public enum BaselineReader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func read(json text: String, source: String) throws(Failure) -> Summary {
        let root: JSONValue
        do throws(JSONValue.ParseError) { root = try JSONValue.parse(text) } catch {
            throw Failure(message: "\(source): not valid JSON (\(error))")
        }
        guard root["schema"]?.string == Summary.schema else {
            throw Failure(message: "\(source): not a tracescope summary (expected \"schema\": \"\(Summary.schema)\")")
        }
        let start = EpochRange.clamp(root["window"]?["start"]?.string.flatMap(TimestampParser.nanos) ?? 0)
        let end = EpochRange.clamp(root["window"]?["end"]?.string.flatMap(TimestampParser.nanos) ?? start)
        let fields = Fields(source: source)
        var traces = try fields.figures(root["traces"], at: "traces")
        traces.requests = try fields.count(root["traces"]?["count"], at: "traces.count")
        var services: [Summary.Service] = []
        for (i, v) in (root["services"]?.array ?? []).enumerated() {
            services.append(Summary.Service(node: node(v), figures: try fields.figures(v, at: "services[\(i)]")))
        }
        var edges: [Summary.Edge] = []
        for (i, v) in (root["edges"]?.array ?? []).enumerated() {
            edges.append(
                Summary.Edge(
                    edge: EdgeKey(from: node(v["from"]), to: node(v["to"])),
                    figures: try fields.figures(v, at: "edges[\(i)]")))
        }
        var functions: [Summary.Function] = []
        for (i, v) in (root["functions"]?.array ?? []).enumerated() {
            let at = "functions[\(i)]"
            functions.append(
                Summary.Function(
                    name: v["name"]?.string ?? "",
                    invocations: try fields.count(v["invocations"], at: at + ".invocations"),
                    coldStarts: try fields.count(v["cold_starts"], at: at + ".cold_starts"),
                    dwell: try fields.phase(v["dwell"], at: at + ".dwell"),
                    initialization: try fields.phase(v["init"], at: at + ".init"),
                    handler: try fields.phase(v["handler"], at: at + ".handler"),
                    overhead: try fields.phase(v["overhead"], at: at + ".overhead")
                ))
        }
        return Summary(
            window: Summary.Window(start: start, end: end), traces: traces, services: services,
            edges: edges, functions: functions)
    }

    private static func node(_ v: JSONValue?) -> NodeKey {
        NodeKey(name: v?["name"]?.string ?? "", type: v?["type"]?.string)
    }

    /// Reads the numbers of one baseline file; a count that is not one (negative, fractional, beyond 2^53 — where a
    /// double stops counting exactly — or not a number) is an error that names the file and the field.
    private struct Fields {
        let source: String

        func count(_ v: JSONValue?, at path: String) throws(Failure) -> UInt64 {
            guard let v else { return 0 }
            guard let n = v.number, n.isFinite, n >= 0, n <= 9_007_199_254_740_992, n == n.rounded() else {
                throw Failure(message: "\(source): \(path) is not a count")
            }
            return UInt64(n)
        }

        func figures(_ v: JSONValue?, at path: String) throws(Failure) -> Summary.Figures {
            var f = Summary.Figures()
            f.requests = try count(v?["requests"], at: path + ".requests")
            f.counts = ClassCounts(
                ok: try count(v?["ok"], at: path + ".ok"), errors: try count(v?["errors"], at: path + ".errors"),
                throttles: try count(v?["throttles"], at: path + ".throttles"),
                faults: try count(v?["faults"], at: path + ".faults"))
            if f.requests == 0 { f.requests = f.ok + f.errors + f.throttles + f.faults }
            f.rps = try figure(v?["rps"], at: path + ".rps") ?? 0
            f.avgMillis = try figure(v?["avg_ms"], at: path + ".avg_ms")
            f.p50 = try figure(v?["p50_ms"], at: path + ".p50_ms")
            f.p90 = try figure(v?["p90_ms"], at: path + ".p90_ms")
            f.p95 = try figure(v?["p95_ms"], at: path + ".p95_ms")
            f.p99 = try figure(v?["p99_ms"], at: path + ".p99_ms")
            f.maxMillis = try figure(v?["max_ms"], at: path + ".max_ms")
            return f
        }

        /// A latency or a rate: absent or null is "not measured"; otherwise finite, not negative, and below 1e15 (a
        /// relative gate multiplies it, and nothing real is 30,000 years).
        func figure(_ v: JSONValue?, at path: String) throws(Failure) -> Double? {
            guard let v, v != .null else { return nil }
            guard let n = v.number, n.isFinite, n >= 0, n < 1e15 else {
                throw Failure(message: "\(source): \(path) is not a figure (a number from 0)")
            }
            return n
        }

        func phase(_ v: JSONValue?, at path: String) throws(Failure) -> Summary.PhaseFigures {
            var p = Summary.PhaseFigures()
            p.count = try count(v?["count"], at: path + ".count")
            p.p50 = try figure(v?["p50_ms"], at: path + ".p50_ms")
            p.p99 = try figure(v?["p99_ms"], at: path + ".p99_ms")
            p.maxMillis = try figure(v?["max_ms"], at: path + ".max_ms")
            return p
        }
    }
}
