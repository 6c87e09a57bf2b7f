import TraceAnalysis
import TraceModel

/// Two traces side by side: spans aligned by operation path, the duration of each in both traces and the change,
/// the change of self time, spans only one has marked added (`+`) or removed (`-`), and each trace's critical path.
public enum CompareView {
    public static func draw(
        _ state: AppState, _ model: DashboardModel, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        guard let comparison = model.comparison else {
            Box.message(
                model.comparisonNote
                    ?? "This trace is no longer in memory (older traces are evicted first). Esc goes back.",
                title: "Compare", in: rect, on: &buffer, glyphs: glyphs)
            return
        }
        let baseKind: String
        if case .compare(_, .typical) = state.screen { baseKind = "typical" } else { baseKind = "marked" }
        let current = comparison.current
        let base = comparison.base
        let root = current.root.map(OperationPath.step(of:)) ?? "?"
        let title =
            "Compare · \(root) · \(millis(current.durationNanos)) vs \(baseKind) \(millis(base.durationNanos))"
            + " (\(delta(comparison.durationDelta))) · trace \(current.traceID) vs \(base.traceID)"
        let inner = Box(title: title, focused: true).draw(in: rect, on: &buffer, glyphs: glyphs)
        guard inner.width >= 40, inner.height >= 4 else { return }

        var summary =
            "\(comparison.rows.count) rows · \(comparison.added) added (+) · \(comparison.removed) removed (-)"
        if let largest = comparison.largestSelfChange, let change = largest.selfDelta, change != 0 {
            summary += " · largest self-time change: \(largest.step) \(delta(change))"
        }
        buffer.write(summary, x: inner.x, y: inner.y, style: Style(.dim), clip: inner)

        let figure = 9
        let nameX = inner.x + 5
        let nameWidth = max(10, inner.width - 5 - 4 * (figure + 1))
        var x = nameX + nameWidth + 1
        let header = inner.y + 1
        buffer.write(
            "\(glyphs.criticalPath) critical path: base, current", x: inner.x, y: header,
            style: Style(.dim, bold: true), clip: inner)
        for name in [baseKind, "this", "change", "self chg"] {
            buffer.write(
                DisplayWidth.pad(name, to: figure, alignRight: true), x: x, y: header, style: Style(.dim, bold: true),
                clip: inner)
            x += figure + 1
        }

        let listTop = header + 1
        let height = inner.maxY - listTop
        guard height > 0 else { return }
        let rows = comparison.rows
        let selected = min(state.compareRow, max(0, rows.count - 1))
        let first = selected >= height ? selected - height + 1 : 0
        for (line, index) in (first..<min(rows.count, first + height)).enumerated() {
            let row = rows[index]
            let y = listTop + line
            let cls = max(row.current?.statusClass ?? .ok, row.base?.statusClass ?? .ok)
            buffer.write(
                glyphs.marker(cls), x: inner.x, y: y, style: Style(StyleRole.forClass(cls), bold: true), clip: inner)
            let presence = row.base == nil ? "+" : row.current == nil ? "-" : " "
            buffer.write(
                presence, x: inner.x + 1, y: y, style: Style(row.base == nil ? .ok : .fault, bold: true), clip: inner)
            if row.base?.onCriticalPath == true {
                buffer.write(glyphs.criticalPath, x: inner.x + 2, y: y, style: Style(.dim), clip: inner)
            }
            if row.current?.onCriticalPath == true {
                buffer.write(glyphs.criticalPath, x: inner.x + 3, y: y, style: Style(.title), clip: inner)
            }
            var label = String(repeating: " ", count: min(row.depth, 12) * 2) + TerminalSafe.escape(row.step)
            if row.occurrence > 0 { label += " #\(row.occurrence + 1)" }
            buffer.write(
                DisplayWidth.truncate(label, to: nameWidth), x: nameX, y: y,
                style: Style(row.current == nil ? .dim : cls == .ok ? .plain : StyleRole.forClass(cls)), clip: inner)
            var cx = nameX + nameWidth + 1
            let cells: [(String, StyleRole)] = [
                (row.base.map { millis($0.durationNanos) } ?? "–", .dim),
                (row.current.map { millis($0.durationNanos) } ?? "–", .plain),
                (row.durationDelta.map(delta) ?? "", role(of: row.durationDelta, base: row.base?.durationNanos)),
                (row.selfDelta.map(delta) ?? "", role(of: row.selfDelta, base: row.base?.selfNanos)),
            ]
            for (text, role) in cells {
                buffer.write(
                    DisplayWidth.pad(text, to: figure, alignRight: true), x: cx, y: y, style: Style(role), clip: inner)
                cx += figure + 1
            }
            let line = Rect(x: inner.x, y: y, width: inner.width, height: 1)
            if index == selected { buffer.restyle(line) { $0.selected = true } }
            buffer.mark(line, as: .compareRow(index))
        }
    }

    /// A change worth a colour: slower by a tenth and a millisecond is a fault's red, faster by as much ok's green.
    private static func role(of change: Int64?, base: Int64?) -> StyleRole {
        guard let change, let base else { return .dim }
        let threshold = max(1_000_000, base / 10)
        if change > threshold { return .fault }
        if change < -threshold { return .ok }
        return .dim
    }

    private static func millis(_ nanos: Int64) -> String { Formatting.millis(Double(nanos) / 1e6) }

    private static func delta(_ nanos: Int64) -> String {
        (nanos > 0 ? "+" : nanos < 0 ? "-" : "±") + Formatting.millis(Double(abs(nanos)) / 1e6)
    }
}
