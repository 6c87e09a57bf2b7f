import Foundation
import Testing
import TraceAnalysis
import TraceModel

@testable import TraceTUI

/// Two traces side by side, the search inside a trace, and the mouse — all through `update`, drawn into a buffer.
/// `TRACESCOPE_UPDATE_GOLDENS=1 swift test --filter TraceTUITests` rewrites the goldens; review their diff.
@Suite("Comparing traces, searching a trace, the mouse")
struct CompareAndSearchTests {
    typealias G = DashboardGoldenTests

    static func span(
        _ id: UInt64, parent: UInt64?, _ name: String, _ start: Int64, _ end: Int64, trace: UInt64,
        fault: Bool = false
    ) -> Span {
        let base: EpochNanos = 1_790_000_000_000_000_000
        return Span(
            traceID: TraceID(high: 9, low: trace), id: SpanID(trace << 16 | id),
            parentID: parent.map { SpanID(trace << 16 | $0) },
            name: name, kind: parent == nil ? .server : .client, isSegment: parent == nil,
            namespace: parent == nil ? nil : "remote", segmentID: parent == nil ? nil : SpanID(trace << 16 | 1),
            start: base + start * 1_000_000, end: base + end * 1_000_000, faultFlag: fault)
    }

    /// api → db, then payments; the second trace's payments is 60 ms slower and it calls `audit`, not `cache`.
    static let pair: (AssembledTrace, AssembledTrace) = {
        let a = AssembledTrace(
            traceID: TraceID(high: 9, low: 1),
            spans: [
                span(1, parent: nil, "api", 0, 100, trace: 1), span(2, parent: 1, "db", 5, 25, trace: 1),
                span(3, parent: 1, "payments", 30, 90, trace: 1), span(4, parent: 1, "cache", 91, 95, trace: 1),
            ])
        let b = AssembledTrace(
            traceID: TraceID(high: 9, low: 2),
            spans: [
                span(1, parent: nil, "api", 0, 160, trace: 2), span(2, parent: 1, "db", 5, 24, trace: 2),
                span(3, parent: 1, "payments", 30, 150, trace: 2, fault: true),
                span(5, parent: 1, "audit", 151, 155, trace: 2),
            ])
        return (a, b)
    }()

    @Test func spansAlignByOperationPath() throws {
        let alignment = TraceAlignment(base: Self.pair.0, current: Self.pair.1)
        #expect(alignment.rows.map(\.step) == ["api", "db", "payments", "cache", "audit"])
        #expect(alignment.rows.map(\.depth) == [0, 1, 1, 1, 1])
        let payments = try #require(alignment.rows.first { $0.step == "payments" })
        #expect(payments.durationDelta == 60_000_000)
        #expect(payments.current?.statusClass == .fault)
        #expect(payments.current?.onCriticalPath == true)
        let api = try #require(alignment.rows.first)
        // The root's self time: 100 − 20 − 60 − 4 = 16 ms against 160 − 19 − 120 − 4 = 17 ms.
        #expect(api.base?.selfNanos == 16_000_000)
        #expect(api.current?.selfNanos == 17_000_000)
        #expect(alignment.added == 1 && alignment.removed == 1)
        #expect(alignment.rows.first { $0.step == "cache" }?.current == nil)
        #expect(alignment.rows.first { $0.step == "audit" }?.base == nil)
        #expect(alignment.largestSelfChange?.step == "payments")
        #expect(alignment.durationDelta == 60_000_000)
    }

    @Test func theTypicalTraceIsTheMedianOfItsOperation() {
        var traces: [AssembledTrace] = []
        for n in 0..<5 {
            let end = Int64(10 * (n + 1))
            let root = Self.span(1, parent: nil, "api", 0, end, trace: UInt64(100 + n))
            traces.append(AssembledTrace(traceID: root.traceID, spans: [root]))
        }
        let otherRoot = Self.span(1, parent: nil, "other", 0, 25, trace: 199)
        let other = AssembledTrace(traceID: otherRoot.traceID, spans: [otherRoot])
        let typical = TypicalTrace.choose(like: traces[4], among: traces + [other])
        // Of the four other `api` traces (10, 20, 30, 40 ms), the lower median.
        #expect(typical?.durationNanos == 20_000_000)
        #expect(TypicalTrace.choose(like: other, among: traces + [other]) == nil)
    }

