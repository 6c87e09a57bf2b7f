import TraceModel

/// Rows of cells in aligned columns, with a header, a selected row kept in view, and per-cell styles.
public struct Table {
    public struct Column {
        public var title: String
        /// Columns wide; 0 for the one column that takes the remaining width.
        public var width: Int
        public var alignRight: Bool

        public init(_ title: String, width: Int, alignRight: Bool = false) {
            self.title = title
            self.width = width
            self.alignRight = alignRight
        }
    }

    public struct Cell {
        public var text: String
        public var style: Style

        public init(_ text: String, _ style: Style = .plain) {
            self.text = text
            self.style = style
        }
    }

    public var columns: [Column]
    public var rows: [[Cell]]
    public var selected: Int?
    /// What each row stands for to the mouse, by row index.
    public var target: ((Int) -> HitTarget)?

    public init(columns: [Column], rows: [[Cell]], selected: Int? = nil, target: ((Int) -> HitTarget)? = nil) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.target = target
    }

    public func draw(in rect: Rect, on buffer: inout ScreenBuffer) {
        guard rect.height > 0 else { return }
        var x = rect.x
        // A column of width 0 takes whatever width the others leave.
        let fixed = columns.reduce(0) { $0 + $1.width + 1 }
        let widths = columns.map { $0.width == 0 ? max(0, rect.width - fixed) : $0.width }
        for (i, column) in columns.enumerated() {
            buffer.write(
                DisplayWidth.pad(column.title, to: widths[i], alignRight: column.alignRight), x: x, y: rect.y,
                style: Style(.header, bold: true), clip: rect)
            x += widths[i] + 1
        }
        let height = rect.height - 1
        guard height > 0 else { return }
        // Scroll just enough to keep the selected row in view.
        var first = 0
        if let selected, selected >= height { first = min(selected - height + 1, max(0, rows.count - height)) }
        for (line, rowIndex) in (first..<min(rows.count, first + height)).enumerated() {
            let y = rect.y + 1 + line
            var x = rect.x
            for (i, cell) in rows[rowIndex].enumerated() where i < widths.count {
                buffer.write(
                    DisplayWidth.pad(TerminalSafe.escape(cell.text), to: widths[i], alignRight: columns[i].alignRight),
                    x: x, y: y, style: cell.style, clip: rect)
                x += widths[i] + 1
            }
            if rowIndex == selected {
                buffer.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1)) { $0.selected = true }
            }
            if let target { buffer.mark(Rect(x: rect.x, y: y, width: rect.width, height: 1), as: target(rowIndex)) }
        }
    }
}
