import Foundation
import Testing

/// Numbers a flag, a gate, a baseline or a document cannot mean — 1e300, negative zero, NaN, infinity, integers past
/// 64 bits — exit 2 with a message naming where they came from, or are taken for what they safely mean. Never a trap
/// (which would exit 132 or 134, or 139 on a stack overflow).
@Suite("Numeric extremes (the binary)", .timeLimit(.minutes(5)))
struct NumericExtremesTests {
    typealias CLI = SummaryCommandTests

    static let absurd = ["1e300", "-1e300", "nan", "inf", "-0", "99999999999999999999999", "-1"]

    /// Duration-valued flags: every absurd value is refused by name (exit 2), before anything starts.
    @Test(arguments: [
        (["summary", CLI.checkout], "--trace-timeout"),
        (["collect", "--udp", "127.0.0.1:0", "--otlp", "off", "--grpc", "off"], "--duration"),
        (["collect", "--udp", "127.0.0.1:0", "--otlp", "off", "--grpc", "off"], "--status-interval"),
        (["collect", "--udp", "127.0.0.1:0", "--otlp", "off", "--grpc", "off"], "--max-memory"),
        (["demo", "--headless", "--out", "/dev/null"], "--duration"),
        (["demo", "--headless", "--out", "/dev/null"], "--seed"),
        (["summary", CLI.checkout], "--min-samples"),
        (["tui", "--replay", CLI.checkout], "--speed"),
        (["summary", "--xray", "--region", "us-east-1"], "--since"),
        (["summary", "--xray", "--region", "us-east-1"], "--max-traces"),
        (["tui", "--xray", "--region", "us-east-1"], "--poll"),
        (["collect", "--udp", "127.0.0.1:0", "--otlp", "off"], "--grpc-max-message-mb"),
        (["collect", "--udp", "127.0.0.1:0", "--otlp", "off", "--grpc", "off"], "--forward-queue"),
    ])
    func absurdFlagValuesExitTwoNamingTheFlag(_ base: [String], _ flag: String) throws {
        for value in Self.absurd {
            // "-0" means zero: refused for durations; the seed and --min-samples take it as the number 0, and
            // --speed as 0 (everything at once).
            if value == "-0" && ["--seed", "--min-samples", "--speed"].contains(flag) { continue }
            let r = try CLI.run(base + ["\(flag)=\(value)"], timeout: .seconds(30))
            #expect(r.status == 2, "\(flag)=\(value) exited \(r.status): \(r.stderr.suffix(300))")
            #expect(r.stderr.contains(flag) || r.stderr.contains(value), "\(flag)=\(value): \(r.stderr.suffix(300))")
        }
    }

    /// Gates with absurd thresholds and percentiles parse and judge consistently, or are refused naming the gate.
    @Test func absurdGates() throws {
        let refused = [
            "p(95) < nan", "p(95) < inf", "p(1e300) < 1s", "p(-0) < 1s", "p(100.5) < 1s", "error_rate < nan%",
            "requests >= 99999999999999999999999", "p(95) <= +nan%", "p(95) < 1e300h",
        ].map { "traces: " + $0 }
        for gate in refused {
            let r = try CLI.run(["summary", CLI.checkout, "--assert", gate])
            #expect(r.status == 2, "\(gate) exited \(r.status): \(r.stderr.suffix(300))")
            #expect(r.stderr.contains(gate), "\(gate): \(r.stderr.suffix(300))")
        }
        // Extreme but meaningful: judged, never a trap.
        for (gate, status) in [
            ("traces: p(95) < 1e300", Int32(0)), ("traces: error_rate < -0", 1), ("traces: requests >= 0", 0),
        ] {
            let r = try CLI.run(["summary", CLI.checkout, "--assert", gate])
            #expect(r.status == status, "\(gate) exited \(r.status): \(r.stderr.suffix(300))")
        }
    }

    /// A baseline whose figures are absurd is refused naming the file and the field.
    @Test func absurdBaselines() throws {
        for (field, value) in [
            ("p95_ms", "1e999"), ("p95_ms", "-1"), ("count", "99999999999999999999999"), ("count", "-0.5"),
            ("p95_ms", "NaN"), ("rps", "-1e300"),
        ] {
            let fields = ["count": "3", "p95_ms": "2", "rps": "1"]
            let traces = fields.keys.sorted().map { "\"\($0)\": \($0 == field ? value : fields[$0]!)" }
            let baseline = try CLI.temporaryFile(
                #"{"schema": "tracescope.summary/v1", "traces": {"# + traces.joined(separator: ", ")
                    + #"}, "services": []}"#,
                suffix: ".json")
            defer { try? FileManager.default.removeItem(atPath: baseline) }
            let r = try CLI.run(["summary", CLI.checkout, "--baseline", baseline, "--assert", "traces: p(95) <= +10%"])
            #expect(r.status == 2, "\(field): \(value) exited \(r.status): \(r.stderr.suffix(300))")
            #expect(r.stderr.contains(baseline), "\(field): \(value): \(r.stderr.suffix(300))")
        }
    }

    /// Documents with absurd times and durations: rejected and counted, or clamped; the rest is summarised as ever.
    @Test func absurdTimesInDocuments() throws {
        let good = try String(contentsOfFile: CLI.checkout, encoding: .utf8)
        let id = "1-6b003640-00000000000000000000ffff"
        var bad = ""
        for (n, start) in ["1e300", "-0", "99999999999999999999999", "-1e300", "1e-300", "NaN"].enumerated() {
            bad +=
                #"{"name":"x","id":"00000000000000\#(String(format: "%02x", n))","trace_id":"\#(id)","start_time":\#(start),"end_time":1e300}"#
            bad += "\n"
        }
        let file = try CLI.temporaryFile(good + bad)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let clean = try CLI.run(["summary", CLI.checkout, "--format", "json"])
        let hostile = try CLI.run(["summary", file, "--format", "json"])
        #expect(hostile.status == 0, "\(hostile.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(hostile.stdout.utf8)) as? [String: Any])
        // The good traces' window and figures are unchanged by the bad documents.
        #expect(
            (a["window"] as? [String: Any])?["start"] as? String == (b["window"] as? [String: Any])?["start"] as? String
        )
        let traces = try #require(b["traces"] as? [String: Any])
        let cleanTraces = try #require(a["traces"] as? [String: Any])
        #expect(traces["p50_ms"] as? Double == cleanTraces["p50_ms"] as? Double)
        #expect((traces["rps"] as? Double ?? 0) >= (cleanTraces["rps"] as? Double ?? 0) * 0.9)
    }
}
