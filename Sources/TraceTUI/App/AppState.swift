import TraceAnalysis
import TraceModel

/// Everything about the dashboard that input changes; changed only by `update(_:with:model:)`.
public struct AppState: Sendable, Equatable {
    public enum Pane: Sendable, Equatable, CaseIterable {
        case services
        case traces
    }

    /// What fills the body: the dashboard, one trace's timeline, or one node's panel.
    public enum Screen: Sendable, Equatable {
        case dashboard
        case trace(TraceID)
        case node(NodeKey)
        /// An edge's panel, opened from the panel of `from` (where Esc returns).
        case edge(EdgeKey, from: NodeKey)
    }

    public enum TraceOrder: String, Sendable, CaseIterable {
        case newest, slowest, worst
    }

    public var width: Int
    public var height: Int
    public var screen: Screen = .dashboard
    public var pane: Pane = .services
    public var selectedService = 0
    public var selectedTrace = 0
    public var window: TimeWindow = .fiveMinutes
    public var frozen = false
    /// The service map above the tables (`m` toggles it).
    public var showMap = true
    /// The map shows only the selected node and what is within two hops of it (`z`).
    public var mapFocus = false
    /// Columns the map is scrolled right by (`[` and `]`).
    public var mapPan = 0
    public var showHelp = false
    public var quit = false

    public var traceOrder: TraceOrder = .newest
    /// The filter the trace list is showing.
    public var filter: TraceFilter?
    /// The filter being typed after `/`; nil when not typing.
    public var filterDraft: String?
    /// Why the draft did not parse, shown under it.
    public var filterError: String?

    /// In a service's panel, the selected call (callers first, then callees); nil until Tab selects one.
    public var panelCall: Int?

    /// The timeline's selected row and the spans whose children are hidden.
    public var timelineRow = 0
    public var collapsed: Set<SpanID> = []
    /// The details pane has the keys (Tab): j/k scroll it, by `detailsScroll` lines.
    public var detailsFocused = false
    public var detailsScroll = 0

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// What the model has to be built for: it changes with these, not with selection or scrolling.
    public var query: DashboardQuery {
        var trace: TraceID?, node: NodeKey?, edge: EdgeKey?
        switch screen {
        case .dashboard: break
        case .trace(let id): trace = id
        case .node(let key): node = key
        case .edge(let key, _): edge = key
        }
        return DashboardQuery(window: window, filter: filter, order: traceOrder, trace: trace, node: node, edge: edge)
    }
}

/// Input the app reacts to.
public enum AppEvent: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
}

public enum Key: Sendable, Equatable {
    case character(Character)
    case up, down, left, right, tab, backTab, enter, escape, backspace, pageUp, pageDown
}

/// One entry of a key table: the footer and `?` help are both drawn from the tables.
public struct KeyBinding: Sendable {
    public var keys: String
    public var action: String
    public var inFooter: Bool
}

public enum KeyTable {
    public static let dashboard: [KeyBinding] = [
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "Tab", action: "services/traces", inFooter: true),
        KeyBinding(keys: "j/k ↑/↓", action: "move", inFooter: true),
        KeyBinding(keys: "h/l ←/→", action: "map: previous/next layer", inFooter: false),
        KeyBinding(keys: "Enter", action: "open", inFooter: true),
        KeyBinding(keys: "/", action: "filter", inFooter: true),
        KeyBinding(keys: "s", action: "sort traces newest/slowest/worst", inFooter: false),
        KeyBinding(keys: "g/G", action: "first/last", inFooter: false),
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: true),
        KeyBinding(keys: "m", action: "map on/off", inFooter: false),
        KeyBinding(keys: "z", action: "map: focus on the selected service ±2 hops", inFooter: false),
        KeyBinding(keys: "[ ]", action: "map: pan left/right", inFooter: false),
        KeyBinding(keys: "f", action: "freeze", inFooter: true),
        KeyBinding(keys: "Esc", action: "clear the filter", inFooter: false),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let timeline: [KeyBinding] = [
        KeyBinding(keys: "j/k ↑/↓", action: "move", inFooter: true),
        KeyBinding(keys: "Enter", action: "fold/unfold", inFooter: true),
        KeyBinding(keys: "←/→ h/l", action: "fold (then to the parent)/unfold", inFooter: false),
        KeyBinding(keys: "Tab", action: "scroll details", inFooter: true),
        KeyBinding(keys: "g/G", action: "first/last", inFooter: false),
        KeyBinding(keys: "Esc", action: "back", inFooter: true),
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let node: [KeyBinding] = [
        KeyBinding(keys: "j/k ↑/↓", action: "services", inFooter: true),
        KeyBinding(keys: "Tab", action: "select a call", inFooter: true),
        KeyBinding(keys: "Enter", action: "open it", inFooter: true),
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: false),
        KeyBinding(keys: "Esc", action: "back", inFooter: true),
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let edge: [KeyBinding] = [
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: true),
        KeyBinding(keys: "Esc", action: "back to the service", inFooter: true),
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let filter: [KeyBinding] = [
        KeyBinding(keys: "Enter", action: "apply (empty clears)", inFooter: true),
        KeyBinding(keys: "Esc", action: "cancel", inFooter: true),
    ]

    /// The table for what is on screen.
    public static func bindings(for state: AppState) -> [KeyBinding] {
        if state.filterDraft != nil { return filter }
        switch state.screen {
        case .dashboard: return dashboard
        case .trace: return timeline
        case .node: return node
        case .edge: return edge
        }
    }
}

