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
    case .mouse(let mouse):
        return mouseCommand(s, mouse, model)
    case .key(let key):
        guard let command = KeyTable.command(for: key, in: s) else {
            if s.serviceSearchDraft != nil { return typeIntoServiceSearch(s, key) }
            if s.timelineSearchDraft != nil { return typeIntoTimelineSearch(s, key) }
            if s.filterDraft != nil, case .character(let c) = key { return typeIntoFilter(s, c) }
            if s.filterDraft != nil, key == .backspace, var draft = s.filterDraft, !draft.isEmpty {
                draft.removeLast()
                s.filterDraft = draft
                s.filterError = nil
            }
            return s
        }
        if s.serviceSearchDraft != nil { return editServiceSearch(s, command) }
        if s.timelineSearchDraft != nil { return editTimelineSearch(s, command, model) }
        if s.filterDraft != nil { return editFilter(s, command) }
        if s.showHelp { return helpCommand(s, command) }
        switch command {
        case .quit:
            s.quit = true
            return s
        case .help:
            s.showHelp = true
            return s
        case .freeze:
            s.frozen.toggle()
            return s
        case .cycleWindow:
            let all = TimeWindow.allCases
            s.window = all[((all.firstIndex(of: s.window) ?? 0) + 1) % all.count]
            return s
        default: break
        }
        switch s.screen {
        case .dashboard: return dashboardCommand(s, command, model)
        case .trace: return timelineCommand(s, command, model)
        case .node: return nodeCommand(s, command, model)
        case .edge(_, let from):
            if command == .back { s.screen = .node(from) }
            return s
        case .compare(let current, _):
            if command == .back {
                open(current, in: &s)
            } else if let index = moved(s.compareRow, by: command, count: model.comparison?.rows.count ?? 0) {
                s.compareRow = index
            }
            return s
        }
    }
}

private func helpCommand(_ state: AppState, _ command: Command) -> AppState {
    var s = state
    if command == .back {
        s.showHelp = false
        s.helpScroll = 0
        return s
    }
    s.helpScroll = moved(s.helpScroll, by: command, count: Int.max / 2) ?? s.helpScroll
    s.helpScroll = min(s.helpScroll, DashboardView.helpScrollLimit(width: s.width, height: s.height))
    return s
}

/// Where a movement command takes a selection in a list of `count` rows; nil for a command that is not a move.
private func moved(_ index: Int, by command: Command, count: Int) -> Int? {
    let delta: Int
    switch command {
    case .down: delta = 1
    case .up: delta = -1
    case .pageDown: delta = 10
    case .pageUp: delta = -10
    case .first: delta = -count
    case .last: delta = count
    default: return nil
    }
    return max(0, min(count - 1, index + delta))
}

