import TraceAnalysis
import TraceModel

/// Draws the whole dashboard for a state and a model into a buffer: header, services with req/s sparklines,
/// recent traces, footer — or the help, or a clear message when the terminal is too small.
public enum DashboardView {
    public static let minimumWidth = 60
    public static let minimumHeight = 12

    public static func render(_ state: AppState, _ model: DashboardModel, glyphs: Glyphs) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: state.width, height: state.height)
        guard state.width >= minimumWidth, state.height >= minimumHeight else {
            let lines = [
                "Terminal too small", "\(state.width)×\(state.height), need \(minimumWidth)×\(minimumHeight)",
                "q quits",
            ]
            for (i, line) in lines.enumerated() {
                buffer.write(
                    line, x: max(0, (state.width - DisplayWidth.of(line)) / 2), y: max(0, state.height / 2 - 1) + i,
                    style: Style(i == 0 ? .title : .dim, bold: i == 0))
            }
            return buffer
        }
        let (header, content) = buffer.area.splitTop(1)
        let (body, footer) = content.splitBottom(1)
        drawHeader(model, state: state, in: header, on: &buffer, glyphs: glyphs)
        drawFooter(state, in: footer, on: &buffer)
        if state.showHelp {
            drawHelp(in: body, scroll: state.helpScroll, on: &buffer, glyphs: glyphs)
            return buffer
        }
        switch state.screen {
        case .dashboard: break
        case .trace:
            TimelineView.draw(state, model, in: body, on: &buffer, glyphs: glyphs)
            return buffer
        case .node, .edge:
            NodePanelView.draw(state, model, in: body, on: &buffer, glyphs: glyphs)
            return buffer
        case .compare:
            CompareView.draw(state, model, in: body, on: &buffer, glyphs: glyphs)
            return buffer
        }
        drawDashboard(state, model, in: body, on: &buffer, glyphs: glyphs)
        return buffer
    }

    /// The map, the services and the traces — or the traces alone below the map on a short terminal.
    static func drawDashboard(
        _ state: AppState, _ model: DashboardModel, in area: Rect, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        var body = area
        if let draft = state.serviceSearchDraft {
            // The search or the filter being typed sits above the lists, the filter's error under it.
            let (prompt, rest) = body.splitTop(1)
            drawPrompt("find service: ", draft: draft, error: nil, in: prompt, on: &buffer)
            body = rest
        } else if let draft = state.filterDraft {
            let (prompt, rest) = body.splitTop(state.filterError == nil ? 1 : 2)
            drawPrompt("filter: ", draft: draft, error: state.filterError, in: prompt, on: &buffer)
            body = rest
        }
        var rest = body
        if state.showMap, !model.mapNodes.isEmpty {
            // The map takes up to half the height (what its tallest layer needs); a short terminal shows it above
            // just the list that has the keys.
            let rows = (model.layout.layers.map(\.count).max() ?? 1) * (NodeMapView.boxHeight + NodeMapView.rowGap) + 1
            let mapHeight = body.height >= 26 ? min(body.height / 2, rows + 2) : max(6, body.height - 6)
            let (mapArea, below) = body.splitTop(mapHeight)
            let map = MapScope.choose(state, model, height: mapArea.height - 2)
            var title = map.title
            if let graphSource = model.graphSource { title += " · \(graphSource)" }
            let inner = Box(title: title, focused: false).draw(in: mapArea, on: &buffer, glyphs: glyphs)
            let hidden = NodeMapView.draw(
                map.model, selected: state.pane == .services ? map.selected : nil, pan: state.mapPan,
                in: inner, on: &buffer, glyphs: glyphs)
            // What the map cannot show goes on its borders: above at the right of the title, below in the middle.
            let titleEnd = inner.x + DisplayWidth.of(title) + 4
            if let above = hidden.above {
                NodeMapView.drawHidden(
                    above, arrow: glyphs.arrowUp,
                    in: Rect(x: titleEnd, y: mapArea.y, width: max(0, inner.maxX - titleEnd - 1), height: 1),
                    on: &buffer, glyphs: glyphs)
            }
            if let below = hidden.below {
                NodeMapView.drawHidden(
                    below, arrow: glyphs.arrowDown,
                    in: Rect(x: inner.x + 1, y: mapArea.maxY - 1, width: max(0, inner.width - 2), height: 1),
                    on: &buffer, glyphs: glyphs)
            }
            rest = below
            if body.height < 26 {
                // Room for one list under the map: the one that has the keys.
                if state.pane == .services {
                    drawServices(model, state: state, in: rest, on: &buffer, glyphs: glyphs)
                } else {
                    drawTraces(model, state: state, in: rest, on: &buffer, glyphs: glyphs)
                }
                return
            }
        }
        // The focused list gets the room: the traces pane shrinks the services to a few rows.
        let servicesRows = state.pane == .traces ? min(model.services.count, 4) : model.services.count
        let servicesHeight = max(6, min(rest.height - 5, servicesRows + 3))
        let (top, bottom) = rest.splitTop(servicesHeight)
        drawServices(model, state: state, in: top, on: &buffer, glyphs: glyphs)
        drawTraces(model, state: state, in: bottom, on: &buffer, glyphs: glyphs)
    }

    static func drawHeader(
        _ model: DashboardModel, state: AppState, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        let t = model.traces
        var text = "Tracescope · \(model.source) · window \(model.window.rawValue) · \(t.requests) traces "
        text += "(\(Formatting.rate(t.rps))/s) · p99 \(Formatting.millis(t.p99)) · \(glyphs.fault) \(t.faults) "
        text += "\(glyphs.throttle) \(t.throttles) \(glyphs.error) \(t.errors)"
        if model.rejected > 0 { text += " · rejected \(model.rejected)" }
        if model.foldedRequests > 0 {
            text += " · \(model.foldedRequests) requests folded into (other): graph at its size limit"
        }
        if let filter = state.filter { text += " · filter: \(filter.text)" }
        buffer.fill(rect, style: Style(.header))
        buffer.write(text, x: rect.x, y: rect.y, style: Style(.header, bold: true), clip: rect)
        if state.frozen {
            let label = " FROZEN "
            buffer.write(
                label, x: rect.maxX - DisplayWidth.of(label), y: rect.y,
                style: Style(.throttle, bold: true, selected: true))
        }
    }

    static func drawFooter(_ state: AppState, in rect: Rect, on buffer: inout ScreenBuffer) {
        let hints = KeyTable.described(KeyTable.bindings(for: state)).filter(\.inFooter).map {
            "\($0.keys) \($0.brief)"
        }.joined(
            separator: "  ")
        buffer.write(hints, x: rect.x, y: rect.y, style: Style(.keyHint), clip: rect)
    }

    /// A draft being typed after its label, with the cursor at its end, and an error under it.
    static func drawPrompt(
        _ label: String, draft: String, error: String?, in rect: Rect, on buffer: inout ScreenBuffer
    ) {
        var x = rect.x
        x += buffer.write(label, x: x, y: rect.y, style: Style(.title, bold: true), clip: rect)
        // Show the end of a long draft, where the cursor is.
        let room = max(1, rect.maxX - x - 1)
        var shown = draft
        while DisplayWidth.of(TerminalSafe.escape(shown)) > room - 1 { shown.removeFirst() }
        x += buffer.write(shown, x: x, y: rect.y, clip: rect)
        buffer.write(" ", x: x, y: rect.y, style: Style(.plain, selected: true), clip: rect)
        if let error {
            buffer.write(
                error, x: rect.x + DisplayWidth.of(label), y: rect.y + 1, style: Style(.fault, bold: true), clip: rect)
        }
    }

    static func drawServices(
        _ model: DashboardModel, state: AppState, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        var title = "Services (\(model.services.count))"
        if let search = model.serviceSearch, !search.isEmpty {
            title = "Services matching \"\(search)\" (\(model.services.count) of \(model.allServices.count))"
        }
        if model.serviceOrder != .worst { title += " · by \(model.serviceOrder.rawValue)" }
        let inner = Box(title: title, focused: state.pane == .services).draw(in: rect, on: &buffer, glyphs: glyphs)
        guard !inner.isEmpty else { return }
        if model.services.isEmpty, !model.allServices.isEmpty {
            buffer.write(
                "No service matches. / edits the search, Esc clears it.", x: inner.x, y: inner.y, style: Style(.dim),
                clip: inner)
            return
        }
        if model.services.isEmpty {
            buffer.write(
                model.emptyHint
                    ?? "No traces yet. Point X-Ray SDKs at the UDP address or OpenTelemetry SDKs at the OTLP endpoint.",
                x: inner.x, y: inner.y, style: Style(.dim), clip: inner)
            return
        }
        // Name and type share what the figures leave, so narrow terminals keep every figure.
        let available = max(0, inner.width - 49)
        let nameWidth = min(26, max(10, available * 6 / 10))
        let typeWidth = min(16, max(1, available - nameWidth - 2))
        var columns = [
            Table.Column("", width: 1), Table.Column("service", width: nameWidth),
            Table.Column("type", width: typeWidth),
            Table.Column("req/s", width: 7, alignRight: true), Table.Column("err%", width: 6, alignRight: true),
            Table.Column("thr%", width: 6, alignRight: true), Table.Column("flt%", width: 6, alignRight: true),
            Table.Column("p50", width: 7, alignRight: true), Table.Column("p99", width: 7, alignRight: true),
        ]
        // The sparkline takes what is left after the figures, when that is enough to read.
        let fixed = columns.reduce(0) { $0 + $1.width + 1 }
        let sparkWidth = inner.width - fixed >= 8 ? min(60, inner.width - fixed) : 0
        if sparkWidth > 0 { columns.append(Table.Column("req/s, last 60 s", width: 0)) }
        let rows = model.services.map { row -> [Table.Cell] in
            let f = row.figures
            let cls = f.worstClass
            let role: StyleRole = row.node.kind == .inferred ? .inferred : .plain
            return [
                Table.Cell(glyphs.marker(cls), Style(StyleRole.forClass(cls), bold: true)),
                Table.Cell(row.node.name, Style(cls == .ok ? role : StyleRole.forClass(cls), bold: cls != .ok)),
                Table.Cell(row.node.type ?? "", Style(.dim)),
                Table.Cell(Formatting.rate(f.rps)),
                Table.Cell(Formatting.percent(f.rate(.error) ?? 0), Style(f.errors > 0 ? .error : .dim)),
                Table.Cell(Formatting.percent(f.rate(.throttle) ?? 0), Style(f.throttles > 0 ? .throttle : .dim)),
                Table.Cell(Formatting.percent(f.rate(.fault) ?? 0), Style(f.faults > 0 ? .fault : .dim)),
                Table.Cell(Formatting.millis(f.p50)), Table.Cell(Formatting.millis(f.p99)),
            ]
        }
        let selected = state.pane == .services ? min(state.selectedService, model.services.count - 1) : nil
        Table(columns: columns, rows: rows, selected: selected, target: HitTarget.service).draw(in: inner, on: &buffer)
        if sparkWidth > 0 {
            let sparkX = inner.x + fixed
            var first = 0
            let height = inner.height - 1
            if let selected, selected >= height { first = min(selected - height + 1, max(0, rows.count - height)) }
            for (line, index) in (first..<min(model.services.count, first + height)).enumerated() {
                Sparkline.draw(
                    model.services[index].series, x: sparkX, y: inner.y + 1 + line,
                    width: min(sparkWidth, inner.maxX - sparkX),
                    on: &buffer, glyphs: glyphs)
            }
        }
    }

    static func drawTraces(
        _ model: DashboardModel, state: AppState, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        var title = "Recent traces (\(model.recentTraces.count))"
        if state.filter != nil {
            title = "Traces matching the filter (\(model.tracesMatched) of \(model.tracesInMemory))"
        }
        if state.traceOrder != .newest { title += " · \(state.traceOrder.rawValue) first" }
        if let marked = state.markedTrace { title += " · marked \(marked) (Enter on another compares)" }
        let inner = Box(title: title, focused: state.pane == .traces)
            .draw(in: rect, on: &buffer, glyphs: glyphs)
        guard !inner.isEmpty else { return }
        if model.recentTraces.isEmpty, state.filter != nil {
            buffer.write(
                "No trace in memory matches the filter. / edits it, Esc clears it.", x: inner.x, y: inner.y,
                style: Style(.dim), clip: inner)
        }
        guard !model.recentTraces.isEmpty else { return }
        let columns = [
            Table.Column("", width: 1), Table.Column("start (UTC)", width: 12), Table.Column("root", width: 22),
            Table.Column("duration", width: 9, alignRight: true), Table.Column("request", width: 0),
        ]
        let rows = model.recentTraces.map { t -> [Table.Cell] in
            [
                Table.Cell(glyphs.marker(t.statusClass), Style(StyleRole.forClass(t.statusClass), bold: true)),
                Table.Cell(clockTime(t.start), Style(.dim)), Table.Cell(t.root),
                Table.Cell(Formatting.millis(Double(t.durationNanos) / 1_000_000)),
                Table.Cell(t.request, Style(t.statusClass == .ok ? .plain : StyleRole.forClass(t.statusClass))),
            ]
        }
        let selected = state.pane == .traces ? min(state.selectedTrace, rows.count - 1) : nil
        Table(columns: columns, rows: rows, selected: selected, target: HitTarget.trace).draw(in: inner, on: &buffer)
    }

    /// One line of the help: a section title, a key and what it does, a note, or a blank.
    enum HelpLine {
        case title(String)
        case binding(KeyBinding)
        case note(String)
        case blank
    }

    /// A section of the help. Keys that work on every screen are described once, in the dashboard's section.
    static func helpLines(_ title: String, _ bindings: [KeyBinding], everywhere: Bool = false) -> [HelpLine] {
        let described = KeyTable.described(bindings).filter { everywhere || !KeyTable.everywhere.contains($0.command) }
        return [.title(title)] + described.map(HelpLine.binding) + [.blank]
    }

    /// The help's columns: two on a wide terminal (the dashboard's keys, then everything else), else one.
    static func helpColumns(width: Int, glyphs: Glyphs) -> [[HelpLine]] {
        let left = helpLines("Dashboard (? w f q: on every screen)", KeyTable.dashboard, everywhere: true)
        let right =
            helpLines("Trace timeline", KeyTable.timeline)
            + helpLines("Two traces side by side", KeyTable.compare)
            + helpLines("Span details (after Tab)", KeyTable.details) + helpLines("Service panel", KeyTable.node)
            + helpLines("Call panel", KeyTable.edge) + helpLines("Filter (after /)", KeyTable.filter)
        let notes: [HelpLine] = [
            .note(
                "Markers: \(glyphs.fault) fault (5xx)  \(glyphs.throttle) throttle (429)  \(glyphs.error) error (4xx)"),
            .note("Filters: service(\"a\") edge(\"a\",\"b\") responsetime>1 duration ok error throttle fault"),
            .note("         http.status http.url CONTAINS \"x\" annotation.key = v  AND OR ! ( )"),
        ]
        return width >= 102 ? [left, right + notes] : [left + right + notes]
    }

    /// How far the help can scroll on a terminal of this size (0 when it fits).
    public static func helpScrollLimit(width: Int, height: Int) -> Int {
        let longest = helpColumns(width: width, glyphs: .ascii).map(\.count).max() ?? 0
        // Header, footer and the box's two borders.
        return max(0, longest - max(0, height - 4))
    }

    /// The key tables in two columns when the terminal is wide, else one; when they do not fit, they scroll (j/k).
    static func drawHelp(in rect: Rect, scroll: Int, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
        let wide = rect.width >= 102
        let columns = helpColumns(width: rect.width, glyphs: glyphs)
        let rows = max(0, rect.height - 2)
        let longest = columns.map(\.count).max() ?? 0
        let first = max(0, min(scroll, longest - rows))
        let title =
            longest > rows
            ? "Help · lines \(first + 1)–\(min(longest, first + rows)) of \(longest) · j/k scroll" : "Help"
        let inner = Box(title: title, focused: true).draw(in: rect, on: &buffer, glyphs: glyphs)
        let width = wide ? inner.width / 2 : inner.width
        for (c, lines) in columns.enumerated() {
            let column = Rect(x: inner.x + c * width, y: inner.y, width: width, height: inner.height)
            for (y, line) in zip(column.y..<column.maxY, lines.dropFirst(first)) {
                switch line {
                case .title(let text):
                    buffer.write(text, x: column.x + 1, y: y, style: Style(.header, bold: true), clip: column)
                case .binding(let binding):
                    buffer.write(
                        DisplayWidth.pad(binding.keys, to: 10), x: column.x + 2, y: y, style: Style(.title, bold: true),
                        clip: column)
                    buffer.write(binding.action, x: column.x + 13, y: y, clip: column)
                case .note(let text):
                    buffer.write(text, x: column.x + 1, y: y, style: Style(.dim), clip: inner)
                case .blank:
                    break
                }
            }
        }
    }

    /// `HH:MM:SS.mmm` of an epoch time, UTC.
    static func clockTime(_ nanos: EpochNanos) -> String {
        let millis = nanos / 1_000_000
        let ms = Int(((millis % 1000) + 1000) % 1000)
        let seconds = Int(((millis / 1000) % 86_400 + 86_400) % 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60)).\(ms < 10 ? "00" : ms < 100 ? "0" : "")\(ms)"
    }
}