/// The pure state transition for an event, given the model on screen (for list lengths and what Enter opens).
public func update(_ state: AppState, with event: AppEvent, model: DashboardModel) -> AppState {
    var s = state
    switch event {
    case .resize(let width, let height):
        s.width = width
        s.height = height
        return s
    case .key(let key):
        if s.filterDraft != nil { return editFilter(s, key) }
        if s.showHelp {
            if key == .escape || key == .character("?") || key == .character("q") { s.showHelp = false }
            return s
        }
        switch key {
        case .character("q"): s.quit = true; return s
        case .character("?"): s.showHelp = true; return s
        case .character("f"): s.frozen.toggle(); return s
        case .character("w"):
            let all = TimeWindow.allCases
            s.window = all[((all.firstIndex(of: s.window) ?? 0) + 1) % all.count]
            return s
        default: break
        }
        switch s.screen {
        case .dashboard: return dashboardKey(s, key, model)
        case .trace: return timelineKey(s, key, model)
        case .node: return nodeKey(s, key, model)
        case .edge(_, let from):
            if key == .escape || key == .backspace { s.screen = .node(from) }
            return s
        }
    }
}

private func moved(_ index: Int, by key: Key, count: Int) -> Int? {
    let delta: Int
    switch key {
    case .character("j"), .down: delta = 1
    case .character("k"), .up: delta = -1
    case .pageDown: delta = 10
    case .pageUp: delta = -10
    case .character("g"): delta = -count
    case .character("G"): delta = count
    default: return nil
    }
    return max(0, min(count - 1, index + delta))
}

private func dashboardKey(_ state: AppState, _ key: Key, _ model: DashboardModel) -> AppState {
    var s = state
    let services = model.services.count, traces = model.recentTraces.count
    if let index = moved(s.pane == .services ? s.selectedService : s.selectedTrace, by: key,
                         count: s.pane == .services ? services : traces) {
        if s.pane == .services { s.selectedService = index } else { s.selectedTrace = index }
        return s
    }
    switch key {
    case .tab, .backTab: s.pane = s.pane == .services ? .traces : .services
    case .left, .right, .character("h"), .character("l"):
        // On the map: to the nearest service in the layer before or after the selected one.
        guard s.pane == .services, let next = neighbour(of: s.selectedService, model,
                                                      forward: key == .right || key == .character("l")) else { break }
        s.selectedService = next
    case .enter:
        if s.pane == .traces, traces > 0 {
            s.screen = .trace(model.recentTraces[min(s.selectedTrace, traces - 1)].traceID)
            s.timelineRow = 0
            s.collapsed = []
            s.detailsFocused = false
            s.detailsScroll = 0
        } else if s.pane == .services, services > 0 {
            s.screen = .node(model.services[min(s.selectedService, services - 1)].node)
            s.panelCall = nil
        }
    case .character("/"):
        s.filterDraft = s.filter?.text ?? ""
        s.filterError = nil
    case .escape:
        if s.filter != nil {
            s.filter = nil
            s.selectedTrace = 0
        }
    case .character("s"):
        let all = AppState.TraceOrder.allCases
        s.traceOrder = all[((all.firstIndex(of: s.traceOrder) ?? 0) + 1) % all.count]
        s.selectedTrace = 0
    case .character("m"): s.showMap.toggle()
    case .character("z"): s.mapFocus.toggle()
    case .character("["): s.mapPan = max(0, s.mapPan - 10)
    case .character("]"): s.mapPan += 10
    default: break
    }
    return s
}

/// After the model is rebuilt, the selection stays on the same service and the same trace — live data reorders
/// both lists every second (services worst first, traces newest first), and a selection that slides to another row
/// would open the wrong thing. Something that left the list leaves the index where it was, clamped.
public func keepSelection(_ state: AppState, from old: DashboardModel, to new: DashboardModel) -> AppState {
    var s = state
    if state.selectedService < old.services.count {
        let node = old.services[state.selectedService].node
        if let index = new.services.firstIndex(where: { $0.node == node }) { s.selectedService = index }
    }
    if state.selectedTrace < old.recentTraces.count {
        let id = old.recentTraces[state.selectedTrace].traceID
        if let index = new.recentTraces.firstIndex(where: { $0.traceID == id }) { s.selectedTrace = index }
    }
    s.selectedService = max(0, min(s.selectedService, new.services.count - 1))
    s.selectedTrace = max(0, min(s.selectedTrace, new.recentTraces.count - 1))
    return s
}

