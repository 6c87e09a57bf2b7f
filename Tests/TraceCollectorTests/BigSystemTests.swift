import Histogram
import Synchronization
import Testing
import TraceAnalysis
import TraceCollector
import TraceModel
import TraceSynthetic

/// A 300-service, 1,500-edge system through the live pipeline at the default budget: every node and edge is kept (no
/// `(other)`), the graph's bytes stay within its share, and every window's percentiles are those of the samples —
/// within 1% of the exact value at the rank, so within 2% of the dense HdrHistogram's answer.
@Suite("Big systems through the collector", .timeLimit(.minutes(5)))
struct BigSystemTests {
    /// What the graph rules make of the synthetic X-Ray spans: a node per segment, an edge per call, the client's
    /// edge per entry request — each sample with its start, for the windows.
    struct Reference {
        var samples: [String: [(start: EpochNanos, nanos: Int64)]] = [:]

        mutating func add(_ spans: [Span]) {
            let byID = Dictionary(uniqueKeysWithValues: spans.map { ($0.id, $0) })
            for span in spans {
                if span.isSegment {
                    samples["node \(span.name)", default: []].append((span.start, span.duration))
                    if span.parentID == nil {
                        samples["edge client -> \(span.name)", default: []].append((span.start, span.duration))
                    }
                } else if let parent = span.parentID.flatMap({ byID[$0] }) {
                    samples["edge \(parent.name) -> \(span.name)", default: []].append((span.start, span.duration))
                }
            }
        }
    }

    @Test func everyNodeAndEdgeIsKeptWithItsPercentiles() throws {
        let system = SyntheticSystem(services: 300, edges: 1500, seed: 42)
        #expect(system.edgeCount == 1500)
        let clock = Mutex<EpochNanos>(1_795_000_000 * 1_000_000_000)
        let pipeline = IngestPipeline(quietPeriodSeconds: 1, clock: { clock.withLock { $0 } })
        var reference = Reference()
        var random = SplitMix64(seed: 7)
        let start = clock.withLock { $0 }
        // Sixteen minutes at 40 traces a second: every minute of the windows has traffic.
        let traces = 16 * 60 * 40
        var spans = 0
        for i in 0..<traces {
            let at = start + Int64(i) * 25_000_000
            let trace = system.trace(
                TraceID(high: UInt64(at / 1_000_000_000) << 32, low: UInt64(i + 1)), start: at, flavour: .xray,
                random: &random)
            spans += trace.count
            reference.add(trace)
            clock.withLock { $0 = at }
            pipeline.ingest(trace)
        }
        let now = clock.withLock { $0 }
        pipeline.finish()
        let stats = pipeline.stats
        #expect(stats.spans == UInt64(spans))
        #expect(stats.foldedRequests == 0)
        let graph = pipeline.analyzer.graph
        #expect(graph.nodes[.overflow] == nil)
        #expect(graph.nodes.count == 301) // and the client
        let budget = try #require(graph.maxBytes)
        #expect(graph.bytes <= budget, "graph \(graph.bytes) bytes, budget \(budget)")
        print("big system: \(graph.nodes.count) nodes, \(graph.edges.count) edges, \(graph.bytes / 1024) KB")

        var compared = 0
        for (name, samples) in reference.samples {
            let parts = name.split(separator: " ", maxSplits: 1)
            let stats: RequestStats
            if parts[0] == "node" {
                stats = try #require(graph.nodes[NodeKey(name: String(parts[1]), type: nil)], "\(name)")
            } else {
                let ends = parts[1].components(separatedBy: " -> ")
                let from = ends[0] == "client" ? NodeKey.client : NodeKey(name: ends[0], type: nil)
                stats = try #require(
                    graph.edges[EdgeKey(from: from, to: NodeKey(name: ends[1], type: nil))], "\(name)")
            }
            #expect(stats.counts.total == UInt64(samples.count), "\(name)")
            for window in TimeWindow.allCases {
                let minutes = window.seconds.map { Int64(($0 + 59) / 60) }
                let newestMinute = now / 60_000_000_000
                let inWindow = samples.filter { s in
                    minutes.map { newestMinute - s.start / 60_000_000_000 < $0 } ?? true
                }
                let latency = stats.latency(in: window, now: now)
                #expect(latency.count == UInt64(inWindow.count), "\(name) \(window)")
                guard !inWindow.isEmpty else { continue }
                let sorted = inWindow.map(\.nanos).sorted()
                var dense = Histogram<UInt64>(
                    lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestMicros,
                    numberOfSignificantValueDigits: .two)
                for v in sorted { _ = dense.record(UInt64(max(1, v / 1000))) }
                for p in [50.0, 90, 99] {
                    let rank = max(1, Int((p.nextDown * Double(sorted.count) / 100).rounded(.up)))
                    let exact = Double(sorted[rank - 1]) / 1e6
                    let ours = try #require(latency.percentileMillis(p))
                    let denseAnswer = Double(dense.valueAtPercentile(p)) / 1000
                    #expect(abs(ours - exact) <= exact * 0.01 + 1e-9, "\(name) \(window) p\(p): \(ours) vs \(exact)")
                    #expect(abs(ours - denseAnswer) <= denseAnswer * 0.02 + 0.001, "\(name) \(window) p\(p)")
                    compared += 1
                }
            }
        }
        // Every node, every edge and the client's edges, in four windows, three percentiles each.
        #expect(reference.samples.count >= 300 + 1500)
        #expect(compared >= (300 + 1500) * 3 * 3)
    }

    /// At the default budget the graph keeps at least 2,000 nodes and edges before the first request folds into
    /// `(other)`, and its bytes stay within its share after.
    @Test func theDefaultBudgetHoldsTwoThousandEntriesBeforeFolding() {
        let pipeline = IngestPipeline(quietPeriodSeconds: 0, clock: { 1_795_000_000 * 1_000_000_000 })
        // A service a request, each called by the client: two entries (the node and the client's edge) each.
        for i in 0..<2_000 {
            let span = Span(
                traceID: TraceID(high: 9, low: UInt64(i + 1)), id: SpanID(UInt64(i + 1)), name: "service-\(i)",
                start: 1_795_000_000_000_000_000, end: 1_795_000_000_050_000_000)
            pipeline.ingest([span])
        }
        pipeline.finish()
        // 4,000 entries were asked for; what was kept is what fitted before the first fold (and the (other) ones).
        let graph = pipeline.analyzer.graph
        let kept = graph.nodes.count + graph.edges.count
        #expect(kept >= 2_000, "folding began at \(kept) entries")
        #expect(graph.foldedRequests > 0)
        #expect(graph.bytes <= graph.maxBytes ?? 0)
    }
}
