import TraceModel

/// Compares two runs' summaries (and their operation paths) figure by figure (docs/SEMANTICS.md, "Diff").
public enum DiffBuilder {
    /// The percentiles every latency is compared at.
    public static let percentiles: [Double] = [50, 90, 99]

    public static func build(
        base: Summary, current: Summary, baseOperations: OperationStats? = nil,
        currentOperations: OperationStats? = nil, significance: Significance = Significance()
    ) -> RunDiff {
        var compare = Comparer(
            significance: significance, baseSeconds: base.window.seconds,
            currentSeconds: current.window.seconds)
        compare.figures(.traces, base.traces, base.tracesLatency, current.traces, current.tracesLatency)

        var added: [RunDiff.Presence] = []
        var removed: [RunDiff.Presence] = []
        let baseServices = Dictionary(
            base.services.filter { $0.figures.requests > 0 }.map { ($0.node, $0) }, uniquingKeysWith: { a, _ in a })
        let currentServices = current.services.filter { $0.figures.requests > 0 }
        for service in currentServices {
            if let old = baseServices[service.node] {
                compare.figures(.service(service.node), old.figures, old.latency, service.figures, service.latency)
            } else {
                added.append(RunDiff.Presence(subject: .service(service.node), requests: service.figures.requests))
            }
        }
        let currentNodes = Set(currentServices.map(\.node))
        for service in base.services where service.figures.requests > 0 && !currentNodes.contains(service.node) {
            removed.append(RunDiff.Presence(subject: .service(service.node), requests: service.figures.requests))
        }

        let baseEdges = Dictionary(base.edges.map { ($0.edge, $0) }, uniquingKeysWith: { a, _ in a })
        for edge in current.edges {
            if let old = baseEdges[edge.edge] {
                compare.figures(.edge(edge.edge), old.figures, old.latency, edge.figures, edge.latency)
            } else {
                added.append(RunDiff.Presence(subject: .edge(edge.edge), requests: edge.figures.requests))
            }
        }
        let currentEdges = Set(current.edges.map(\.edge))
        for edge in base.edges where !currentEdges.contains(edge.edge) {
            removed.append(RunDiff.Presence(subject: .edge(edge.edge), requests: edge.figures.requests))
        }

        let baseFunctions = Dictionary(base.functions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for function in current.functions {
            if let old = baseFunctions[function.name] {
                compare.function(old, function)
            } else {
                added.append(RunDiff.Presence(subject: .function(function.name), requests: function.invocations))
            }
        }
        let currentFunctions = Set(current.functions.map(\.name))
        for function in base.functions where !currentFunctions.contains(function.name) {
            removed.append(RunDiff.Presence(subject: .function(function.name), requests: function.invocations))
        }

        if let baseOperations, let currentOperations {
            compare.operations(baseOperations, currentOperations)
        }

        var diff = RunDiff(
            base: base, current: current, changes: compare.changes, added: added, removed: removed, attribution: [],
            attributionBasis: nil, significance: significance)
        if let baseOperations, let currentOperations {
            (diff.attribution, diff.attributionBasis) = attribute(
                base: baseOperations, current: currentOperations, baseSummary: base, currentSummary: current)
        }
        return diff
    }

    /// Splits the change of the typical trace (those around the median duration) over the operation paths on the
    /// critical path, largest change first.
    static func attribute(
        base: OperationStats, current: OperationStats, baseSummary: Summary, currentSummary: Summary,
        percentile: Double = 50, limit: Int = 20
    ) -> ([RunDiff.Attribution], RunDiff.AttributionBasis?) {
        guard let old = base.typical(at: percentile), let new = current.typical(at: percentile) else {
            return ([], nil)
        }
        let whole = new.meanDurationMillis - old.meanDurationMillis
        let paths = Set(old.meanSelfMillis.keys).union(new.meanSelfMillis.keys)
        let entries = paths.map { path in
            let (b, c) = (old.meanSelfMillis[path] ?? 0, new.meanSelfMillis[path] ?? 0)
            return RunDiff.Attribution(
                path: path, baseMillis: b, currentMillis: c, share: whole == 0 ? nil : (c - b) / whole)
        }
        let ranked = entries.filter { abs($0.changeMillis) >= 0.001 }.sorted {
            abs($0.changeMillis) != abs($1.changeMillis)
                ? abs($0.changeMillis) > abs($1.changeMillis) : $0.path.lexicographicallyPrecedes($1.path)
        }
        let basis = RunDiff.AttributionBasis(
            percentile: percentile, baseMillis: baseSummary.tracesLatency?.histogram.percentileMillis(percentile),
            currentMillis: currentSummary.tracesLatency?.histogram.percentileMillis(percentile),
            baseBandMillis: old.meanDurationMillis, currentBandMillis: new.meanDurationMillis,
            baseTraces: old.traces, currentTraces: new.traces)
        return (Array(ranked.prefix(limit)), basis)
    }
}

/// Makes the `Change`s of one subject after another, judging each with the significance test.
private struct Comparer {
    let significance: Significance
    let baseSeconds: Double
    let currentSeconds: Double
    var changes: [RunDiff.Change] = []

    init(significance: Significance, baseSeconds: Double, currentSeconds: Double) {
        self.significance = significance
        self.baseSeconds = baseSeconds
        self.currentSeconds = currentSeconds
    }

