import TraceAnalysis
import TraceModel

/// One node — or one edge, the calls from one node to another — in depth: requests per second over the window stacked
/// by class, error/throttle/fault rates, the latency distribution with its long tail and p50/p90/p99 marked; for a
/// node also the calls in and out (Tab selects one, Enter opens its panel) and, for a function, its
/// dwell/init/handler/overhead and cold-start rate.
public enum NodePanelView {
    public static func draw(
        _ state: AppState, _ model: DashboardModel, in rect: Rect, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        guard let detail = model.nodeDetail else {
            Box.message(
                "No requests here in the window. w changes the window; Esc goes back.", title: "Service",
                in: rect, on: &buffer, glyphs: glyphs)
            return
        }
        func label(_ node: NodeKey) -> String { "\(node.name)\(node.type.map { " (\($0))" } ?? "")" }
        let title: String
        switch detail.subject {
        case .node(let node): title = "\(label(node)) · window \(model.window.rawValue)"
        case .edge(let edge):
            title = "calls \(label(edge.from)) \(glyphs.arrowRight) \(label(edge.to)) · window \(model.window.rawValue)"
        }
        let inner = Box(title: title, focused: true).draw(in: rect, on: &buffer, glyphs: glyphs)
        guard inner.width >= 30, inner.height >= 4 else { return }
        let f = detail.figures
        var y = inner.y
        var x = inner.x + 1
        x += buffer.write("\(Formatting.rate(f.rps)) req/s · \(f.requests) requests · ", x: x, y: y, clip: inner)
        for (cls, count) in [(StatusClass.error, f.errors), (.throttle, f.throttles), (.fault, f.faults)] {
            let text = "\(glyphs.marker(cls)) \(cls) \(count) (\(Formatting.percent(f.rate(cls) ?? 0)))  "
            x += buffer.write(
                text, x: x, y: y, style: Style(count > 0 ? StyleRole.forClass(cls) : .dim, bold: count > 0), clip: inner
            )
        }
        y += 1
        let latencyLine =
            "latency avg \(Formatting.millis(f.avgMillis)) · p50 \(Formatting.millis(f.p50)) · "
            + "p90 \(Formatting.millis(f.p90)) · p99 \(Formatting.millis(f.p99)) · max \(Formatting.millis(f.maxMillis))"
        buffer.write(latencyLine, x: inner.x + 1, y: y, style: Style(.dim), clip: inner)
        y += 2

        // Charts on the left; calls and phases on the right when wide enough, else below.
        let content = Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y)
        let wide = content.width >= 110
        let (left, right) =
            wide ? content.splitLeft(content.width / 2) : (content, Rect(x: 0, y: 0, width: 0, height: 0))
        let chartHeight = max(3, min(8, (left.height - 5) / 2))
        let (rateArea, rest) = left.splitTop(chartHeight + 3)
        rates(detail.series, window: model.window, in: rateArea, on: &buffer, glyphs: glyphs)
        let histogramRows = wide ? rest.height - 1 : min(rest.height - 1, max(4, rest.height / 2))
        let (histogramArea, below) = rest.splitTop(max(0, histogramRows + 1))
        latency(detail, in: histogramArea, on: &buffer, glyphs: glyphs)
        let tables = wide ? right : below
        if case .edge(let edge) = detail.subject {
            explainEdge(edge, in: tables, on: &buffer)
        } else {
            calls(detail, selected: state.panelCall, in: tables, on: &buffer, glyphs: glyphs)
        }
    }

    /// What an edge's figures are: the caller's measurements of its calls (X-Ray's rule), or the callee's own when
    /// the caller has no call span (a Lambda function under its service).
    static func explainEdge(_ edge: EdgeKey, in rect: Rect, on buffer: inout ScreenBuffer) {
        let lines = [
            "Every request from \(edge.from.name)",
            "to \(edge.to.name) in the window, timed on",
            "the caller's side (its call span) as X-Ray's",
            "service map does; where the caller records",
            "no call, on the callee's side.",
        ]
        for (i, line) in lines.enumerated() where rect.y + i < rect.maxY {
            buffer.write(line, x: rect.x + 1, y: rect.y + i, style: Style(.dim), clip: rect)
        }
    }

    /// Requests per second, one column per second (or per few seconds when the window is wider than the area),
    /// each column stacked ok / error / throttle / fault from the bottom.
    static func rates(
        _ series: [RateSeries.Bucket], window: TimeWindow, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        guard rect.height >= 4, rect.width >= 20 else { return }
        let chartHeight = rect.height - 3
        let labelWidth = 8
        let chartWidth = rect.width - labelWidth - 2
        let perColumn = max(1, (series.count + chartWidth - 1) / max(1, chartWidth))
        var columns: [RateSeries.Bucket] = []
        var index = series.count % perColumn == 0 ? 0 : -(perColumn - series.count % perColumn)
        while index < series.count {
            var sum = RateSeries.Bucket()
            for i in max(0, index)..<min(series.count, index + perColumn) {
                sum.add(series[i])
            }
            columns.append(sum)
            index += perColumn
        }
        let peak = Double(columns.map(\.total).max() ?? 0) / Double(perColumn)
        let seconds = series.count
        let caption =
            "requests/s, last \(seconds >= 60 ? "\(seconds / 60)m" : "\(seconds)s")\(perColumn > 1 ? ", \(perColumn) s per column" : "")"
        buffer.write(caption, x: rect.x + 1, y: rect.y, style: Style(.title, bold: true), clip: rect)
        // The legend goes under the axis.
        var x = rect.x + labelWidth + 1
        for (cls, name) in [(StatusClass.ok, "ok"), (.error, "error"), (.throttle, "throttle"), (.fault, "fault")] {
            x += buffer.write(
                glyphs.fullBlock, x: x, y: rect.maxY - 1, style: Style(StyleRole.forClass(cls)), clip: rect)
            x += buffer.write(" \(name)  ", x: x, y: rect.maxY - 1, style: Style(.dim), clip: rect)
        }
        let top = rect.y + 1
        buffer.write(
            DisplayWidth.pad(Formatting.rate(peak), to: labelWidth - 1, alignRight: true), x: rect.x, y: top,
            style: Style(.dim), clip: rect)
        buffer.write(
            DisplayWidth.pad("0", to: labelWidth - 1, alignRight: true), x: rect.x, y: top + chartHeight - 1,
            style: Style(.dim), clip: rect)
        let chartX = rect.x + labelWidth + 1
        let axisY = top + chartHeight
        buffer.write(
            String(repeating: glyphs.horizontal, count: chartWidth), x: chartX, y: axisY, style: Style(.border),
            clip: rect)
        guard peak > 0 else {
            buffer.write(
                "no requests in the window", x: chartX + 1, y: top + chartHeight / 2, style: Style(.dim), clip: rect)
            return
        }
        let scale = Double(chartHeight) / (peak * Double(perColumn))
        for (i, column) in columns.suffix(chartWidth).enumerated() {
            guard column.total > 0 else { continue }
            let x = chartX + chartWidth - min(chartWidth, columns.count) + i
            // Cells per class, bottom-up; every class present gets at least one cell so a lone fault is never lost.
            var cells: [(StatusClass, Int)] = []
            for (cls, count) in [
                (StatusClass.ok, column.ok), (.error, column.error), (.throttle, column.throttle),
                (.fault, column.fault),
            ]
            where count > 0 {
                cells.append((cls, max(1, Int((Double(count) * scale).rounded()))))
            }
            var y = axisY - 1
            for (cls, count) in cells {
                for _ in 0..<count where y >= top {
                    buffer.write(glyphs.fullBlock, x: x, y: y, style: Style(StyleRole.forClass(cls)), clip: rect)
                    y -= 1
                }
            }
        }
    }

    /// The latency distribution in logarithmic buckets, one row each, with the buckets holding p50, p90 and p99 marked.
    static func latency(
        _ detail: DashboardModel.NodeDetail, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        guard rect.height >= 3, rect.width >= 30 else { return }
        buffer.write(
            "latency distribution (\(detail.latency.count) requests)", x: rect.x + 1, y: rect.y,
            style: Style(.title, bold: true), clip: rect)
        let buckets = detail.latency.distribution(buckets: min(16, rect.height - 1))
        guard !buckets.isEmpty else { return }
        let peak = buckets.map(\.count).max() ?? 1
        let marks: [(String, Double?)] = [
            ("p50", detail.latency.percentileMillis(50)), ("p90", detail.latency.percentileMillis(90)),
            ("p99", detail.latency.percentileMillis(99)),
        ]
        let labelWidth = 9
        let countWidth = 7
        let markWidth = 14
        let barWidth = max(4, rect.width - labelWidth - countWidth - markWidth - 4)
        // Each percentile marks the first bucket whose upper edge reaches it.
        var marked: [Int: [String]] = [:]
        for (name, value) in marks {
            guard let value else { continue }
            let index = buckets.firstIndex { $0.upperMillis * 1.0000001 >= value } ?? buckets.count - 1
            marked[index, default: []].append(name)
        }
        let p90 = marks[1].1
        for (i, bucket) in buckets.enumerated() {
            let y = rect.y + 1 + i
            guard y < rect.maxY else { break }
            // The tail beyond p90 is drawn in the warning style.
            let tail = p90.map { bucket.upperMillis > $0 * 1.0000001 } ?? false
            var x = rect.x + 1
            x += buffer.write(
                DisplayWidth.pad(
                    glyphs.atMost + Formatting.millis(bucket.upperMillis), to: labelWidth, alignRight: true), x: x,
                y: y,
                style: Style(.dim), clip: rect)
            x += 1
            let length = bucket.count == 0 ? 0 : max(1, Int(Double(bucket.count) / Double(peak) * Double(barWidth)))
            buffer.write(
                String(repeating: glyphs.fullBlock, count: length), x: x, y: y, style: Style(tail ? .error : .ok),
                clip: rect)
            x += barWidth + 1
            x += buffer.write(
                DisplayWidth.pad("\(bucket.count)", to: countWidth, alignRight: true), x: x, y: y, style: Style(.dim),
                clip: rect)
            if let names = marked[i] {
                buffer.write(
                    " \(glyphs.arrowLeft) " + names.joined(separator: " "), x: x, y: y,
                    style: Style(.title, bold: true), clip: rect)
            }
        }
    }

    /// Calls in and out of the node, and a function's phases.
    static func calls(
        _ detail: DashboardModel.NodeDetail, selected: Int?, in rect: Rect, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        let function = detail.function
        var row = 0
        guard rect.height >= 2, rect.width >= 30 else { return }
        var y = rect.y
        func heading(_ text: String) {
            guard y < rect.maxY else { return }
            buffer.write(text, x: rect.x + 1, y: y, style: Style(.title, bold: true), clip: rect)
            y += 1
        }
        func edgeRow(_ name: String, _ figures: Summary.Figures) {
            guard y < rect.maxY else { return }
            let cls = figures.worstClass
            var x = rect.x + 1
            x += buffer.write(
                glyphs.marker(cls) + " ", x: x, y: y, style: Style(StyleRole.forClass(cls), bold: true), clip: rect)
            let nameWidth = max(8, rect.width - 37)
            x += buffer.write(
                DisplayWidth.pad(DisplayWidth.truncate(TerminalSafe.escape(name), to: nameWidth), to: nameWidth),
                x: x, y: y, clip: rect)
            let figuresText =
                " " + DisplayWidth.pad(Formatting.rate(figures.rps) + "/s", to: 8, alignRight: true)
                + DisplayWidth.pad(
                    Formatting.percent(Double(figures.requests - figures.ok) / Double(max(1, figures.requests))), to: 7,
                    alignRight: true)
                + DisplayWidth.pad(Formatting.millis(figures.p50), to: 8, alignRight: true)
                + DisplayWidth.pad(Formatting.millis(figures.p99), to: 8, alignRight: true)
            buffer.write(figuresText, x: x, y: y, style: Style(.dim), clip: rect)
            if row == selected {
                buffer.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1)) { $0.selected = true }
            }
            y += 1
        }
        heading(DisplayWidth.pad("called by", to: max(8, rect.width - 37) + 2) + "    req/s   fail     p50     p99")
        // Callers, then callees: the order Tab walks them in.
        func section(_ edges: [Summary.Edge], emptyText: String, name: (EdgeKey) -> String) {
            if edges.isEmpty, y < rect.maxY {
                buffer.write(emptyText, x: rect.x + 1, y: y, style: Style(.dim), clip: rect)
                y += 1
            }
            for edge in edges {
                edgeRow(name(edge.edge), edge.figures)
                row += 1
            }
        }
        section(detail.incoming, emptyText: "  (no callers in the window)") { $0.from.name }
        y += 1
        heading("calls")
        section(detail.outgoing, emptyText: "  (nothing downstream)") { $0.to.name }
        guard let function, function.invocations > 0 else { return }
        y += 1
        heading("function phases (all time)")
        if y < rect.maxY {
            buffer.write(
                "\(function.invocations) invocations · \(function.coldStarts) cold starts "
                    + "(\(Formatting.percent(function.coldStartRate)))", x: rect.x + 1, y: y, clip: rect)
            y += 1
        }
        let phases: [(String, LatencyHistogram, String, StyleRole)] = [
            ("dwell", function.dwell, glyphs.dwellBar, .barDwell),
            ("init", function.initialization, glyphs.initBar, .barInit),
            ("handler", function.handler, glyphs.handlerBar, .barHandler),
            ("overhead", function.overhead, glyphs.overheadBar, .barOverhead),
        ]
        let longest = phases.compactMap { $0.1.percentileMillis(90) }.max() ?? 1
        guard y < rect.maxY else { return }
        buffer.write(
            "  phase        n     p50     p90     p99", x: rect.x + 1, y: y, style: Style(.dim, bold: true), clip: rect)
        y += 1
        for (name, histogram, glyph, role) in phases where y < rect.maxY {
            var x = rect.x + 3
            x += buffer.write(DisplayWidth.pad(name, to: 9), x: x, y: y, clip: rect)
            let numbers =
                DisplayWidth.pad("\(histogram.count)", to: 5, alignRight: true)
                + DisplayWidth.pad(Formatting.millis(histogram.percentileMillis(50)), to: 8, alignRight: true)
                + DisplayWidth.pad(Formatting.millis(histogram.percentileMillis(90)), to: 8, alignRight: true)
                + DisplayWidth.pad(Formatting.millis(histogram.percentileMillis(99)), to: 8, alignRight: true) + " "
            x += buffer.write(numbers, x: x, y: y, style: Style(.dim), clip: rect)
            let room = max(0, rect.maxX - x - 1)
            let p90 = histogram.percentileMillis(90) ?? 0
            let length = p90 <= 0 ? 0 : max(1, Int(p90 / longest * Double(room)))
            buffer.write(String(repeating: glyph, count: length), x: x, y: y, style: Style(role), clip: rect)
            y += 1
        }
    }
}
