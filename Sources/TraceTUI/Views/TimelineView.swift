import TraceAnalysis
import TraceModel

/// One trace as a waterfall: a tree of spans on the left, bars on a shared time axis on the right (function phases
/// in their own shapes and styles), the critical path marked, and the selected span's details below.
public enum TimelineView {
    public static func draw(
        _ state: AppState, _ model: DashboardModel, in rect: Rect, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        guard let timeline = model.timeline else {
            Box.message(
                "This trace is no longer in memory (older traces are evicted first). Esc goes back.", title: "Trace",
                in: rect, on: &buffer, glyphs: glyphs)
            return
        }
        let rows = timeline.visibleRows(collapsed: state.collapsed)
        let selected = min(state.timelineRow, max(0, rows.count - 1))
        var rect = rect
        if let draft = state.timelineSearchDraft {
            let (prompt, rest) = rect.splitTop(1)
            DashboardView.drawPrompt("search spans: ", draft: draft, error: nil, in: prompt, on: &buffer)
            rect = rest
        }
        // The spans the search matched, by index into `spans`.
        var matched = Set<Int>()
        var searchNote = ""
        if let query = state.timelineSearch {
            let matches = TimelineSearch.matches(query, in: timeline)
            matched = Set(matches.map { timeline.rows[$0].span })
            let here = rows.isEmpty ? nil : timeline.rows.firstIndex { $0.span == rows[selected].span }
            let position = here.flatMap { matches.firstIndex(of: $0) }.map { "match \($0 + 1) of " } ?? ""
            searchNote =
                "/\(query): \(matches.isEmpty ? "no match" : position + "\(matches.count)")"
                + " · n next · N previous · Esc clears"
        }
        // The detail pane takes the lower part when there is room for both.
        let detailHeight = rect.height >= 20 ? max(7, rect.height * 2 / 5) : 0
        let (top, bottom) = rect.splitBottom(detailHeight)
        let root = timeline.spans.first.map { _ in timeline.rows.first.map { timeline.label(of: $0) } ?? "" } ?? ""
        let worst = timeline.rows.map(\.subtreeWorst).max() ?? .ok
        // What matters first, so a narrow terminal cuts only the id.
        let marked = state.markedTrace == timeline.traceID ? " · marked" : ""
        let title =
            "\(root) · \(Formatting.millis(Double(timeline.durationNanos) / 1e6))"
            + " · \(worst == .ok ? "ok" : "\(worst)") · \(timeline.spans.count) spans\(marked)"
            + " · trace \(timeline.traceID)"
        let inner = Box(title: title, focused: true).draw(in: top, on: &buffer, glyphs: glyphs)
        guard inner.width >= 30, inner.height >= 3 else { return }

        let nameWidth = min(56, max(22, inner.width * 36 / 100))
        let durationWidth = 9
        let barX = inner.x + 2 + nameWidth + 1 + durationWidth + 1
        let barWidth = inner.maxX - barX
        if searchNote.isEmpty {
            legend(at: inner.x, y: inner.y, clip: inner, on: &buffer, glyphs: glyphs)
        } else {
            // While searching, the legend's line says what the search found.
            buffer.write(searchNote, x: inner.x, y: inner.y, style: Style(.header, bold: true), clip: inner)
        }
        axis(timeline, x: barX, y: inner.y + 1, width: barWidth, nameX: inner.x + 2, clip: inner, on: &buffer)

        let listTop = inner.y + 2
        let listHeight = inner.maxY - listTop
        guard listHeight > 0 else { return }
        let first = selected >= listHeight ? selected - listHeight + 1 : 0
        for (line, index) in (first..<min(rows.count, first + listHeight)).enumerated() {
            let row = rows[index]
            let y = listTop + line
            let span = timeline.spans[row.span]
            let isCollapsed = state.collapsed.contains(span.id)
            // A collapsed span carries the worst class of what it hides, so a fault deep inside stays visible.
            let cls = isCollapsed ? row.subtreeWorst : span.statusClass
            buffer.write(
                glyphs.marker(cls), x: inner.x, y: y, style: Style(StyleRole.forClass(cls), bold: true), clip: inner)
            if row.onCriticalPath {
                buffer.write(glyphs.criticalPath, x: inner.x + 1, y: y, style: Style(.title), clip: inner)
            }
            let tree = row.hasChildren ? (isCollapsed ? glyphs.collapsed : glyphs.expanded) : " "
            let indent = String(repeating: " ", count: min(row.depth, 12) * 2)
            let label = DisplayWidth.truncate(
                indent + tree + " " + TerminalSafe.escape(timeline.label(of: row)), to: nameWidth)
            let isMatch = matched.contains(row.span)
            buffer.write(
                label, x: inner.x + 2, y: y,
                style: Style(
                    isMatch ? .header : span.isSegment ? .title : cls == .ok ? .plain : StyleRole.forClass(cls),
                    bold: span.isSegment || isMatch),
                clip: inner)
            let duration = span.inProgress ? "running" : Formatting.millis(Double(span.duration) / 1e6)
            buffer.write(
                DisplayWidth.pad(duration, to: durationWidth, alignRight: true), x: inner.x + 2 + nameWidth + 1, y: y,
                style: Style(.dim), clip: inner)
            bar(
                span, row: row, timeline: timeline, x: barX, y: y, width: barWidth, clip: inner, on: &buffer,
                glyphs: glyphs)
            if index == selected {
                buffer.restyle(Rect(x: inner.x, y: y, width: inner.width, height: 1)) { $0.selected = true }
            }
            buffer.mark(Rect(x: inner.x, y: y, width: inner.width, height: 1), as: .timelineRow(index))
        }
        if detailHeight > 0, !rows.isEmpty {
            detail(
                timeline.spans[rows[selected].span], traceStart: timeline.start, scroll: state.detailsScroll,
                focused: state.detailsFocused, in: bottom, on: &buffer, glyphs: glyphs)
        }
    }

