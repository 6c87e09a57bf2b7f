import ArgumentParser
import Foundation
import TraceAnalysis
import TraceModel
import TraceSynthetic
import TraceTUI

/// `render`: what the dashboard pays on a 300-service, 1,500-edge system (the synthetic system of `live`): one frame
/// at 200×60 against the reference of merely copying a cell buffer of the same size (the least any frame costs); the
/// model rebuild it does each second (the summary of every node and edge over the window, the trace list, the map's
/// layout) against its 100 ms target; and the layered layout alone against its 50 ms target.
struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Frame, model rebuild and layout time of the dashboard at 300 services.")

    @Flag(help: "Under a minute: fewer frames and rebuilds.")
    var quick = false

    func run() throws {
        let frames = quick ? 300 : 2000
        let rebuilds = quick ? 20 : 100
        let system = SyntheticSystem(services: 300, edges: 1500, seed: 42)
        var analyzer = TraceAnalyzer(quietPeriodSeconds: 1, windowed: true)
        analyzer.keepTraces(budgetBytes: 64 << 20)
        var random = SplitMix64(seed: 1)
        let start: Int64 = 1_795_000_000 * 1_000_000_000
        // Five minutes at 100 traces a second.
        for i in 0..<30_000 {
            let at = start + Int64(i) * 10_000_000
            analyzer.ingest(
                system.trace(TraceID(high: 1, low: UInt64(i + 1)), start: at, flavour: .xray, random: &random))
        }
        analyzer.finish()
        let now = analyzer.traces.lastEnd
        func rebuild() -> DashboardModel {
            DashboardModel.make(from: analyzer, source: "bench", window: .fiveMinutes, now: now, rejected: 0)
        }
        var model = rebuild()
        let state = AppState(width: 200, height: 60)

        var sink = 0
        var rebuildTimes: [Double] = []
        var layoutTimes: [Double] = []
        let nodes = model.mapNodes.map(\.node)
        let edges = model.mapEdges.map(\.edge)
        for _ in 0..<rebuilds {
            let (rebuilt, seconds) = Measure.time(rebuild)
            model = rebuilt
            rebuildTimes.append(seconds * 1000)
            let (layout, layoutSeconds) = Measure.time { LayeredLayout(nodes: nodes, edges: edges) }
            sink &+= layout.layers.count
            layoutTimes.append(layoutSeconds * 1000)
        }
        let (_, renderSeconds) = Measure.time { () -> Int in
            for _ in 0..<frames { sink &+= DashboardView.render(state, model, glyphs: .unicode).cells.count }
            return sink
        }
        let frame = DashboardView.render(state, model, glyphs: .unicode)
        let (_, copySeconds) = Measure.time { () -> Int in
            var copy = ScreenBuffer(width: 200, height: 60)
            for _ in 0..<frames {
                copy = ScreenBuffer(width: 200, height: 60)
                for y in 0..<60 { for x in 0..<200 { copy[x, y] = frame[x, y] } }
                sink &+= copy.cells.count
            }
            return sink
        }
        let ours = renderSeconds * 1000 / Double(frames)
        let reference = copySeconds * 1000 / Double(frames)
        rebuildTimes.sort()
        layoutTimes.sort()
        func summary(_ times: [Double]) -> String {
            "min \(Measure.format(times.first ?? 0, 1)) / median \(Measure.format(times[times.count / 2], 1)) / max "
                + "\(Measure.format(times.last ?? 0, 1)) ms"
        }
        print(
            "render benchmark: \(model.mapNodes.count) nodes, \(model.mapEdges.count) edges, \(frames) frames at "
                + "200×60, \(rebuilds) rebuilds (sink \(sink % 10))")
        print("dashboard frame        \(Measure.format(ours, 3)) ms")
        print("plain buffer copy      \(Measure.format(reference, 3)) ms")
        print("model rebuild          \(summary(rebuildTimes))")
        print("layered layout         \(summary(layoutTimes))")
        print(
            "RESULT render ours=\(Measure.format(ours, 3)) ms reference=\(Measure.format(reference, 3)) ms ratio=\(Measure.format(reference / ours, 2))"
        )
        let rebuildWorst = rebuildTimes.last ?? 0
        print(
            "RESULT render.rebuild ours=\(Measure.format(rebuildWorst, 1)) ms reference=100 ms ratio=\(Measure.format(100 / rebuildWorst, 2))"
        )
        let layoutWorst = layoutTimes.last ?? 0
        print(
            "RESULT render.layout ours=\(Measure.format(layoutWorst, 1)) ms reference=50 ms ratio=\(Measure.format(50 / layoutWorst, 2))"
        )
    }
}
