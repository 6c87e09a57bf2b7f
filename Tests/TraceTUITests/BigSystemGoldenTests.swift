import Testing
import TraceAnalysis
import TraceModel
import TraceSynthetic

@testable import TraceTUI

/// The dashboard on a 300-service, 1,500-edge system: the map opens on the worst service's neighbourhood, `/` finds
/// a service as it is typed and the map moves to it, `s` sorts the services list.
@Suite("Dashboard at 300 services")
struct BigSystemGoldenTests {
    static let system = SyntheticSystem(services: 300, edges: 1500, seed: 42)
    static let start: EpochNanos = 1_795_000_000 * 1_000_000_000

    static let analyzer: TraceAnalyzer = {
        var analyzer = TraceAnalyzer(quietPeriodSeconds: 1, windowed: true)
        analyzer.keepTraces(budgetBytes: 16 << 20)
        var random = SplitMix64(seed: 5)
        for i in 0..<12_000 {
            let at = start + Int64(i) * 10_000_000
            analyzer.ingest(
                system.trace(TraceID(high: 7, low: UInt64(i + 1)), start: at, flavour: .xray, random: &random))
        }
        analyzer.finish()
        return analyzer
    }()

    static func model(_ query: DashboardQuery = DashboardQuery(window: .all)) -> DashboardModel {
        DashboardModel.make(
            from: analyzer, source: "300 services", query: query, now: analyzer.traces.lastEnd, rejected: 0)
    }

    static func press(_ keys: [Key], _ state: inout AppState, _ model: inout DashboardModel) {
        for key in keys {
            let before = state.query
            state = update(state, with: .key(key), model: model)
            if state.query.forRebuild != before.forRebuild {
                model = Self.model(state.query)
            } else if state.query != before {
                model.arrange(by: state.query)
            }
        }
    }

    @Test func theWholeSystemIsKept() {
        let model = Self.model()
        #expect(model.services.count == 300)
        #expect(model.mapEdges.count >= 1500)
        #expect(analyzerFolded == 0)
    }

    var analyzerFolded: UInt64 { Self.analyzer.graph.foldedRequests }

    @Test(arguments: [(80, 24), (200, 60)])
    func theMapOpensOnTheWorstNeighbourhood(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        let model = Self.model()
        let worst = Self.system.services[Self.system.worst].name
        #expect(model.services.first?.node.name == worst)
        let screen = DashboardView.render(state, model, glyphs: .unicode)
        #expect(screen.text.contains("Service map · \(worst) ±"), "\(screen.text)")
        #expect(screen.text.contains("✖ \(worst)"))
        try DashboardGoldenTests.check("big-system-\(size.0)x\(size.1)", screen)
    }

    @Test(arguments: [(80, 24), (200, 60)])
    func slashFindsAServiceAndTheMapMovesToIt(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        var model = Self.model()
        // Typing narrows the list key by key: "ledger-2" matches ledger-2xx before the other ledgers.
        Self.press([.character("/")] + DashboardGoldenTests.type("ledger-2"), &state, &model)
        #expect(state.serviceSearchDraft == "ledger-2")
        #expect(model.services.allSatisfy { $0.node.name.contains("ledger-2") })
        #expect(model.services.count < 300 && !model.services.isEmpty)
        let typing = DashboardView.render(state, model, glyphs: .unicode)
        #expect(typing.text.contains("find service: ledger-2"))
        Self.press(DashboardGoldenTests.type("31") + [.enter], &state, &model)
        #expect(state.serviceSearch == "ledger-231" && state.serviceSearchDraft == nil)
        #expect(model.services.map(\.node.name) == ["ledger-231"])
        let found = DashboardView.render(state, model, glyphs: .unicode)
        #expect(found.text.contains("Service map · ledger-231 ±"), "\(found.text)")
        try DashboardGoldenTests.check("big-system-\(size.0)x\(size.1)-found", found)
        // Esc clears the search: the whole list again, the worst on top.
        Self.press([.escape], &state, &model)
        #expect(state.serviceSearch == nil && model.services.count == 300)
    }

    @Test func theServicesListSortsByEachFigure() {
        var state = AppState(width: 120, height: 40)
        state.window = .all
        var model = Self.model()
        Self.press([.character("s")], &state, &model)
        #expect(state.serviceOrder == .rps)
        let rates = model.services.map(\.figures.rps)
        #expect(rates == rates.sorted(by: >))
        Self.press([.character("s")], &state, &model)
        let failures = model.services.map { f in
            f.figures.requests == 0 ? 0 : Double(f.figures.requests - f.figures.ok) / Double(f.figures.requests)
        }
        #expect(failures == failures.sorted(by: >))
        #expect(model.services.first?.node.name == Self.system.services[Self.system.worst].name)
        Self.press([.character("s")], &state, &model)
        let p99 = model.services.map { $0.figures.p99 ?? -1 }
        #expect(p99 == p99.sorted(by: >))
        Self.press([.character("s")], &state, &model)
        #expect(model.services.map(\.node) == model.services.map(\.node).sorted())
        let screen = DashboardView.render(state, model, glyphs: .unicode)
        #expect(screen.text.contains("Services (300) · by name"))
        Self.press([.character("s")], &state, &model)
        #expect(state.serviceOrder == .worst)
        // In the traces list, `s` sorts the traces and leaves the services alone.
        Self.press([.tab, .character("s")], &state, &model)
        #expect(state.traceOrder == .slowest && state.serviceOrder == .worst)
    }

    @Test func callsOutOfViewAreSummarisedOnTheBoxes() {
        let model = Self.model()
        let worst = NodeKey(name: Self.system.services[Self.system.worst].name, type: nil)
        let cut = model.focused(around: worst, hops: 1)
        let callers = model.mapEdges.filter { $0.edge.to == worst }.count
        let callees = model.mapEdges.filter { $0.edge.from == worst }.count
        #expect(cut.mapNodes.count == 1 + Set(model.neighbours[worst] ?? []).count)
        // One hop away, every neighbour's other calls are out of view, and counted on its box.
        for node in cut.mapNodes.map(\.node) where node != worst {
            let all = model.mapEdges.filter { $0.edge.from == node || $0.edge.to == node }.count
            let shown = cut.mapEdges.filter { $0.edge.from == node || $0.edge.to == node }.count
            let hidden = cut.outOfView[node] ?? DashboardModel.OutOfView()
            #expect(hidden.callers + hidden.callees == all - shown, "\(node)")
        }
        #expect(cut.outOfView[worst] == nil)
        #expect(cut.mapEdges.count >= callers + callees)
        #expect(cut.nodesOutOfView == model.mapNodes.count - cut.mapNodes.count)
    }
}