    static func legend(at x: Int, y: Int, clip: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) {
        var cursor = x
        let items: [(String, String, StyleRole)] = [
            (glyphs.criticalPath, "critical path", .title), (glyphs.dwellBar, "dwell", .barDwell),
            (glyphs.initBar, "init", .barInit),
            (glyphs.handlerBar, "handler", .barHandler), (glyphs.overheadBar, "overhead", .barOverhead),
            (glyphs.spanBar, "span", .barSpan),
        ]
        for (glyph, name, role) in items {
            cursor += buffer.write(glyph + glyph, x: cursor, y: y, style: Style(role), clip: clip)
            cursor += buffer.write(" \(name)   ", x: cursor, y: y, style: Style(.dim), clip: clip)
        }
    }

    /// Tick labels at the start, quarters and end of the trace.
    static func axis(
        _ timeline: TraceTimeline, x: Int, y: Int, width: Int, nameX: Int, clip: Rect, on buffer: inout ScreenBuffer
    ) {
        buffer.write("span", x: nameX, y: y, style: Style(.dim, bold: true), clip: clip)
        buffer.write(
            DisplayWidth.pad("duration", to: 9, alignRight: true), x: x - 10, y: y, style: Style(.dim, bold: true),
            clip: clip)
        guard width >= 12 else { return }
        let total = Double(timeline.durationNanos) / 1e6
        let ticks = width >= 48 ? 4 : 2
        for tick in 0...ticks {
            let label = tick == 0 ? "0" : Formatting.millis(total * Double(tick) / Double(ticks))
            let position = x + (width - 1) * tick / ticks
            let labelX =
                tick == ticks
                ? position - DisplayWidth.of(label) + 1 : tick == 0 ? position : position - DisplayWidth.of(label) / 2
            buffer.write(label, x: labelX, y: y, style: Style(.dim), clip: clip)
        }
    }

    static func bar(
        _ span: Span, row: TraceTimeline.Row, timeline: TraceTimeline, x: Int, y: Int, width: Int, clip: Rect,
        on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        guard width > 0 else { return }
        let total = Double(max(1, timeline.durationNanos))
        let end = span.end ?? timeline.end
        // A column for a time, kept within a column of the axis before it becomes an Int: a span far outside the
        // trace's extent (an in-progress span starting years after the rest) would otherwise overflow the conversion.
        func column(_ nanos: EpochNanos, _ rule: FloatingPointRoundingRule) -> Int {
            Int(
                (Double(nanos - timeline.start) / total * Double(width)).rounded(rule).clamped(
                    to: -1...Double(width + 1)))
        }
        let from = column(span.start, .down)
        let to = column(end, .up)
        let start = max(0, min(width - 1, from))
        let length = max(1, min(width - start, to - start))
        let (glyph, role): (String, StyleRole)
        switch row.phase {
        case .dwell?: (glyph, role) = (glyphs.dwellBar, .barDwell)
        case .initialization?, .restore?: (glyph, role) = (glyphs.initBar, .barInit)
        case .invocation?: (glyph, role) = (glyphs.handlerBar, .barHandler)
        case .overhead?: (glyph, role) = (glyphs.overheadBar, .barOverhead)
        case .attempt?, nil:
            let cls = span.statusClass
            (glyph, role) = (
                span.inProgress ? glyphs.lightBlock : glyphs.spanBar, cls == .ok ? .barSpan : StyleRole.forClass(cls)
            )
        }
        buffer.write(String(repeating: glyph, count: length), x: x + start, y: y, style: Style(role), clip: clip)
    }

    /// The selected span's details from line `scroll`; the title says which lines show when not all fit.
    static func detail(
        _ span: Span, traceStart: EpochNanos, scroll: Int, focused: Bool, in rect: Rect,
        on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        let lines = SpanDetail.lines(of: span, traceStart: traceStart)
        let room = max(0, rect.height - 2)
        let first = max(0, min(scroll, lines.count - room))
        let shown = lines[first..<min(lines.count, first + room)]
        var title = "Details"
        if lines.count > room {
            title +=
                " · lines \(first + 1)–\(first + shown.count) of \(lines.count)"
                + (focused ? " · j/k scroll" : " · Tab to scroll")
        }
        let inner = Box(title: title, focused: focused).draw(in: rect, on: &buffer, glyphs: glyphs)
        guard !inner.isEmpty else { return }
        let labelWidth = min(24, max(8, lines.map { DisplayWidth.of($0.label) }.max() ?? 8))
        for (y, line) in zip(inner.y..., shown) {
            buffer.write(
                DisplayWidth.truncate(line.label, to: labelWidth), x: inner.x + 1, y: y, style: Style(.dim, bold: true),
                clip: inner)
            let valueX = inner.x + 2 + labelWidth
            buffer.write(
                DisplayWidth.truncate(line.value, to: max(0, inner.maxX - valueX)), x: valueX, y: y,
                style: Style(line.role), clip: inner)
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