/// The index in the services list of the service nearest in row to `index`'s, one map layer left or right.
private func neighbour(of index: Int, _ model: DashboardModel, forward: Bool) -> Int? {
    guard index < model.services.count else { return nil }
    let positions = model.layout.positions
    guard let here = positions[model.services[index].node] else { return nil }
    let layer = here.layer + (forward ? 1 : -1)
    guard layer >= 0, layer < model.layout.layers.count else { return nil }
    let candidates = model.layout.layers[layer].compactMap { node -> (Int, Int)? in
        guard let i = model.services.firstIndex(where: { $0.node == node }), let p = positions[node] else { return nil }
        return (i, abs(p.row - here.row))
    }
    return candidates.min { $0.1 < $1.1 }?.0
}

private func editFilter(_ state: AppState, _ key: Key) -> AppState {
    var s = state
    var draft = s.filterDraft ?? ""
    switch key {
    case .escape:
        s.filterDraft = nil
        s.filterError = nil
        return s
    case .enter:
        let text = String(draft.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        if text.isEmpty {
            s.filter = nil
        } else {
            do {
                s.filter = try TraceFilter(text)
            } catch {
                s.filterError = error.description
                return s
            }
        }
        s.filterDraft = nil
        s.filterError = nil
        s.pane = .traces
        s.selectedTrace = 0
        return s
    case .backspace:
        if !draft.isEmpty { draft.removeLast() }
    case .character(let c):
        // Control characters never enter the draft (it is drawn on the screen).
        guard !c.isNewline, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }), draft.count < 500 else { return s }
        draft.append(c)
    default:
        return s
    }
    s.filterDraft = draft
    s.filterError = nil
    return s
}

private func timelineKey(_ state: AppState, _ key: Key, _ model: DashboardModel) -> AppState {
    var s = state
    let rows = model.timeline?.visibleRows(collapsed: s.collapsed) ?? []
    if key == .tab || key == .backTab {
        s.detailsFocused.toggle()
        return s
    }
    if s.detailsFocused {
        // The details pane scrolls; Esc gives the keys back to the waterfall.
        if key == .escape || key == .backspace {
            s.detailsFocused = false
        } else if let timeline = model.timeline, !rows.isEmpty {
            let span = timeline.spans[rows[min(s.timelineRow, rows.count - 1)].span]
            let count = SpanDetail.lines(of: span, traceStart: timeline.start).count
            s.detailsScroll = moved(s.detailsScroll, by: key, count: count) ?? s.detailsScroll
        }
        return s
    }
    if let index = moved(s.timelineRow, by: key, count: rows.count) {
        if index != s.timelineRow { s.detailsScroll = 0 }
        s.timelineRow = index
        return s
    }
    guard key != .escape, key != .backspace else {
        s.screen = .dashboard
        s.collapsed = []
        s.timelineRow = 0
        s.detailsScroll = 0
        return s
    }
    guard let timeline = model.timeline, !rows.isEmpty else { return s }
    let row = rows[min(s.timelineRow, rows.count - 1)]
    let id = timeline.spans[row.span].id
    switch key {
    case .enter, .character(" "):
        if row.hasChildren {
            if s.collapsed.contains(id) { s.collapsed.remove(id) } else { s.collapsed.insert(id) }
        }
    case .left, .character("h"):
        if row.hasChildren, !s.collapsed.contains(id) {
            s.collapsed.insert(id)
        } else if let parent = rows[..<min(s.timelineRow, rows.count - 1)].lastIndex(where: { $0.depth < row.depth }) {
            // Already collapsed (or a leaf): go to the parent, as tree views do.
            s.timelineRow = parent
        }
    case .right, .character("l"):
        s.collapsed.remove(id)
    default: break
    }
    return s
}

private func nodeKey(_ state: AppState, _ key: Key, _ model: DashboardModel) -> AppState {
    var s = state
    guard case .node(let current) = s.screen else { return s }
    let calls = (model.nodeDetail?.incoming ?? []) + (model.nodeDetail?.outgoing ?? [])
    switch key {
    case .escape, .backspace:
        s.screen = .dashboard
    case .tab, .backTab:
        guard !calls.isEmpty else { break }
        let step = key == .tab ? 1 : calls.count - 1
        s.panelCall = s.panelCall.map { ($0 + step) % calls.count } ?? (key == .tab ? 0 : calls.count - 1)
    case .enter:
        guard let index = s.panelCall, index < calls.count else { break }
        s.screen = .edge(calls[index].edge, from: current)
    case .character("j"), .down, .character("k"), .up:
        // Step through the services in the order of the list, keeping the list's selection in step.
        guard !model.services.isEmpty else { return s }
        let index = model.services.firstIndex { $0.node == current } ?? s.selectedService
        let next = moved(index, by: key, count: model.services.count) ?? index
        s.selectedService = next
        s.screen = .node(model.services[next].node)
        s.panelCall = nil
    default: break
    }
    return s
}
