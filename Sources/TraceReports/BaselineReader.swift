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
        let start = root["window"]?["start"]?.string.flatMap(TimestampParser.nanos) ?? 0
        let end = root["window"]?["end"]?.string.flatMap(TimestampParser.nanos) ?? start
        var traces = figures(root["traces"])
        traces.requests = UInt64(root["traces"]?["count"]?.number ?? 0)
        let services = (root["services"]?.array ?? []).map { v in
            Summary.Service(node: node(v), figures: figures(v))
        }
        let edges = (root["edges"]?.array ?? []).map { v in
            Summary.Edge(edge: EdgeKey(from: node(v["from"]), to: node(v["to"])), figures: figures(v))
        }
        let functions = (root["functions"]?.array ?? []).map { v in
            Summary.Function(
                name: v["name"]?.string ?? "", invocations: UInt64(v["invocations"]?.number ?? 0),
                coldStarts: UInt64(v["cold_starts"]?.number ?? 0), dwell: phase(v["dwell"]),
                initialization: phase(v["init"]), handler: phase(v["handler"]), overhead: phase(v["overhead"])
            )
        }
        return Summary(window: Summary.Window(start: start, end: end), traces: traces, services: services,
                       edges: edges, functions: functions)
    }

    private static func node(_ v: JSONValue?) -> NodeKey {
        NodeKey(name: v?["name"]?.string ?? "", type: v?["type"]?.string)
    }

    private static func figures(_ v: JSONValue?) -> Summary.Figures {
        var f = Summary.Figures()
        f.requests = UInt64(v?["requests"]?.number ?? 0)
        f.ok = UInt64(v?["ok"]?.number ?? 0)
        f.errors = UInt64(v?["errors"]?.number ?? 0)
        f.throttles = UInt64(v?["throttles"]?.number ?? 0)
        f.faults = UInt64(v?["faults"]?.number ?? 0)
        if f.requests == 0 { f.requests = f.ok + f.errors + f.throttles + f.faults }
        f.rps = v?["rps"]?.number ?? 0
        f.avgMillis = v?["avg_ms"]?.number
        f.p50 = v?["p50_ms"]?.number
        f.p90 = v?["p90_ms"]?.number
        f.p95 = v?["p95_ms"]?.number
        f.p99 = v?["p99_ms"]?.number
        f.maxMillis = v?["max_ms"]?.number
        return f
    }

    private static func phase(_ v: JSONValue?) -> Summary.PhaseFigures {
        var p = Summary.PhaseFigures()
        p.count = UInt64(v?["count"]?.number ?? 0)
        p.p50 = v?["p50_ms"]?.number
        p.p99 = v?["p99_ms"]?.number
        p.maxMillis = v?["max_ms"]?.number
        return p
    }
}
