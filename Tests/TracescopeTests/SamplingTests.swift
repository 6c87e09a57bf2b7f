import Synchronization
import Testing
import TraceModel

@testable import Tracescope

@Suite("Sampling rules")
struct SamplingTests {
    final class TestClock: Sendable {
        let nanos = Atomic<Int64>(1_700_000_000_000_000_000)
        func now() -> EpochNanos { nanos.load(ordering: .relaxed) }
        func advance(seconds: Int64) { nanos.add(seconds * 1_000_000_000, ordering: .relaxed) }
    }

    static let version2 = """
        {"version": 2,
         "rules": [
           {"description": "health checks", "host": "*", "http_method": "GET", "url_path": "/health*", "fixed_target": 0, "rate": 0},
           {"description": "checkout", "host": "shop.*.com", "http_method": "POST", "url_path": "/checkout/?", "fixed_target": 2, "rate": 0}
         ],
         "default": {"fixed_target": 1, "rate": 0}}
        """

    @Test func firstMatchingRuleWinsWithWildcards() throws {
        let clock = TestClock()
        let sampler = try LocalSampler(rulesJSON: Self.version2, clock: { clock.now() }, random: { 0.5 })
        #expect(sampler.rules.count == 2)
        #expect(
            !sampler.shouldSample(SamplingRequest(serviceName: "s", host: "x", httpMethod: "GET", urlPath: "/healthz")))
        #expect(
            sampler.rules[1].matches(
                SamplingRequest(serviceName: "s", host: "SHOP.example.com", httpMethod: "post", urlPath: "/checkout/7"))
        )
        #expect(
            !sampler.rules[1].matches(
                SamplingRequest(serviceName: "s", host: "shop.example.com", httpMethod: "POST", urlPath: "/checkout/77")
            ))
    }

    @Test func theReservoirTakesFixedTargetPerSecondThenTheRate() throws {
        let clock = TestClock()
        let sampler = try LocalSampler(rulesJSON: Self.version2, clock: { clock.now() }, random: { 0.5 })
        let checkout = SamplingRequest(serviceName: "s", host: "shop.a.com", httpMethod: "POST", urlPath: "/checkout/1")
        #expect((0..<5).map { _ in sampler.shouldSample(checkout) } == [true, true, false, false, false])
        clock.advance(seconds: 1)
        #expect((0..<3).map { _ in sampler.shouldSample(checkout) } == [true, true, false])
        // The default rule has its own reservoir.
        let other = SamplingRequest(serviceName: "s", host: "api", httpMethod: "GET", urlPath: "/x")
        #expect([sampler.shouldSample(other), sampler.shouldSample(other)] == [true, false])
    }

    @Test func theRateAppliesBeyondTheReservoir() {
        let clock = TestClock()
        let low = LocalSampler(
            rules: [], default: SamplingRule(fixedTarget: 0, rate: 0.05), clock: { clock.now() }, random: { 0.04 })
        let high = LocalSampler(
            rules: [], default: SamplingRule(fixedTarget: 0, rate: 0.05), clock: { clock.now() }, random: { 0.06 })
        let request = SamplingRequest(serviceName: "s")
        #expect(low.shouldSample(request))
        #expect(!high.shouldSample(request))
    }

    @Test func versionOneMatchesServiceNames() throws {
        let clock = TestClock()
        let sampler = try LocalSampler(
            rulesJSON: """
                {"version": 1, "rules": [{"description": "", "service_name": "orders-*", "http_method": "*", "url_path": "*",
                  "fixed_target": 0, "rate": 1}], "default": {"fixed_target": 0, "rate": 0}}
                """, clock: { clock.now() }, random: { 0.5 })
        #expect(sampler.shouldSample(SamplingRequest(serviceName: "orders-api")))
        #expect(!sampler.shouldSample(SamplingRequest(serviceName: "cart")))
    }

    @Test(arguments: [
        "{}", #"{"version": 3, "default": {"fixed_target": 1, "rate": 0.1}}"#,
        #"{"version": 2, "rules": [{"fixed_target": -1, "rate": 0.1}], "default": {"fixed_target": 1, "rate": 0.1}}"#,
        #"{"version": 2, "rules": []}"#, "not json",
    ])
    func badRulesFilesSayWhy(text: String) {
        #expect(throws: LocalSampler.ParseError.self) { _ = try LocalSampler(rulesJSON: text) }
    }

    @Test func wildcards() {
        #expect(Wildcard.matches("*", nil))
        #expect(!Wildcard.matches("a*", nil))
        #expect(Wildcard.matches("/api/*/items", "/api/v1/items"))
        #expect(Wildcard.matches("?b?", "abc"))
        #expect(!Wildcard.matches("?b?", "abcd"))
        #expect(Wildcard.matches("*.example.com", "shop.EXAMPLE.com"))
    }
}
