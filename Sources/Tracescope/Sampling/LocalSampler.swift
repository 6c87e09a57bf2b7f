import Synchronization
import TraceFormats
import TraceModel

/// X-Ray local sampling: the first matching rule decides — up to `fixed_target` traces each second, then `rate` of the
/// rest — and the default rule (1 a second + 5% unless the file says otherwise) covers everything else.
///
/// ```swift
/// let sampler = try LocalSampler(rulesJSON: String(contentsOfFile: "sampling-rules.json"))
/// ```
public final class LocalSampler: TracescopeSampler {
    /// A rules document that cannot be used, with the reason.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What is wrong with it.
        public var description: String
    }

    /// The rules, in the order they are tried (the first match decides).
    public let rules: [SamplingRule]
    /// The rule for requests no rule matches.
    public let defaultRule: SamplingRule
    private let clock: @Sendable () -> EpochNanos
    private let random: @Sendable () -> Double
    /// Per rule (index `rules.count` is the default): the second being counted and how many it has taken.
    private let reservoirs: Mutex<[(second: Int64, taken: Int)]>

    /// X-Ray's default when no rules file is given: one trace a second, then 5%.
    public static let defaultRule = SamplingRule(description: "default", fixedTarget: 1, rate: 0.05)

    /// Samples by `rules`, then `defaultRule`.
    public init(
        rules: [SamplingRule] = [], default defaultRule: SamplingRule = LocalSampler.defaultRule,
        clock: @escaping @Sendable () -> EpochNanos = WallClock.now,
        random: (@Sendable () -> Double)? = nil
    ) {
        self.rules = rules
        self.defaultRule = defaultRule
        self.clock = clock
        let ids = IDGenerator()
        self.random = random ?? { ids.unitInterval() }
        reservoirs = Mutex(Array(repeating: (second: Int64.min, taken: 0), count: rules.count + 1))
    }

    /// Reads a local rules file (versions 1 and 2).
    public convenience init(
        rulesJSON text: String, clock: @escaping @Sendable () -> EpochNanos = WallClock.now,
        random: (@Sendable () -> Double)? = nil
    ) throws(ParseError) {
        let json: JSONValue
        do throws(JSONValue.ParseError) { json = try JSONValue.parse(text) } catch {
            throw ParseError(description: "sampling rules are not valid JSON: \(error)")
        }
        guard let version = json["version"]?.number, version == 1 || version == 2 else {
            throw ParseError(description: "sampling rules need \"version\": 1 or 2")
        }
        func rule(_ v: JSONValue, index: Int) throws(ParseError) -> SamplingRule {
            // A reservoir of up to a billion a second: past that (1e300, infinity) the number means nothing, and
            // converting it would trap.
            guard let fixed = v["fixed_target"]?.number, fixed >= 0, fixed <= 1e9, let rate = v["rate"]?.number,
                (0...1).contains(rate)
            else {
                throw ParseError(
                    description: "rule \(index): needs \"fixed_target\" from 0 to 1e9 and \"rate\" between 0 and 1")
            }
            return SamplingRule(
                description: v["description"]?.string ?? "",
                host: (version == 1 ? v["service_name"] : v["host"])?.string ?? "*",
                matchesServiceName: version == 1,
                httpMethod: v["http_method"]?.string ?? "*", urlPath: v["url_path"]?.string ?? "*",
                fixedTarget: Int(fixed), rate: rate
            )
        }
        var rules: [SamplingRule] = []
        for (i, v) in (json["rules"]?.array ?? []).enumerated() { rules.append(try rule(v, index: i + 1)) }
        guard let defaultJSON = json["default"] else {
            throw ParseError(description: "sampling rules need a \"default\" rule")
        }
        var defaultRule = try rule(defaultJSON, index: 0)
        defaultRule.description = "default"
        self.init(rules: rules, default: defaultRule, clock: clock, random: random)
    }

    /// The first matching rule's answer: within its fixed target per second, else at its rate.
    public func shouldSample(_ request: SamplingRequest) -> Bool {
        let index = rules.firstIndex { $0.matches(request) } ?? rules.count
        let rule = index < rules.count ? rules[index] : defaultRule
        let second = clock() / 1_000_000_000
        let fromReservoir = reservoirs.withLock { state -> Bool in
            if state[index].second != second { state[index] = (second, 0) }
            guard state[index].taken < rule.fixedTarget else { return false }
            state[index].taken += 1
            return true
        }
        return fromReservoir || random() < rule.rate
    }
}
