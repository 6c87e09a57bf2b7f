import Foundation
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel

@testable import TraceTUI

/// The dashboard rendered to text at fixed sizes and compared with reviewed golden files.
///
/// Regenerate after an intended change with
/// `TRACESCOPE_UPDATE_GOLDENS=1 swift test --filter TraceTUITests`, then review the diff of `Tests/TraceTUITests/Goldens`.
@Suite("Dashboard goldens")
struct DashboardGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let goldens = root.appendingPathComponent("Goldens")

    /// The checkout sample, replayed: the model as of the last span.
    static let checkout: TraceAnalyzer = {
        let text =
            (try? String(
                contentsOf: root.appendingPathComponent("../../sample-traces/checkout-xray.jsonl"), encoding: .utf8))
            ?? ""
        return analyze(text)
    }()

    static func analyze(_ text: String) -> TraceAnalyzer {
        var analyzer = TraceAnalyzer(windowed: true)
        analyzer.keepTraces(budgetBytes: 64 << 20)
        var decoder = TraceStreamDecoder(source: "test")
        Array(text.utf8).withUnsafeBytes { decoder.push($0) { analyzer.ingest($0) } }
        decoder.finish { analyzer.ingest($0) }
        analyzer.finish()
        return analyzer
    }

    static func model(_ analyzer: TraceAnalyzer, window: TimeWindow = .all) -> DashboardModel {
        DashboardModel.make(
            from: analyzer, source: "checkout-xray.jsonl", window: window, now: analyzer.traces.lastEnd, rejected: 0)
    }

    static func check(_ name: String, _ buffer: ScreenBuffer) throws {
        let url = goldens.appendingPathComponent(name + ".txt")
        let actual = buffer.text + "\n"
        if ProcessInfo.processInfo.environment["TRACESCOPE_UPDATE_GOLDENS"] != nil {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(
            actual == expected,
            "\(name) differs from its golden; regenerate with TRACESCOPE_UPDATE_GOLDENS=1 and review")
    }

    /// The colour layer: one letter per cell for its style role (see `roleLetters`), `*` for selected cells.
    static func checkStyles(_ name: String, _ buffer: ScreenBuffer) throws {
        var lines: [String] = []
        for y in 0..<buffer.height {
            lines.append(
                String(
                    (0..<buffer.width).map { x -> Character in
                        let style = buffer[x, y].style
                        return style.selected ? "*" : roleLetters[style.role] ?? "?"
                    }))
        }
        var styled = ScreenBuffer(width: buffer.width, height: buffer.height)
        for (y, line) in lines.enumerated() { styled.write(line, x: 0, y: y) }
        try check(name + "-styles", styled)
    }

    static let roleLetters: [StyleRole: Character] = [
        .plain: " ", .dim: ".", .title: "T", .border: "b", .header: "H", .ok: "o", .error: "E", .throttle: "P",
        .fault: "F",
        .inferred: "i", .client: "c", .keyHint: "k", .barDwell: "d", .barInit: "I", .barHandler: "h", .barOverhead: "v",
        .barSpan: "s",
    ]

    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func servicesAndTraces(size: (Int, Int)) throws {
        let state = AppState(width: size.0, height: size.1)
        try Self.check(
            "checkout-\(size.0)x\(size.1)", DashboardView.render(state, Self.model(Self.checkout), glyphs: .unicode))
        if size.0 == 120 {
            try Self.checkStyles(
                "checkout-120x40", DashboardView.render(state, Self.model(Self.checkout), glyphs: .unicode))
        }
        try Self.check(
            "checkout-\(size.0)x\(size.1)-ascii", DashboardView.render(state, Self.model(Self.checkout), glyphs: .ascii)
        )
    }

    /// Feeds keys through `update`, rebuilding the model whenever the query changes, as the app does.
    static func press(
        _ keys: [Key], _ state: inout AppState, _ model: inout DashboardModel, analyzer: TraceAnalyzer = checkout
    ) {
        for key in keys {
            let before = state.query
            state = update(state, with: .key(key), model: model)
            if state.query != before {
                model = DashboardModel.make(
                    from: analyzer, source: "checkout-xray.jsonl", query: state.query,
                    now: analyzer.traces.lastEnd, rejected: 0)
            }
        }
    }

    static func type(_ text: String) -> [Key] { text.map { Key.character($0) } }

    @Test func helpAndNavigation() throws {
        var state = AppState(width: 120, height: 40)
        state.window = .all
        var model = Self.model(Self.checkout)
        Self.press([.tab, .character("j"), .character("j"), .character("f")], &state, &model)
        #expect(state.pane == .traces)
        #expect(state.selectedTrace == 2)
        #expect(state.frozen)
        try Self.check("checkout-120x40-traces-selected", DashboardView.render(state, model, glyphs: .unicode))
        Self.press([.character("?")], &state, &model)
        try Self.check("help-120x40", DashboardView.render(state, model, glyphs: .unicode))
        Self.press([.escape], &state, &model)
        #expect(!state.showHelp)
        Self.press([.character("q")], &state, &model)
        #expect(state.quit)
    }

    /// Slowest first, open the top trace (a cold start), see its phases; collapse; back.
    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func openATraceTimeline(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        var model = Self.model(Self.checkout)
        Self.press([.tab, .character("s"), .enter], &state, &model)
        guard case .trace(let id) = state.screen else {
            Issue.record("Enter did not open the trace")
            return
        }
        let timeline = try #require(model.timeline)
        #expect(timeline.traceID == id)
        #expect(timeline.rows.contains { $0.phase == .initialization })
        #expect(timeline.rows.contains { $0.phase == .invocation })
        #expect(timeline.rows.filter(\.onCriticalPath).count >= 3)
        let buffer = DashboardView.render(state, model, glyphs: .unicode)
        #expect(buffer.text.contains("Initialization"))
        try Self.check("timeline-\(size.0)x\(size.1)", buffer)
        if size.0 == 80 {
            // The details do not fit: Tab gives them the keys, G scrolls to their end, Esc gives the keys back.
            Self.press([.tab, .character("G")], &state, &model)
            #expect(state.detailsFocused && state.detailsScroll > 0)
            try Self.check("timeline-80x24-details-scrolled", DashboardView.render(state, model, glyphs: .unicode))
            Self.press([.escape], &state, &model)
            #expect(!state.detailsFocused)
            #expect(state.screen == .trace(id))
        }
        if size.0 == 120 {
            try Self.check("timeline-120x40-ascii", DashboardView.render(state, model, glyphs: .ascii))
            try Self.checkStyles("timeline-120x40", DashboardView.render(state, model, glyphs: .unicode))
            // Collapse the root: one row, and the worst class inside still marks it.
            Self.press([.enter], &state, &model)
            #expect(model.timeline?.visibleRows(collapsed: state.collapsed).count == 1)
            let collapsed = DashboardView.render(state, model, glyphs: .unicode)
            try Self.check("timeline-120x40-collapsed", collapsed)
            Self.press([.character("l"), .character("j"), .character("j"), .character("j")], &state, &model)
            #expect(state.timelineRow == 3)
            Self.press([.escape], &state, &model)
            #expect(state.screen == .dashboard)
            #expect(model.timeline == nil)
        }
    }

    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func aServicePanel(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        var model = Self.model(Self.checkout)
        // The second service in the list is the checkout function (worst first).
        Self.press([.character("j"), .enter], &state, &model)
        let detail = try #require(model.nodeDetail)
        let checkoutFunction = NodeKey(name: "checkout", type: "AWS::Lambda::Function")
        #expect(detail.subject == .node(checkoutFunction))
        #expect(detail.function?.coldStarts ?? 0 > 0)
        #expect(!detail.incoming.isEmpty && !detail.outgoing.isEmpty)
        let buffer = DashboardView.render(state, model, glyphs: .unicode)
        try Self.check("service-panel-\(size.0)x\(size.1)", buffer)
        if size.0 == 120 {
            try Self.checkStyles("service-panel-120x40", buffer)
            try Self.check("service-panel-120x40-ascii", DashboardView.render(state, model, glyphs: .ascii))
            // Tab selects the second call (the callers come first), Enter opens that edge's panel, Esc comes back.
            Self.press([.tab, .tab], &state, &model)
            #expect(state.panelCall == 1)
            try Self.check("service-panel-120x40-call-selected", DashboardView.render(state, model, glyphs: .unicode))
            let call =
                detail.incoming.count > 1 ? detail.incoming[1].edge : detail.outgoing[1 - detail.incoming.count].edge
            Self.press([.enter], &state, &model)
            #expect(state.screen == .edge(call, from: checkoutFunction))
            #expect(model.nodeDetail?.subject == .edge(call))
            #expect(model.nodeDetail?.figures.requests ?? 0 > 0)
            try Self.check("edge-panel-120x40", DashboardView.render(state, model, glyphs: .unicode))
            Self.press([.escape], &state, &model)
            #expect(state.screen == .node(checkoutFunction))
            Self.press([.character("j")], &state, &model)
            #expect(model.nodeDetail?.subject == .node(model.services[2].node))
            Self.press([.escape], &state, &model)
            #expect(state.screen == .dashboard && state.selectedService == 2)
        }
    }

    /// Help and an edge's panel at every size (the other views are covered by the tests above at all three).
    @Test(arguments: [(80, 24), (200, 60)])
    func helpAndEdgePanelAtOtherSizes(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        var model = Self.model(Self.checkout)
        Self.press([.character("?")], &state, &model)
        try Self.check("help-\(size.0)x\(size.1)", DashboardView.render(state, model, glyphs: .unicode))
        if size.0 == 80 {
            // It does not fit: j scrolls, and stops at the end.
            Self.press(Array(repeating: .character("j"), count: 100), &state, &model)
            #expect(state.helpScroll == DashboardView.helpScrollLimit(width: 80, height: 24))
            #expect(state.helpScroll > 0)
            try Self.check("help-80x24-scrolled", DashboardView.render(state, model, glyphs: .unicode))
        }
        Self.press([.escape, .character("j"), .enter, .tab, .enter], &state, &model)
        guard case .edge = state.screen else {
            Issue.record("no edge panel opened")
            return
        }
        try Self.check("edge-panel-\(size.0)x\(size.1)", DashboardView.render(state, model, glyphs: .unicode))
        try Self.check("edge-panel-\(size.0)x\(size.1)-ascii", DashboardView.render(state, model, glyphs: .ascii))
    }

    @Test func filterTheTraces() throws {
        var state = AppState(width: 120, height: 40)
        state.window = .all
        var model = Self.model(Self.checkout)
        // `/` filters the traces when their list has the keys (in the services list it finds a service).
        Self.press([.tab, .character("/")] + Self.type("responsetime > 0.6 AND servce"), &state, &model)
        Self.press([.enter], &state, &model)
        #expect(state.filterError != nil)
        try Self.check("filter-error-120x40", DashboardView.render(state, model, glyphs: .unicode))
        Self.press(Array(repeating: .backspace, count: 6) + Self.type("!throttle") + [.enter], &state, &model)
        #expect(state.filterError == nil && state.filterDraft == nil)
        #expect(state.filter?.text == "responsetime > 0.6 AND !throttle")
        #expect(model.tracesMatched > 0 && model.tracesMatched < model.tracesInMemory)
        try Self.check("filter-120x40", DashboardView.render(state, model, glyphs: .unicode))
        // Every match is a cold start, so every opened trace shows an Initialization bar.
        Self.press([.enter], &state, &model)
        #expect(model.timeline?.rows.contains { $0.phase == .initialization } == true)
        Self.press([.escape, .escape], &state, &model)
        #expect(state.filter == nil)
        #expect(model.tracesMatched == model.tracesInMemory)
    }

    @Test func focusAndPanTheMap() throws {
        var state = AppState(width: 120, height: 40)
        state.window = .all
        var model = Self.model(Self.checkout)
        // Select DynamoDB (worst first: after the faulting services) and focus: the client is three hops away and
        // leaves the map.
        let dynamo = try #require(model.services.firstIndex { $0.node.name == "DynamoDB" })
        Self.press(Array(repeating: .character("j"), count: dynamo) + [.character("z")], &state, &model)
        let focused = DashboardView.render(state, model, glyphs: .unicode)
        #expect(focused.text.contains("DynamoDB ±2 hops"))
        try Self.check("map-focus-120x40", focused)
        // Left from DynamoDB is the checkout function; right again is back in DynamoDB's layer.
        Self.press([.character("h")], &state, &model)
        #expect(model.services[state.selectedService].node == NodeKey(name: "checkout", type: "AWS::Lambda::Function"))
        Self.press([.character("l")], &state, &model)
        #expect(model.layout.positions[model.services[state.selectedService].node]?.layer == 4)
        Self.press([.character("z"), .character("]"), .character("]")], &state, &model)
        try Self.check("map-panned-120x40", DashboardView.render(state, model, glyphs: .unicode))
    }

    @Test func emptyAndTooSmall() throws {
        let empty = DashboardModel(source: "live on udp 127.0.0.1:2000", window: .fiveMinutes, now: 0)
        try Self.check("empty-80x24", DashboardView.render(AppState(width: 80, height: 24), empty, glyphs: .unicode))
        try Self.check(
            "too-small-40x10", DashboardView.render(AppState(width: 40, height: 10), empty, glyphs: .unicode))
    }

    @Test func hostileNamesAreInertAndWideNamesAlign() throws {
        let doc = { (name: String, id: Int, fault: Bool) in
            #"{"name":"\#(name)","id":"\#(String(format: "%016x", id))","trace_id":"1-5759e988-bd862e3fe1be46a9942727\#(String(format: "%02x", id))","start_time":1700000000,"end_time":1700000000.2\#(fault ? #","fault":true"# : "")}"#
        }
        let text = [
            doc(#"evil\u001b]0;pwned\u0007\u001b[2J"#, 1, true), doc("注文サービス🚀", 2, false), doc("plain", 3, false),
        ]
        .joined(separator: "\n")
        let buffer = DashboardView.render(
            AppState(width: 100, height: 20), Self.model(Self.analyze(text)), glyphs: .unicode)
        #expect(!buffer.text.contains("\u{1B}"))
        #expect(!buffer.text.contains("\u{07}"))
        #expect(buffer.text.contains("evil\\e]0;pwned\\x07\\e[2J"))
        try Self.check("hostile-names-100x20", buffer)
        // A wide character always has its continuation cell beside it: never split at an edge.
        #expect(buffer.text.contains("注文サービス"))
        for y in 0..<buffer.height {
            for x in 0..<buffer.width where DisplayWidth.of(buffer[x, y].text) == 2 {
                #expect(x + 1 < buffer.width && buffer[x + 1, y].text.isEmpty)
            }
        }
    }
}

@Suite("Layered layout")
struct LayeredLayoutTests {
    static func node(_ name: String) -> NodeKey { NodeKey(name: name, type: nil) }

    @Test func layersFollowTheLongestPathFromTheClient() {
        let (a, b, c, d) = (Self.node("a"), Self.node("b"), Self.node("c"), Self.node("d"))
        let layout = LayeredLayout(
            nodes: [d, c, b, a, .client],
            edges: [
                EdgeKey(from: .client, to: a), EdgeKey(from: a, to: b), EdgeKey(from: b, to: c),
                EdgeKey(from: a, to: c), EdgeKey(from: a, to: d),
            ])
        #expect(layout.layers.count == 4)
        #expect(layout.layers[0] == [.client])
        #expect(layout.layers[1] == [a])
        #expect(Set(layout.layers[2]) == [b, d])
        #expect(layout.layers[3] == [c])
    }

    @Test func cyclesAreBrokenAndTheLayoutIsStable() {
        let (a, b, c) = (Self.node("a"), Self.node("b"), Self.node("c"))
        let edges = [
            EdgeKey(from: .client, to: a), EdgeKey(from: a, to: b), EdgeKey(from: b, to: c), EdgeKey(from: c, to: a),
        ]
        let first = LayeredLayout(nodes: [a, b, c, .client], edges: edges)
        #expect(first.backEdges == [EdgeKey(from: c, to: a)])
        #expect(first.layers.map(\.count) == [1, 1, 1, 1])
        // The same graph in another order lays out the same way: no jumping between frames.
        #expect(LayeredLayout(nodes: [c, .client, b, a], edges: edges.reversed()) == first)
    }

    @Test func aLongChainOfServicesNeedsNoDeepStack() {
        let chain = (0..<5_000).map { Self.node("svc-\($0)") }
        let edges =
            [EdgeKey(from: .client, to: chain[0])] + zip(chain, chain.dropFirst()).map { EdgeKey(from: $0, to: $1) }
            + [EdgeKey(from: chain[4_999], to: chain[0])]
        let layout = LayeredLayout(nodes: chain + [.client], edges: edges)
        #expect(layout.layers.count == 5_001)
        #expect(layout.backEdges == [EdgeKey(from: chain[4_999], to: chain[0])])
    }

    @Test func sixtyNodesFitAndTheMapRenders() throws {
        var docs: [String] = []
        for i in 0..<60 {
            let parent = i == 0 ? "" : #","parent_id":"\#(String(format: "%016x", 1000 + (i - 1) / 3))""#
            docs.append(
                #"{"name":"svc-\#(i)","id":"\#(String(format: "%016x", 1000 + i))","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1700000000,"end_time":1700000000.1\#(parent)\#(i % 7 == 3 ? #","fault":true"# : "")}"#
            )
        }
        let analyzer = DashboardGoldenTests.analyze(docs.joined(separator: "\n"))
        let model = DashboardGoldenTests.model(analyzer)
        #expect(model.layout.layers.flatMap { $0 }.count == 61)
        let buffer = DashboardView.render(AppState(width: 200, height: 60), model, glyphs: .unicode)
        #expect(buffer.text.contains("Service map"))
        try DashboardGoldenTests.check("sixty-nodes-200x60", buffer)
    }

    /// A map much taller than its area opens on the worst service's neighbourhood; shown whole (`z`), it says on its
    /// borders how many nodes it hides, naming the worst — the faulting service must not be out of sight
    /// unannounced — and scrolls to a node selected in the services list.
    @Test func nodesOutOfViewAreAnnouncedOnTheMapBorders() throws {
        var docs: [String] = [
            #"{"name":"gateway","id":"00000000000003e8","trace_id":"1-5759e988-bd862e3fe1be46a994272793","start_time":1700000000,"end_time":1700000000.1}"#
        ]
        for i in 1...10 {
            let name = i == 10 ? "zz-payments" : "svc-\(i)"
            docs.append(
                #"{"name":"\#(name)","id":"\#(String(format: "%016x", 1000 + i))","trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"00000000000003e8","start_time":1700000000,"end_time":1700000000.1\#(i == 10 ? #","fault":true"# : "")}"#
            )
        }
        let model = DashboardGoldenTests.model(DashboardGoldenTests.analyze(docs.joined(separator: "\n")))
        var state = AppState(width: 100, height: 30)
        let opened = DashboardView.render(state, model, glyphs: .unicode).text
        #expect(opened.contains("Service map · zz-payments ±1 hop · 10 nodes, 10 edges beyond"), "\(opened)")
        #expect(opened.contains("│✖ zz-payments"))
        state.mapFocus = true // `z`: the whole map
        let lines = DashboardView.render(state, model, glyphs: .unicode).text.split(
            separator: "\n", omittingEmptySubsequences: false)
        let mapBottom = try #require(lines.firstIndex { $0.hasPrefix("└") })
        #expect(lines[mapBottom].contains("▼ 7 more: ✖ zz-payments"), "\(lines[mapBottom])")
        #expect(!lines[0...mapBottom].contains { $0.contains("│✖ zz-payments") })

        // Selecting a service lower down scrolls the map to it; what is now hidden above (the client and the gateway
        // in their columns too) is announced on top, and the faulting service still below keeps its notice.
        state.selectedService = try #require(model.services.firstIndex { $0.node.name == "svc-9" })
        let scrolled = DashboardView.render(state, model, glyphs: .unicode).text.split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(scrolled[1...mapBottom].contains { $0.contains("│svc-9") })
        #expect(scrolled[1].contains("▲ 9 more "), "\(scrolled[1])")
        #expect(scrolled[mapBottom].contains("▼ 1 more: ✖ zz-payments"), "\(scrolled[mapBottom])")
    }
}

@Suite("Trace timeline model")
struct TraceTimelineTests {
    static let ms: Int64 = 1_000_000

    static func span(_ id: UInt64, parent: UInt64?, _ name: String, _ start: Int64, _ end: Int64) -> Span {
        Span(
            traceID: TraceID(high: 1, low: 1), id: SpanID(id), parentID: parent.map { SpanID($0) }, name: name,
            isSegment: parent == nil, start: start * ms, end: end * ms)
    }

    @Test func theCriticalPathFollowsWhatTheParentWaitedOn() {
        let trace = AssembledTrace(
            traceID: TraceID(high: 1, low: 1),
            spans: [
                Self.span(1, parent: nil, "root", 0, 100),
                Self.span(2, parent: 1, "first", 0, 40),
                Self.span(3, parent: 1, "overlapping", 10, 30),
                Self.span(4, parent: 1, "second", 40, 100),
                Self.span(5, parent: 4, "inside", 50, 100),
                Self.span(6, parent: 1, "leaf tie", 60, 100),
            ])
        let timeline = TraceTimeline(trace)
        let critical = Set(timeline.rows.filter(\.onCriticalPath).map { timeline.spans[$0.span].name })
        // "second" and "leaf tie" both end last: the one with children wins, so the path can go inside it.
        #expect(critical == ["root", "second", "inside", "first"])
        #expect(
            timeline.rows.map { timeline.spans[$0.span].name } == [
                "root", "first", "overlapping", "second", "inside", "leaf tie",
            ])
        #expect(timeline.rows.map(\.depth) == [0, 1, 1, 1, 2, 1])
        #expect(timeline.rows[0].descendants == 5)
        #expect(timeline.visibleRows(collapsed: [SpanID(4)]).count == 5)
        #expect(timeline.visibleRows(collapsed: [SpanID(1)]).count == 1)
    }

    @Test func aVeryDeepChainNeedsNoDeepStack() {
        let depth = 20_000
        let spans = (1...depth).map { n in
            Self.span(UInt64(n), parent: n == 1 ? nil : UInt64(n - 1), "level \(n)", Int64(n), Int64(2 * depth - n))
        }
        let timeline = TraceTimeline(AssembledTrace(traceID: TraceID(high: 1, low: 1), spans: spans))
        #expect(timeline.rows.count == depth)
        #expect(timeline.rows.filter(\.onCriticalPath).count == depth)
        #expect(timeline.rows[0].descendants == depth - 1)
    }

    @Test func aParentCycleIsShownNotLoopedOver() {
        let trace = AssembledTrace(
            traceID: TraceID(high: 1, low: 1),
            spans: [
                Self.span(1, parent: 2, "a", 0, 10),
                Self.span(2, parent: 1, "b", 0, 10),
            ])
        let timeline = TraceTimeline(trace)
        #expect(timeline.rows.count == 2)
    }
}