    /// Mark the slowest trace, open the next: the two side by side.
    @Test(arguments: [(80, 24), (120, 40)])
    func twoTracesSideBySide(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        var model = G.model(G.checkout)
        G.press([.tab, .character("s"), .character("c")], &state, &model)
        let marked = try #require(state.markedTrace)
        #expect(marked == model.recentTraces[0].traceID)
        G.press([.character("j"), .enter], &state, &model)
        guard case .compare(let current, .trace(let base)) = state.screen else {
            Issue.record("Enter on another trace did not compare: \(state.screen)")
            return
        }
        #expect(base == marked && current != marked)
        let comparison = try #require(model.comparison)
        #expect(comparison.base.traceID == marked)
        #expect(comparison.rows.contains { $0.base != nil && $0.current != nil })
        let buffer = DashboardView.render(state, model, glyphs: .unicode)
        #expect(buffer.text.contains("Compare"))
        try G.check("compare-\(size.0)x\(size.1)", buffer)
        // Moving down the rows, then Esc back to the current trace's timeline, then the dashboard.
        G.press([.character("j"), .character("j")], &state, &model)
        #expect(state.compareRow == 2)
        G.press([.escape], &state, &model)
        #expect(state.screen == .trace(current))
        G.press([.escape], &state, &model)
        #expect(state.screen == .dashboard)
        #expect(state.markedTrace == marked)
        // `c` on the marked trace unmarks it.
        G.press([.character("g"), .character("c")], &state, &model)
        #expect(state.markedTrace == nil)
    }

    @Test func compareWithTheTypicalTrace() throws {
        var state = AppState(width: 120, height: 40)
        state.window = .all
        var model = G.model(G.checkout)
        G.press([.tab, .character("s"), .enter, .character("t")], &state, &model)
        guard case .compare(let current, .typical) = state.screen else {
            Issue.record("t did not compare with the typical trace: \(state.screen)")
            return
        }
        let comparison = try #require(model.comparison)
        #expect(comparison.current.traceID == current)
        #expect(comparison.base.traceID != current)
        #expect(comparison.durationDelta > 0, "the slowest trace is slower than the typical one")
        try G.check("compare-typical-120x40", DashboardView.render(state, model, glyphs: .unicode))
    }

    /// `/` in the timeline: a match inside a collapsed span is revealed and selected; n steps on, N back.
    @Test(arguments: [(80, 24), (120, 40)])
    func searchInsideATrace(size: (Int, Int)) throws {
        var state = AppState(width: size.0, height: size.1)
        state.window = .all
        var model = G.model(G.checkout)
        G.press([.tab, .character("s"), .enter, .enter], &state, &model)
        let timeline = try #require(model.timeline)
        #expect(timeline.visibleRows(collapsed: state.collapsed).count == 1, "the root is collapsed")
        G.press([.character("/")] + G.type("dynamodb") + [.enter], &state, &model)
        #expect(state.timelineSearch == "dynamodb")
        let rows = timeline.visibleRows(collapsed: state.collapsed)
        #expect(rows.count > 1, "the match was revealed")
        let selected = timeline.spans[rows[state.timelineRow].span]
        #expect(selected.name.lowercased().contains("dynamodb"))
        let buffer = DashboardView.render(state, model, glyphs: .unicode)
        #expect(buffer.text.contains("/dynamodb: match 1 of"))
        try G.check("timeline-search-\(size.0)x\(size.1)", buffer)

        // A status and an error class are searchable too; n moves on and wraps, N goes back.
        G.press(
            [.character("/"), .backspace] + Array(repeating: .backspace, count: 8) + G.type("200") + [.enter], &state,
            &model)
        let first = state.timelineRow
        G.press([.character("n")], &state, &model)
        #expect(state.timelineRow != first)
        G.press([.character("N")], &state, &model)
        #expect(state.timelineRow == first)
        G.press(
            [.character("/")] + Array(repeating: .backspace, count: 3) + G.type("no-such-span") + [.enter], &state,
            &model)
        #expect(DashboardView.render(state, model, glyphs: .unicode).text.contains("no match"))
        // Esc clears the search, a second Esc goes back.
        G.press([.escape], &state, &model)
        #expect(state.timelineSearch == nil)
        #expect(state.screen != .dashboard)
        G.press([.escape], &state, &model)
        #expect(state.screen == .dashboard)
    }