private func dashboardCommand(_ state: AppState, _ command: Command, _ model: DashboardModel) -> AppState {
    var s = state
    let services = model.services.count
    let traces = model.recentTraces.count
    if let index = moved(
        s.pane == .services ? s.selectedService : s.selectedTrace, by: command,
        count: s.pane == .services ? services : traces)
    {
        if s.pane == .services { s.selectedService = index } else { s.selectedTrace = index }
        return s
    }
    switch command {
    case .switchPane: s.pane = s.pane == .services ? .traces : .services
    case .previousLayer, .nextLayer:
        // On the map: to the nearest service in the layer before or after the selected one.
        guard s.pane == .services,
            let next = neighbour(of: s.selectedService, model, forward: command == .nextLayer)
        else { break }
        s.selectedService = next
    case .open:
        if s.pane == .traces, traces > 0 {
            let id = model.recentTraces[min(s.selectedTrace, traces - 1)].traceID
            if let marked = s.markedTrace, marked != id {
                compare(id, with: .trace(marked), in: &s)
            } else {
                open(id, in: &s)
            }
        } else if s.pane == .services, services > 0 {
            s.screen = .node(model.services[min(s.selectedService, services - 1)].node)
            s.panelCall = nil
        }
    case .filter:
        // The list that has the keys: the services are searched by name, the traces filtered by expression.
        if s.pane == .services {
            s.serviceSearchDraft = s.serviceSearch ?? ""
        } else {
            s.filterDraft = s.filter?.text ?? ""
            s.filterError = nil
        }
    case .clearFilter:
        if s.pane == .services, s.serviceSearch != nil {
            s.serviceSearch = nil
            s.selectedService = 0
        } else if s.filter != nil {
            s.filter = nil
            s.selectedTrace = 0
        }
    case .cycleOrder:
        if s.pane == .services {
            let all = AppState.ServiceOrder.allCases
            s.serviceOrder = all[((all.firstIndex(of: s.serviceOrder) ?? 0) + 1) % all.count]
            s.selectedService = 0
        } else {
            let all = AppState.TraceOrder.allCases
            s.traceOrder = all[((all.firstIndex(of: s.traceOrder) ?? 0) + 1) % all.count]
            s.selectedTrace = 0
        }
    case .mark:
        guard s.pane == .traces, traces > 0 else { break }
        let id = model.recentTraces[min(s.selectedTrace, traces - 1)].traceID
        s.markedTrace = s.markedTrace == id ? nil : id
    case .toggleMap: s.showMap.toggle()
    case .focusMap: s.mapFocus.toggle()
    case .panLeft: s.mapPan = max(0, s.mapPan - 10)
    case .panRight: s.mapPan += 10
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

private func editFilter(_ state: AppState, _ command: Command) -> AppState {
    var s = state
    switch command {
    case .cancel:
        s.filterDraft = nil
        s.filterError = nil
        return s
    case .apply:
        let text = (s.filterDraft ?? "").trimmingWhitespace
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
    default:
        return s
    }
}

/// Whether a typed character may enter a draft. Control characters never do: drafts are drawn on the screen.
private func typeable(_ c: Character, into draft: String) -> Bool {
    !c.isNewline && c.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) && draft.count < 500
}

/// A character typed into the filter draft.
private func typeIntoFilter(_ state: AppState, _ c: Character) -> AppState {
    var s = state
    guard var draft = s.filterDraft, typeable(c, into: draft) else { return s }
    draft.append(c)
    s.filterDraft = draft
    s.filterError = nil
    return s
}

/// A key typed into the services search: the list narrows as it is typed, and its first row — the best match,
/// which the map moves to — is selected.
private func typeIntoServiceSearch(_ state: AppState, _ key: Key) -> AppState {
    var s = state
    guard let draft = s.serviceSearchDraft.flatMap({ edited($0, by: key) }) else { return s }
    s.serviceSearchDraft = draft
    s.selectedService = 0
    return s
}

/// A draft after a key: a typeable character appended, or the last one removed; nil when the key does neither.
private func edited(_ draft: String, by key: Key) -> String? {
    var draft = draft
    switch key {
    case .character(let c) where typeable(c, into: draft): draft.append(c)
    case .backspace where !draft.isEmpty: draft.removeLast()
    default: return nil
    }
    return draft
}

/// Enter keeps the search (an empty one clears it); Esc leaves the list as it was before `/`.
private func editServiceSearch(_ state: AppState, _ command: Command) -> AppState {
    var s = state
    switch command {
    case .apply:
        let text = (s.serviceSearchDraft ?? "").trimmingWhitespace
        s.serviceSearch = text.isEmpty ? nil : text
        s.serviceSearchDraft = nil
    case .cancel:
        s.serviceSearchDraft = nil
        s.selectedService = 0
    default: break
    }
    return s
}

extension String {
    /// The string without leading and trailing whitespace.
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

private func timelineCommand(_ state: AppState, _ command: Command, _ model: DashboardModel) -> AppState {
    var s = state
    let rows = model.timeline?.visibleRows(collapsed: s.collapsed) ?? []
    if s.detailsFocused {
        // The details pane scrolls; Tab or Esc gives the keys back to the waterfall.
        if command == .back {
            s.detailsFocused = false
        } else if let timeline = model.timeline, !rows.isEmpty {
            let span = timeline.spans[rows[min(s.timelineRow, rows.count - 1)].span]
            let count = SpanDetail.lines(of: span, traceStart: timeline.start).count
            s.detailsScroll = moved(s.detailsScroll, by: command, count: count) ?? s.detailsScroll
        }
        return s
    }
    if command == .toggleDetails {
        s.detailsFocused = true
        return s
    }
    guard case .trace(let current) = s.screen else { return s }
    switch command {
    case .mark:
        s.markedTrace = s.markedTrace == current ? nil : current
        return s
    case .compareTypical:
        compare(current, with: .typical, in: &s)
        return s
    case .filter:
        s.timelineSearchDraft = s.timelineSearch ?? ""
        return s
    case .nextMatch, .previousMatch:
        return jumpToMatch(s, model, forward: command == .nextMatch, inclusive: false)
    case .back where s.timelineSearch != nil:
        s.timelineSearch = nil
        return s
    default: break
    }
    if let index = moved(s.timelineRow, by: command, count: rows.count) {
        if index != s.timelineRow { s.detailsScroll = 0 }
        s.timelineRow = index
        return s
    }
    guard command != .back else {
        s.screen = .dashboard
        s.collapsed = []
        s.timelineRow = 0
        s.detailsScroll = 0
        s.timelineSearch = nil
        return s
    }
    guard let timeline = model.timeline, !rows.isEmpty else { return s }
    let row = rows[min(s.timelineRow, rows.count - 1)]
    let id = timeline.spans[row.span].id
    switch command {
    case .fold:
        if row.hasChildren {
            if s.collapsed.contains(id) { s.collapsed.remove(id) } else { s.collapsed.insert(id) }
        }
    case .foldOrParent:
        if row.hasChildren, !s.collapsed.contains(id) {
            s.collapsed.insert(id)
        } else if let parent = rows[..<min(s.timelineRow, rows.count - 1)].lastIndex(where: { $0.depth < row.depth }) {
            // Already collapsed (or a leaf): go to the parent, as tree views do.
            s.timelineRow = parent
        }
    case .unfold:
        s.collapsed.remove(id)
    default: break
    }
    return s
}

private func nodeCommand(_ state: AppState, _ command: Command, _ model: DashboardModel) -> AppState {
    var s = state
    guard case .node(let current) = s.screen else { return s }
    let calls = (model.nodeDetail?.incoming ?? []) + (model.nodeDetail?.outgoing ?? [])
    switch command {
    case .back:
        s.screen = .dashboard
    case .nextCall, .previousCall:
        guard !calls.isEmpty else { break }
        let forward = command == .nextCall
        let step = forward ? 1 : calls.count - 1
        s.panelCall = s.panelCall.map { ($0 + step) % calls.count } ?? (forward ? 0 : calls.count - 1)
    case .open:
        guard let index = s.panelCall, index < calls.count else { break }
        s.screen = .edge(calls[index].edge, from: current)
    case .down, .up:
        // Step through the services in the order of the list, keeping the list's selection in step.
        guard !model.services.isEmpty else { return s }
        let index = model.services.firstIndex { $0.node == current } ?? s.selectedService
        let next = moved(index, by: command, count: model.services.count) ?? index
        s.selectedService = next
        s.screen = .node(model.services[next].node)
        s.panelCall = nil
    default: break
    }
    return s
}

/// Opens a trace's timeline from the top, folded open, with no search.
private func open(_ id: TraceID, in s: inout AppState) {
    s.screen = .trace(id)
    s.timelineRow = 0
    s.collapsed = []
    s.detailsFocused = false
    s.detailsScroll = 0
    s.timelineSearch = nil
    s.timelineSearchDraft = nil
}

/// Puts `current` beside the marked trace or the typical one.
private func compare(_ current: TraceID, with base: AppState.CompareBase, in s: inout AppState) {
    s.screen = .compare(current: current, base: base)
    s.compareRow = 0
}

private func typeIntoTimelineSearch(_ state: AppState, _ key: Key) -> AppState {
    var s = state
    if let draft = s.timelineSearchDraft.flatMap({ edited($0, by: key) }) { s.timelineSearchDraft = draft }
    return s
}

/// Enter searches (from the selected row on; an empty search clears it), Esc leaves the search as it was.
private func editTimelineSearch(_ state: AppState, _ command: Command, _ model: DashboardModel) -> AppState {
    var s = state
    switch command {
    case .apply:
        let text = (s.timelineSearchDraft ?? "").trimmingWhitespace
        s.timelineSearchDraft = nil
        s.timelineSearch = text.isEmpty ? nil : text
        return text.isEmpty ? s : jumpToMatch(s, model, forward: true, inclusive: true)
    case .cancel:
        s.timelineSearchDraft = nil
    default: break
    }
    return s
}

/// Selects the next (or previous) span matching the search, unfolding what hides it.
private func jumpToMatch(_ state: AppState, _ model: DashboardModel, forward: Bool, inclusive: Bool) -> AppState {
    var s = state
    guard let timeline = model.timeline, let query = s.timelineSearch else { return s }
    let matches = TimelineSearch.matches(query, in: timeline)
    let visible = timeline.visibleRows(collapsed: s.collapsed)
    let selectedSpan = visible.isEmpty ? nil : visible[min(s.timelineRow, visible.count - 1)].span
    guard
        let target = TimelineSearch.step(
            from: selectedSpan, forward: forward, matches: matches, in: timeline, inclusive: inclusive)
    else { return s }
    s.collapsed = TimelineSearch.reveal(target, in: timeline, collapsed: s.collapsed)
    let span = timeline.rows[target].span
    s.timelineRow = timeline.visibleRows(collapsed: s.collapsed).firstIndex { $0.span == span } ?? s.timelineRow
    s.detailsScroll = 0
    return s
}

/// A click selects what is under it (a service, a trace, a map node, a span, a row of a comparison), a
/// double-click also opens it (or folds a span), and the wheel scrolls the list under the pointer — resolved
/// against the places the screen as drawn for this state says it has (`ScreenBuffer.targets`).
private func mouseCommand(_ state: AppState, _ mouse: MouseEvent, _ model: DashboardModel) -> AppState {
    var s = state
    guard !s.showHelp, s.filterDraft == nil, s.serviceSearchDraft == nil, s.timelineSearchDraft == nil else {
        return s
    }
    let hit = DashboardView.render(s, model, glyphs: .unicode).target(atX: mouse.x, y: mouse.y)
    switch mouse.action {
    case .wheelUp, .wheelDown:
        // The list under the pointer takes the keys, then moves three rows.
        switch hit {
        case .service?: s.pane = .services
        case .trace?: s.pane = .traces
        default: break
        }
        for _ in 0..<3 { s = update(s, with: .key(mouse.action == .wheelDown ? .down : .up), model: model) }
        return s
    case .click, .doubleClick:
        guard let hit else { return s }
        switch hit {
        case .service(let index):
            s.pane = .services
            s.selectedService = index
        case .mapNode(let node):
            guard let index = model.services.firstIndex(where: { $0.node == node }) else { return s }
            s.pane = .services
            s.selectedService = index
        case .trace(let index):
            s.pane = .traces
            s.selectedTrace = index
        case .timelineRow(let index):
            if s.timelineRow != index { s.detailsScroll = 0 }
            s.timelineRow = index
            s.detailsFocused = false
            if mouse.action == .doubleClick { return update(s, with: .key(.enter), model: model) }
            return s
        case .compareRow(let index):
            s.compareRow = index
            return s
        }
        return mouse.action == .doubleClick ? update(s, with: .key(.enter), model: model) : s
    }
}
