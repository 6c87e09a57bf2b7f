import TraceAnalysis
import TraceModel

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
            switch key {
            case .escape, .character("?"), .character("q"):
                s.showHelp = false
                s.helpScroll = 0
            case .character("j"), .down: s.helpScroll += 1
            case .character("k"), .up: s.helpScroll = max(0, s.helpScroll - 1)
            case .pageDown, .character(" "): s.helpScroll += 10
            case .pageUp: s.helpScroll = max(0, s.helpScroll - 10)
            case .character("g"): s.helpScroll = 0
            default: break
            }
            s.helpScroll = min(s.helpScroll, DashboardView.helpScrollLimit(width: s.width, height: s.height))
            return s
        }
        switch key {
        case .character("q"):
            s.quit = true
            return s
        case .character("?"):
            s.showHelp = true
            return s
        case .character("f"):
            s.frozen.toggle()
            return s
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
    let services = model.services.count
    let traces = model.recentTraces.count
    if let index = moved(
        s.pane == .services ? s.selectedService : s.selectedTrace, by: key,
        count: s.pane == .services ? services : traces)
    {
        if s.pane == .services { s.selectedService = index } else { s.selectedTrace = index }
        return s
    }
    switch key {
    case .tab, .backTab: s.pane = s.pane == .services ? .traces : .services
    case .left, .right, .character("h"), .character("l"):
        // On the map: to the nearest service in the layer before or after the selected one.
        guard s.pane == .services,
            let next = neighbour(
                of: s.selectedService, model,
                forward: key == .right || key == .character("l"))
        else { break }
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

/// After the model is rebuilt, a selection the user moved stays on the same service and the same trace — live data
/// reorders both lists every second (services worst first, traces newest first), and a selection that slid to another
/// row would open the wrong thing. The top row is the default, not a choice: there the selection stays on top, so
/// a fresh dashboard keeps showing the worst service and the newest trace (and the map does not start following
/// whatever happened to be first). Something that left the list leaves the index where it was, clamped.
public func keepSelection(_ state: AppState, from old: DashboardModel, to new: DashboardModel) -> AppState {
    var s = state
    if state.selectedService > 0, state.selectedService < old.services.count {
        let node = old.services[state.selectedService].node
        if let index = new.services.firstIndex(where: { $0.node == node }) { s.selectedService = index }
    }
    if state.selectedTrace > 0, state.selectedTrace < old.recentTraces.count {
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
        guard !c.isNewline, c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }), draft.count < 500
        else { return s }
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