@Suite("Filter cache")
struct FilterCacheTests {
    @Test func theCacheAgreesWithAFreshEvaluation() throws {
        let analyzer = DashboardGoldenTests.checkout
        let cache = TraceFilterCache()
        func make(_ text: String, cache: TraceFilterCache?) throws -> DashboardModel {
            DashboardModel.make(
                from: analyzer, source: "checkout", query: DashboardQuery(window: .all, filter: try TraceFilter(text)),
                now: analyzer.traces.lastEnd, rejected: 0, filterCache: cache)
        }
        for text in ["responsetime > 0.6 AND !throttle", "fault", "responsetime > 0.6 AND !throttle"] {
            let fresh = try make(text, cache: nil)
            let first = try make(text, cache: cache)
            let second = try make(text, cache: cache)
            #expect(fresh.tracesMatched > 0)
            #expect(
                first.tracesMatched == fresh.tracesMatched && second.tracesMatched == fresh.tracesMatched, "\(text)")
            #expect(second.recentTraces.map(\.traceID) == fresh.recentTraces.map(\.traceID), "\(text)")
        }
    }
}

@Suite("Selection across refreshes")
struct SelectionTests {
    @Test func theSelectionStaysOnTheSameServiceAndTrace() {
        let old = DashboardGoldenTests.model(DashboardGoldenTests.checkout)
        var state = AppState(width: 120, height: 40)
        state.selectedService = 2
        state.selectedTrace = 5
        // The refreshed lists in another order: services reversed, two new traces on top.
        var new = old
        new.services.reverse()
        let newcomer = DashboardModel.TraceRow(
            traceID: TraceID(high: 9, low: 9), start: 0, root: "new", durationNanos: 1,
            statusClass: .ok, request: "")
        new.recentTraces.insert(contentsOf: [newcomer, newcomer], at: 0)
        let kept = keepSelection(state, from: old, to: new)
        #expect(new.services[kept.selectedService].node == old.services[2].node)
        #expect(new.recentTraces[kept.selectedTrace].traceID == old.recentTraces[5].traceID)
        // Gone from the list: the index stays, clamped to the new list.
        var shorter = old
        shorter.recentTraces = Array(old.recentTraces.prefix(3))
        #expect(keepSelection(state, from: old, to: shorter).selectedTrace == 2)
        // On the top rows nothing was chosen yet: the selection stays on top, with whatever is worst and newest now.
        let untouched = keepSelection(AppState(width: 120, height: 40), from: old, to: new)
        #expect(untouched.selectedService == 0 && untouched.selectedTrace == 0)
    }
}
