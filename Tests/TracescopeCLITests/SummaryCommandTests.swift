import Foundation
import TestSupport
import Testing

/// Drives the real `tracescope` binary, as a CI job would.
@Suite("tracescope summary (the binary)", .timeLimit(.minutes(5)))
struct SummaryCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let checkout = root.appendingPathComponent("sample-traces/checkout-xray.jsonl").path
    static let otlp = root.appendingPathComponent("sample-traces/shop-otlp.jsonl").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary sits beside the test bundle in the build directory.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tracescope")
    }

    static func run(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(120)) throws -> Run {
        let outcome = try ChildProcess.run(
            [binary.path] + arguments, stdin: stdin.map { Data($0.utf8) },
            environment: ["NO_COLOR": "1"], timeout: timeout)
        #expect(!outcome.timedOut, "tracescope \(arguments) did not finish within \(timeout)")
        return Run(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
    }

    static func temporaryFile(_ contents: String, suffix: String = ".jsonl") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tracescope-\(UUID())\(suffix)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theCheckoutSampleHoldsWhatItWasBuiltWith() throws {
        let r = try Self.run(["summary", Self.checkout, "--format", "json"])
        #expect(r.status == 0)
        for name in [
            "\"shop-api/prod\"", "\"AWS::ApiGateway::Stage\"", "\"AWS::Lambda::Function\"", "\"AWS::DynamoDB::Table\"",
            "\"AWS::SQS::Queue\"", "\"api.payments.example.com\"", "\"email-sender\"", "\"client\"",
        ] {
            #expect(r.stdout.contains(name), "missing \(name)")
        }
        #expect(r.stdout.contains(#""verdict": "pass""#))
        #expect(r.stdout.contains(#""cold_starts": "#))
        // The sample's faults, as it was built with: nine traces, counted on the stage and on the function.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((summary["traces"] as? [String: Any])?["faults"] as? Int == 9)
        let services = try #require(summary["services"] as? [[String: Any]])
        let function = services.first {
            $0["name"] as? String == "checkout" && $0["type"] as? String == "AWS::Lambda::Function"
        }
        #expect(function?["faults"] as? Int == 9)
    }

    @Test func markdownForAGitHubJobSummary() throws {
        let r = try Self.run([
            "summary", Self.checkout, "--format", "markdown", "--assert", "shop-api/prod: fault_rate < 10%",
        ])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("## ✅ Tracescope summary: pass"))
        #expect(r.stdout.contains("```mermaid"))
        #expect(r.stdout.contains("### Functions"))
    }

    @Test func aFailedGateExitsOne() throws {
        let r = try Self.run(["summary", Self.checkout, "--assert", "api.payments.example.com: fault_rate == 0"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("gate failed"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try Self.run(["summary"]).status == 2)
        #expect(try Self.run(["summary", Self.checkout, "--assert", "nonsense"]).status == 2)
        #expect(try Self.run(["summary", Self.checkout, "--format", "yaml"]).status == 2)
        let missing = try Self.run(["summary", "/nonexistent/file.jsonl"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/file.jsonl"))
    }

    @Test func aFileWithNoUsableRecordExitsTwo() throws {
        let path = try Self.temporaryFile("not json at all\n{\"also\": \"not a trace\"}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Self.run(["summary", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):1"))
        #expect(r.stderr.contains("no usable trace records"))
    }

    @Test func aBadLineAmongGoodOnesIsReportedButDoesNotFailUnlessStrict() throws {
        var text = try String(contentsOfFile: Self.checkout, encoding: .utf8)
        text += "{\"name\": \"cut off mid-wri"
        let path = try Self.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Self.run(["summary", path, "--format", "json"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("truncated record"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rejected = try #require(summary["rejected"] as? [String: Any])
        #expect(rejected["count"] as? Int == 1)
        #expect((rejected["reasons"] as? [String: Int])?.values.reduce(0, +) == 1)
        #expect(try Self.run(["summary", path, "--strict"]).status == 2)
    }

    @Test func standardInputAndAnOutputFile() throws {
        let input = try String(contentsOfFile: Self.otlp, encoding: .utf8)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID()).xml").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let r = try Self.run(
            ["summary", "-", "--format", "junit", "--output", output, "--assert", "frontend -> cart: requests > 0"],
            stdin: input)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let xml = try String(contentsOfFile: output, encoding: .utf8)
        #expect(
            xml.contains(
                "<testcase classname=\"tracescope.gates\" name=\"frontend -&gt; cart: requests &gt; 0 [frontend -&gt; cart]\"/>"
            ))
    }

    @Test func aBaselineMakesRelativeGatesWork() throws {
        let baseline = try Self.run(["summary", Self.checkout, "--format", "json"])
        let path = try Self.temporaryFile(baseline.stdout, suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let same = try Self.run([
            "summary", Self.checkout, "--baseline", path, "--assert", "shop-api/prod: p(95) <= +10%",
        ])
        #expect(same.status == 0)
        let bad = try Self.run([
            "summary", Self.checkout, "--baseline", Self.checkout, "--assert", "shop-api/prod: p(95) <= +10%",
        ])
        #expect(bad.status == 2)
    }

    @Test func escapeSequencesNeverReachTheTerminal() throws {
        let doc =
            #"{"name":"x\u001b]0;owned\u0007\u001b[2J","id":"0000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}"#
        let path = try Self.temporaryFile(doc + "\n\u{1B}[31mnot json\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for format in ["text", "markdown", "json", "junit"] {
            let r = try Self.run(["summary", path, "--format", format])
            #expect(r.status == 0)
            #expect(!r.stdout.contains("\u{1B}"), "raw ESC in \(format) output")
            #expect(!r.stderr.contains("\u{1B}"), "raw ESC on stderr")
        }
    }
}