    /// Requests, rps, the failure rates and the latency percentiles of a node, an edge or the traces.
    mutating func figures(
        _ subject: RunDiff.Subject, _ base: Summary.Figures, _ baseLatency: LatencyHistogramBox?,
        _ current: Summary.Figures, _ currentLatency: LatencyHistogramBox?
    ) {
        load(subject, "requests", base.requests, current.requests)
        rate(subject, base: base, current: current)
        latencies(subject, prefix: "", base: baseLatency?.histogram, current: currentLatency?.histogram)
    }

    mutating func function(_ base: Summary.Function, _ current: Summary.Function) {
        let subject = RunDiff.Subject.function(current.name)
        append(
            subject, "invocations", .count, Double(base.invocations), Double(current.invocations), base.invocations,
            current.invocations, significant: false, higherIsWorse: nil)
        proportion(
            subject, "cold_start_rate", base.coldStarts, base.invocations, current.coldStarts, current.invocations)
        for phase in [FunctionPhase.dwell, .initialization, .handler] {
            latencies(
                subject, prefix: phase.rawValue + ".", base: base.phase(phase).latency?.histogram,
                current: current.phase(phase).latency?.histogram)
        }
    }

    mutating func operations(_ base: OperationStats, _ current: OperationStats) {
        var baseByPath: [[String]: OperationStats.Figures] = [:]
        for (id, path) in base.paths { baseByPath[path] = base.figures[id] }
        for (id, path) in current.paths.sorted(by: { $0.path.lexicographicallyPrecedes($1.path) }) {
            guard let old = baseByPath[path] else { continue }
            let new = current.figures[id]
            let subject = RunDiff.Subject.operation(path)
            load(subject, "requests", old.counts.total, new.counts.total)
            for (metric, cls) in [
                ("error_rate", StatusClass.error), ("throttle_rate", .throttle), ("fault_rate", .fault),
            ] {
                proportion(
                    subject, metric, old.counts.count(cls), old.counts.total, new.counts.count(cls),
                    new.counts.total)
            }
            latencies(subject, prefix: "", base: old.latency, current: new.latency)
        }
    }

    private mutating func rate(_ subject: RunDiff.Subject, base: Summary.Figures, current: Summary.Figures) {
        let baseRPS = significance.interval(count: base.requests, seconds: baseSeconds)
        let currentRPS = significance.interval(count: current.requests, seconds: currentSeconds)
        append(
            subject, "rps", .perSecond, base.rps, current.rps, base.requests, current.requests,
            significant: Significance.differs(base.rps, baseRPS, current.rps, currentRPS), higherIsWorse: nil)
        for (metric, cls) in [("error_rate", StatusClass.error), ("throttle_rate", .throttle), ("fault_rate", .fault)] {
            proportion(subject, metric, base.count(cls), base.requests, current.count(cls), current.requests)
        }
    }

    private mutating func load(_ subject: RunDiff.Subject, _ metric: String, _ base: UInt64, _ current: UInt64) {
        append(
            subject, metric, .count, Double(base), Double(current), base, current, significant: false,
            higherIsWorse: nil)
    }

    private mutating func proportion(
        _ subject: RunDiff.Subject, _ metric: String, _ baseHits: UInt64, _ baseTotal: UInt64, _ currentHits: UInt64,
        _ currentTotal: UInt64
    ) {
        let needed = significance.samplesNeededForRates
        let old = baseTotal == 0 ? nil : Double(baseHits) / Double(baseTotal)
        let new = currentTotal == 0 ? nil : Double(currentHits) / Double(currentTotal)
        let significant =
            baseTotal >= needed && currentTotal >= needed
            && Significance.differs(
                old, significance.interval(successes: baseHits, trials: baseTotal), new,
                significance.interval(successes: currentHits, trials: currentTotal))
        append(
            subject, metric, .ratio, old, new, baseTotal, currentTotal, significant: significant, higherIsWorse: true)
    }

    private mutating func latencies(
        _ subject: RunDiff.Subject, prefix: String, base: LatencyHistogram?, current: LatencyHistogram?
    ) {
        let (baseCount, currentCount) = (base?.count ?? 0, current?.count ?? 0)
        guard baseCount > 0 || currentCount > 0 else { return }
        for q in DiffBuilder.percentiles {
            let old = base?.percentileMillis(q)
            let new = current?.percentileMillis(q)
            let needed = significance.samplesNeeded(percentile: q)
            var significant = false
            if let base, let current, let old, let new, baseCount >= needed, currentCount >= needed, old > 0 {
                significant =
                    abs(new - old) / old >= significance.minimumRelativeChange
                    && Significance.differs(
                        old, significance.interval(of: base, percentile: q), new,
                        significance.interval(of: current, percentile: q))
            }
            append(
                subject, prefix + "p\(Int(q))_ms", .millis, old, new, baseCount, currentCount,
                significant: significant, higherIsWorse: true)
        }
    }

    private mutating func append(
        _ subject: RunDiff.Subject, _ metric: String, _ unit: RunDiff.Unit, _ base: Double?, _ current: Double?,
        _ baseSamples: UInt64, _ currentSamples: UInt64, significant: Bool, higherIsWorse: Bool?
    ) {
        changes.append(
            RunDiff.Change(
                subject: subject, metric: metric, unit: unit, base: base, current: current, baseSamples: baseSamples,
                currentSamples: currentSamples, significant: significant, higherIsWorse: higherIsWorse))
    }
}
