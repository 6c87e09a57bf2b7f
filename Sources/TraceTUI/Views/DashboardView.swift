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
            let lines = ["Terminal too small", "\(state.width)×\(state.height), need \(minimumWidth)×\(minimumHeight)", "q quits"]
            for (i, line) in lines.enumerated() {
                buffer.write(line, x: max(0, (state.width - DisplayWidth.of(line)) / 2), y: max(0, state.height / 2 - 1) + i,
                             style: Style(i == 0 ? .title : .dim, bold: i == 0))
            }
            return buffer
        }
        let (header, content) = buffer.area.splitTop(1)
        let (body, footer) = content.splitBottom(1)
        drawHeader(model, state: state, in: header, on: &buffer, glyphs: glyphs)
        drawFooter(in: footer, on: &buffer)
        if state.showHelp {
            drawHelp(in: body, on: &buffer, glyphs: glyphs)
            return buffer
        }
        var rest = body
        if state.showMap, !model.mapNodes.isEmpty {
            // The map takes up to half the height (what its tallest layer needs); a short terminal shows it alone
            // above the traces.
            let rows = (model.layout.layers.map(\.count).max() ?? 1) * (NodeMapView.boxHeight + NodeMapView.rowGap) + 1
            let mapHeight = body.height >= 26 ? min(body.height / 2, rows + 2) : max(6, body.height - 6)
            let (mapArea, below) = body.splitTop(mapHeight)
            let inner = Box(title: "Service map", focused: false).draw(in: mapArea, on: &buffer, glyphs: glyphs)
            // The map follows the selection once the user moves it; until then it shows the callers' side first.
            let selected = state.pane == .services && state.selectedService > 0 && !model.services.isEmpty
                ? model.services[min(state.selectedService, model.services.count - 1)].node : nil
            NodeMapView.draw(model, selected: selected, in: inner, on: &buffer, glyphs: glyphs)
            rest = below
            if body.height < 26 {
                drawTraces(model, state: state, in: rest, on: &buffer, glyphs: glyphs)
                return buffer
            }
        }
        let servicesHeight = max(6, min(rest.height - 5, model.services.count + 3))
        let (top, bottom) = rest.splitTop(servicesHeight)
        drawServices(model, state: state, in: top, on: &buffer, glyphs: glyphs)
        drawTraces(model, state: state, in: bottom, on: &buffer, glyphs: glyphs)
        return buffer
    }

    static func drawHeader(_ model: DashboardModel, state: AppState, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
        let t = model.traces
        var text = "Tracescope · \(model.source) · window \(model.window.rawValue) · \(t.requests) traces "
        text += "(\(Formatting.rate(t.rps))/s) · p99 \(Formatting.millis(t.p99)) · \(glyphs.fault) \(t.faults) "
        text += "\(glyphs.throttle) \(t.throttles) \(glyphs.error) \(t.errors)"
        if model.rejected > 0 { text += " · rejected \(model.rejected)" }
        buffer.fill(rect, style: Style(.header))
        buffer.write(text, x: rect.x, y: rect.y, style: Style(.header, bold: true), clip: rect)
        if state.frozen {
            let label = " FROZEN "
            buffer.write(label, x: rect.maxX - DisplayWidth.of(label), y: rect.y, style: Style(.throttle, bold: true, selected: true))
        }
    }

    static func drawFooter(in rect: Rect, on buffer: inout ScreenBuffer) {
        let hints = KeyTable.bindings.filter(\.inFooter).map { "\($0.keys) \($0.action)" }.joined(separator: "  ")
        buffer.write(hints, x: rect.x, y: rect.y, style: Style(.keyHint), clip: rect)
    }

    static func drawServices(_ model: DashboardModel, state: AppState, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
        let inner = Box(title: "Services (\(model.services.count))", focused: state.pane == .services)
            .draw(in: rect, on: &buffer, glyphs: glyphs)
        guard !inner.isEmpty else { return }
        if model.services.isEmpty {
            buffer.write("No traces yet. Point X-Ray SDKs at the UDP address or OpenTelemetry SDKs at the OTLP endpoint.",
                         x: inner.x, y: inner.y, style: Style(.dim), clip: inner)
            return
        }
        // Name and type share what the figures leave, so narrow terminals keep every figure.
        let available = max(0, inner.width - 49)
        let nameWidth = min(26, max(10, available * 6 / 10))
        let typeWidth = min(16, max(1, available - nameWidth - 2))
        var columns = [Table.Column("", width: 1), Table.Column("service", width: nameWidth), Table.Column("type", width: typeWidth),
                       Table.Column("req/s", width: 7, alignRight: true), Table.Column("err%", width: 6, alignRight: true),
                       Table.Column("thr%", width: 6, alignRight: true), Table.Column("flt%", width: 6, alignRight: true),
                       Table.Column("p50", width: 7, alignRight: true), Table.Column("p99", width: 7, alignRight: true)]
        // The sparkline takes what is left after the figures, when that is enough to read.
        let fixed = columns.reduce(0) { $0 + $1.width + 1 }
        let sparkWidth = inner.width - fixed >= 8 ? min(60, inner.width - fixed) : 0
        if sparkWidth > 0 { columns.append(Table.Column("req/s, last 60 s", width: 0)) }
        let rows = model.services.map { row -> [Table.Cell] in
            let f = row.figures
            let cls = f.worstClass
            let role: StyleRole = row.node.kind == .inferred ? .inferred : .plain
            return [Table.Cell(glyphs.marker(cls), Style(StyleRole.forClass(cls), bold: true)),
                    Table.Cell(row.node.name, Style(cls == .ok ? role : StyleRole.forClass(cls), bold: cls != .ok)),
                    Table.Cell(row.node.type ?? "", Style(.dim)),
                    Table.Cell(Formatting.rate(f.rps)), Table.Cell(Formatting.percent(f.rate(.error) ?? 0), Style(f.errors > 0 ? .error : .dim)),
                    Table.Cell(Formatting.percent(f.rate(.throttle) ?? 0), Style(f.throttles > 0 ? .throttle : .dim)),
                    Table.Cell(Formatting.percent(f.rate(.fault) ?? 0), Style(f.faults > 0 ? .fault : .dim)),
                    Table.Cell(Formatting.millis(f.p50)), Table.Cell(Formatting.millis(f.p99))]
        }
        let selected = state.pane == .services ? min(state.selectedService, model.services.count - 1) : nil
        Table(columns: columns, rows: rows, selected: selected).draw(in: inner, on: &buffer)
        if sparkWidth > 0 {
            let sparkX = inner.x + fixed
            var first = 0
            let height = inner.height - 1
            if let selected, selected >= height { first = min(selected - height + 1, max(0, rows.count - height)) }
            for (line, index) in (first..<min(model.services.count, first + height)).enumerated() {
                Sparkline.draw(model.services[index].series, x: sparkX, y: inner.y + 1 + line, width: min(sparkWidth, inner.maxX - sparkX),
                               on: &buffer, glyphs: glyphs)
            }
        }
    }

    static func drawTraces(_ model: DashboardModel, state: AppState, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
        let inner = Box(title: "Recent traces (\(model.recentTraces.count))", focused: state.pane == .traces)
            .draw(in: rect, on: &buffer, glyphs: glyphs)
        guard !inner.isEmpty, !model.recentTraces.isEmpty else { return }
        let columns = [Table.Column("", width: 1), Table.Column("start (UTC)", width: 12), Table.Column("root", width: 22),
                       Table.Column("duration", width: 9, alignRight: true), Table.Column("request", width: 0)]
        let rows = model.recentTraces.map { t -> [Table.Cell] in
            [Table.Cell(glyphs.marker(t.statusClass), Style(StyleRole.forClass(t.statusClass), bold: true)),
             Table.Cell(clockTime(t.start), Style(.dim)), Table.Cell(t.root),
             Table.Cell(Formatting.millis(Double(t.durationNanos) / 1_000_000)),
             Table.Cell(t.request, Style(t.statusClass == .ok ? .plain : StyleRole.forClass(t.statusClass)))]
        }
        let selected = state.pane == .traces ? min(state.selectedTrace, rows.count - 1) : nil
        Table(columns: columns, rows: rows, selected: selected).draw(in: inner, on: &buffer)
    }

    static func drawHelp(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
        let inner = Box(title: "Help", focused: true).draw(in: rect, on: &buffer, glyphs: glyphs)
        var y = inner.y
        for binding in KeyTable.bindings where y < inner.maxY {
            buffer.write(DisplayWidth.pad(binding.keys, to: 10), x: inner.x + 1, y: y, style: Style(.title, bold: true), clip: inner)
            buffer.write(binding.action, x: inner.x + 12, y: y, clip: inner)
            y += 1
        }
        if y + 1 < inner.maxY {
            buffer.write("Markers: \(glyphs.fault) fault (5xx)  \(glyphs.throttle) throttle (429)  \(glyphs.error) error (4xx)",
                         x: inner.x + 1, y: y + 1, style: Style(.dim), clip: inner)
        }
    }

    /// `HH:MM:SS.mmm` of an epoch time, UTC.
    static func clockTime(_ nanos: EpochNanos) -> String {
        let millis = nanos / 1_000_000
        let ms = Int(((millis % 1000) + 1000) % 1000)
        let seconds = Int(((millis / 1000) % 86_400 + 86_400) % 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(seconds / 3600)):\(two(seconds % 3600 / 60)):\(two(seconds % 60)).\(ms < 10 ? "00" : ms < 100 ? "0" : "")\(ms)"
    }
}
