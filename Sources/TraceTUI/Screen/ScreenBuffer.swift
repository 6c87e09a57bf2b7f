import TraceModel

/// A grid of cells that widgets draw into, ratatui-style: pure Swift, so every view renders to text in tests, and
/// the ncurses backend only diffs and flushes it.
///
/// Text is made inert before it is stored (`TerminalSafe`): no byte from a span can reach the terminal as a control
/// sequence. Wide characters take two cells (the second is a continuation), and are never split at an edge.
public struct ScreenBuffer: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        /// One grapheme; empty for the right half of a wide character.
        public var text: String
        public var style: Style

        public static let blank = Cell(text: " ", style: .plain)
    }

    /// A place on the screen and what it stands for.
    public struct Target: Sendable, Equatable {
        public var rect: Rect
        public var hit: HitTarget
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// What the views said their places stand for, in drawing order (a later one drawn over an earlier wins).
    public private(set) var targets: [Target] = []

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Records that `rect` (clipped to the screen) stands for `hit`.
    public mutating func mark(_ rect: Rect, as hit: HitTarget) {
        let visible = rect.intersection(area)
        if !visible.isEmpty { targets.append(Target(rect: visible, hit: hit)) }
    }

    /// What the point (x, y) stands for: the last target drawn there.
    public func target(atX x: Int, y: Int) -> HitTarget? {
        targets.last { x >= $0.rect.x && x < $0.rect.maxX && y >= $0.rect.y && y < $0.rect.maxY }?.hit
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y), clipped to `clip` (default: the whole buffer); returns the columns used.
    /// Untrusted text is escaped first.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, clip: Rect? = nil) -> Int {
        let bounds = (clip ?? area).intersection(area)
        guard y >= bounds.y, y < bounds.maxY, x < bounds.maxX else { return 0 }
        var column = x
        for character in TerminalSafe.escape(text) {
            let w = DisplayWidth.of(character)
            if w == 0 { continue }
            if column + w > bounds.maxX { break }
            if column >= bounds.x {
                self[column, y] = Cell(text: String(character), style: style)
                if w == 2 { self[column + 1, y] = Cell(text: "", style: style) }
            }
            column += w
        }
        return column - x
    }

    /// Fills a rectangle with one character and style.
    public mutating func fill(_ rect: Rect, with text: String = " ", style: Style = .plain) {
        let r = rect.intersection(area)
        guard r.width > 0, r.height > 0 else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { self[x, y] = Cell(text: text, style: style) }
        }
    }

    /// Changes the style of cells without touching their text (highlighting a selected row).
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        let r = rect.intersection(area)
        guard r.width > 0, r.height > 0 else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { change(&self[x, y].style) }
        }
    }

    /// The buffer as plain text lines (trailing spaces trimmed): what golden tests compare.
    public var lines: [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width { line += self[x, y].text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") }
}

/// A rectangle of cells.
public struct Rect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }

    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x)
        let y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX)
        let y1 = min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }

    /// The rectangle inside a one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }

    /// Splits off `rows` rows from the top: (top, rest).
    public func splitTop(_ rows: Int) -> (Rect, Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }

    /// Splits off `rows` rows from the bottom: (rest, bottom).
    public func splitBottom(_ rows: Int) -> (Rect, Rect) {
        let r = min(max(0, rows), height)
        return (
            Rect(x: x, y: y, width: width, height: height - r), Rect(x: x, y: y + height - r, width: width, height: r)
        )
    }

    /// Splits into a left part of `columns` and the rest.
    public func splitLeft(_ columns: Int) -> (Rect, Rect) {
        let c = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }
}
