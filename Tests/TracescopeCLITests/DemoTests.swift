import Foundation
import Testing

/// `tracescope demo --headless`: the designed topology and every episode, checked with `tracescope summary`.
@Suite("tracescope demo", .timeLimit(.minutes(3)))
struct DemoTests {
    @Test func theHeadlessDemoShowsTheWholeShopAndEveryEpisode() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let demo = try SummaryCommandTests.run(["demo", "--headless", "--duration", "11", "--out", out, "--seed", "7"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let r = try SummaryCommandTests.run([
            "summary", out, "--format", "json",
            "--assert", "fn:*: invocations > 0", "--assert", "shop-api/prod: faults > 0",
            "--assert", "shop-api/prod: throttles > 0", "--assert", "fn:email-sender: dwell.count > 0",
            "--min-samples", "1",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let json = r.stdout
        for node in [
            "shop-api/prod", "checkout", "cart", "auth", "email-sender", "DynamoDB", "S3", "SQS",
            "api.payments.example.com", "AWS::Lambda::Function", "AWS::SQS::Queue",
        ] {
            #expect(json.contains("\"\(node)\""), "missing \(node)")
        }
        // Cold and warm starts: each function had at least one cold start and more invocations than that.
        let summary = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let functions = summary?["functions"] as? [[String: Any]] ?? []
        #expect(Set(functions.compactMap { $0["name"] as? String }) == ["auth", "cart", "checkout", "email-sender"])
        for fn in functions {
            let invocations = fn["invocations"] as? Int ?? 0
            let cold = fn["cold_starts"] as? Int ?? 0
            #expect(cold >= 1 && invocations > cold, "\(fn["name"] ?? "?"): \(cold) cold of \(invocations)")
        }
        let edges = summary?["edges"] as? [[String: Any]] ?? []
        let pairs = Set(
            edges.compactMap { e -> String? in
                guard let from = (e["from"] as? [String: Any])?["name"] as? String,
                    let to = (e["to"] as? [String: Any])?["name"] as? String
                else { return nil }
                return "\(from)->\(to)"
            })
        for pair in [
            "client->shop-api/prod", "shop-api/prod->checkout", "shop-api/prod->cart", "shop-api/prod->auth",
            "checkout->DynamoDB", "checkout->api.payments.example.com", "checkout->SQS", "checkout->email-sender",
            "cart->S3", "email-sender->SES",
        ] {
            #expect(pairs.contains(pair), "missing edge \(pair)")
        }
    }
}