    @Test func theSearchMatchesStatusClassesAndAnnotations() throws {
        let model = G.model(G.checkout)
        _ = model
        let store = try #require(G.checkout.store)
        let faulted = try #require(store.traces.first { $0.statusClass == .fault })
        let timeline = TraceTimeline(faulted)
        #expect(!TimelineSearch.matches("fault", in: timeline).isEmpty)
        #expect(!TimelineSearch.matches("PaymentsUnavailable", in: timeline).isEmpty)
        #expect(!TimelineSearch.matches("503", in: timeline).isEmpty)
        #expect(!TimelineSearch.matches("cold_start=", in: timeline).isEmpty)
        #expect(TimelineSearch.matches("", in: timeline).isEmpty)
    }

    /// Mouse events go through `update` like keys: what is under the pointer is what the frame drew there.
    @Test func theMouseSelectsOpensAndScrolls() throws {
        var state = AppState(width: 120, height: 40)
        state.window = .all
        var model = G.model(G.checkout)
        func send(_ action: MouseEvent.Action, at target: HitTarget) {
            let frame = DashboardView.render(state, model, glyphs: .unicode)
            guard let place = frame.targets.first(where: { $0.hit == target }) else {
                Issue.record("nothing on screen stands for \(target)")
                return
            }
            let before = state.query
            state = update(
                state, with: .mouse(MouseEvent(action, x: place.rect.x + 2, y: place.rect.y)), model: model)
            if state.query != before {
                model = DashboardModel.make(
                    from: G.checkout, source: "checkout-xray.jsonl", query: state.query,
                    now: G.checkout.traces.lastEnd, rejected: 0)
            }
        }
        send(.click, at: .trace(2))
        #expect(state.pane == .traces && state.selectedTrace == 2)
        send(.click, at: .service(1))
        #expect(state.pane == .services && state.selectedService == 1)
        let node = model.services[3].node
        send(.click, at: .mapNode(node))
        #expect(state.selectedService == 3)
        // The wheel scrolls the list under the pointer, three rows a notch.
        send(.wheelDown, at: .trace(0))
        #expect(state.pane == .traces && state.selectedTrace == 5)
        send(.wheelUp, at: .trace(1))
        #expect(state.selectedTrace == 2)
        // A click outside anything changes nothing.
        let still = state
        state = update(state, with: .mouse(MouseEvent(.click, x: 0, y: 0)), model: model)
        #expect(state == still)
        // A double-click opens the trace; in the timeline a click selects a span, a double-click folds it.
        send(.doubleClick, at: .trace(1))
        guard case .trace = state.screen else {
            Issue.record("a double-click did not open the trace")
            return
        }
        send(.click, at: .timelineRow(2))
        #expect(state.timelineRow == 2)
        send(.doubleClick, at: .timelineRow(0))
        #expect(state.timelineRow == 0 && state.collapsed.count == 1)
        // Side by side: a click selects a row.
        state.screen = .compare(current: model.timeline!.traceID, base: .typical)
        model = DashboardModel.make(
            from: G.checkout, source: "checkout-xray.jsonl", query: state.query, now: G.checkout.traces.lastEnd,
            rejected: 0)
        send(.click, at: .compareRow(4))
        #expect(state.compareRow == 4)
        // The help and a draft being typed take no clicks.
        state.showHelp = true
        let helpState = state
        state = update(state, with: .mouse(MouseEvent(.click, x: 5, y: 5)), model: model)
        #expect(state == helpState)
    }
}
