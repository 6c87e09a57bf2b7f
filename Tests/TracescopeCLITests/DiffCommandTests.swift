import Foundation
import TestSupport
import Testing

/// `tracescope diff` as a CI job runs it: the committed checkout sample against the same shop after a deploy that
/// made the payments API 100 ms slower (`sample-traces/checkout-xray-after.jsonl`, another seed).
@Suite("tracescope diff (the binary)", .timeLimit(.minutes(5)))
struct DiffCommandTests {
    static let after = SummaryCommandTests.root.appendingPathComponent("sample-traces/checkout-xray-after.jsonl").path
    static let schema = SummaryCommandTests.root.appendingPathComponent("docs/schemas/tracescope.diff.v1.schema.json")
        .path

    @Test func theSlowerPaymentsAPIIsFoundAndAttributed() throws {
        let r = try SummaryCommandTests.run([
            "diff", "--base", SummaryCommandTests.checkout, "--current", Self.after, "--format", "json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let diff = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(diff["schema"] as? String == "tracescope.diff/v1")
        let changes = try #require(diff["changes"] as? [[String: Any]])
        let payments = changes.first {
            $0["scope"] as? String == "service" && $0["name"] as? String == "api.payments.example.com"
                && $0["metric"] as? String == "p50_ms"
        }
        #expect(payments?["significant"] as? Bool == true)
        #expect(payments?["direction"] as? String == "regression")
        // Nothing about DynamoDB or SQS, which did not change, is flagged.
        for change in changes where change["significant"] as? Bool == true {
            let name = (change["name"] as? String) ?? ((change["to"] as? [String: Any])?["name"] as? String) ?? ""
            #expect(!name.hasSuffix("DynamoDB") && !name.hasSuffix("SQS") && name != "orders", "flagged \(change)")
        }
        let attribution = try #require(diff["attribution"] as? [[String: Any]])
        let first = try #require(attribution.first)
        #expect((first["path"] as? [String])?.last == "api.payments.example.com")
        #expect((first["change_ms"] as? Double ?? 0) > 80)
    }

    @Test func theJSONFollowsItsSchema() async throws {
        try await PythonTools.ensure(module: "jsonschema", package: "jsonschema")
        for current in [Self.after, SummaryCommandTests.otlp] {
            let r = try SummaryCommandTests.run([
                "diff", "--base", SummaryCommandTests.checkout, "--current", current, "--format", "json",
                "--assert", "significant_regressions == 0", "--assert", "shop-api/prod: p(95) <= +10%",
            ])
            #expect(r.status == 1)
            let report = try SummaryCommandTests.temporaryFile(r.stdout, suffix: ".json")
            defer { try? FileManager.default.removeItem(atPath: report) }
            let check = try PythonTools.run([
                "python3", "-c",
                """
                import json, sys, jsonschema
                schema = json.load(open(sys.argv[1]))
                jsonschema.Draft202012Validator.check_schema(schema)
                jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
                print("valid")
                """,
                Self.schema, report,
            ])
            #expect(check.status == 0 && check.output.contains("valid"), "\(check.output)")
        }
    }

    @Test func gatesFailTheBuildAndSayWhy() throws {
        let failing = try SummaryCommandTests.run([
            "diff", "--base", SummaryCommandTests.checkout, "--current", Self.after,
            "--assert", "significant_regressions == 0", "--assert", "api.payments.example.com: p(50) <= +10%",
        ])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("verdict: FAIL"))
        #expect(failing.stderr.contains("gate failed: significant_regressions == 0"))
        #expect(failing.stderr.contains("gate failed: api.payments.example.com: p(50) <= +10%"))

        let passing = try SummaryCommandTests.run([
            "diff", "--base", SummaryCommandTests.checkout, "--current", SummaryCommandTests.checkout,
            "--assert", "significant_regressions == 0", "--assert", "*: p(95) <= +5%", "--format", "junit",
        ])
        #expect(passing.status == 0, "\(passing.stderr)\(passing.stdout)")
        #expect(passing.stdout.contains("<testsuite name=\"tracescope.diff\""))
        #expect(passing.stdout.contains("failures=\"0\""))
    }

    @Test func markdownForAPullRequestComment() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("diff-\(UUID()).md").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let r = try SummaryCommandTests.run([
            "diff", "--base", SummaryCommandTests.checkout, "--current", Self.after, "--format", "markdown",
            "--output", output,
        ])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let md = try String(contentsOfFile: output, encoding: .utf8)
        #expect(md.hasPrefix("## ⚠️ Tracescope diff: "))
        #expect(md.contains("### Significant changes"))
        #expect(md.contains("| 🔺 | service | api.payments.example.com (remote) |"))
        #expect(md.contains("```mermaid\ngraph LR"))
        #expect(md.contains("stroke:#d1242f"))
    }

    @Test func badInputAndUsageExit2() throws {
        let noCurrent = try SummaryCommandTests.run(["diff", "--base", SummaryCommandTests.checkout])
        #expect(noCurrent.status == 2)
        #expect(noCurrent.stderr.contains("--current"))
        let badGate = try SummaryCommandTests.run([
            "diff", "--base", SummaryCommandTests.checkout, "--current", Self.after, "--assert",
            "significant_regressions",
        ])
        #expect(badGate.status == 2)
        #expect(badGate.stderr.contains("significant_regressions OP N"))
        let missing = try SummaryCommandTests.run([
            "diff", "--base", "/nonexistent/base.jsonl", "--current", Self.after,
        ])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/base.jsonl"))
        let garbage = try SummaryCommandTests.temporaryFile("not a trace\n{\"also\": \"not\"}\n")
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        let unusable = try SummaryCommandTests.run(["diff", "--base", garbage, "--current", Self.after])
        #expect(unusable.status == 2)
        #expect(unusable.stderr.contains("base: \(garbage): no usable trace records"))
        let badWindow = try SummaryCommandTests.run([
            "diff", "--base-xray", "soon", "--current", Self.after,
        ])
        #expect(badWindow.status == 2)
        #expect(badWindow.stderr.contains("--base-xray soon"))
    }

    @Test func aTruncatedLastLineIsReportedNotFatal() throws {
        let text = try String(contentsOfFile: Self.after, encoding: .utf8)
        let cut = try SummaryCommandTests.temporaryFile(String(text.dropLast(40)))
        defer { try? FileManager.default.removeItem(atPath: cut) }
        let r = try SummaryCommandTests.run(["diff", "--base", SummaryCommandTests.checkout, "--current", cut])
        #expect(r.status == 0)
        #expect(r.stderr.contains("current: "))
        #expect(r.stdout.contains("Tracescope diff"))
        let strict = try SummaryCommandTests.run([
            "diff", "--base", SummaryCommandTests.checkout, "--current", cut, "--strict",
        ])
        #expect(strict.status == 2)
    }
}
