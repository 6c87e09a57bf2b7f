import ArgumentParser
import Foundation
import TraceAnalysis
import TraceModel
import TraceTUI

/// `render`: one dashboard frame — a 100-node service map with its services and traces panels at 200×60 — against
/// the reference of merely copying a cell buffer of the same size (the least any frame costs).
struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Frame time of the dashboard vs. a buffer copy.")

    @Flag(help: "Under a minute: fewer frames.")
    var quick = false

    func run() throws {
        let frames = quick ? 300 : 2000
        // A 100-node graph: a client, a gateway, and services calling each other in a tree, some faulting.
        var analyzer = TraceAnalyzer(windowed: true)
        analyzer.keepTraces(budgetBytes: 32 << 20)
        var spans: [Span] = []
        let trace = TraceID(high: 1, low: 1)
        let start: Int64 = 1_795_000_000 * 1_000_000_000
        for i in 0..<100 {
            spans.append(
                Span(
                    traceID: trace, id: SpanID(UInt64(1000 + i)),
                    parentID: i == 0 ? nil : SpanID(UInt64(1000 + (i - 1) / 3)),
                    name: "service-\(i)", origin: i % 10 == 0 ? "AWS::Lambda::Function" : nil, start: start,
                    end: start + Int64(1 + i) * 1_000_000, throttleFlag: i % 23 == 7, faultFlag: i % 17 == 5))
        }
        analyzer.ingest(spans)
        analyzer.finish()
        let model = DashboardModel.make(
            from: analyzer, source: "bench", window: .all, now: start + 1_000_000_000, rejected: 0)
        let state = AppState(width: 200, height: 60)

        var sink = 0
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
        print("render benchmark: \(frames) frames of a \(model.mapNodes.count)-node map with panels at 200×60")
        print("dashboard frame        \(Measure.format(ours, 3)) ms")
        print("plain buffer copy      \(Measure.format(reference, 3)) ms")
        print(
            "RESULT render ours=\(Measure.format(ours, 3)) ms reference=\(Measure.format(reference, 3)) ms ratio=\(Measure.format(reference / ours, 2))"
        )
    }
}
