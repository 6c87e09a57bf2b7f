import TraceModel

/// What a cell means, not what colour it is: the backend maps roles to colours for the terminal's colour tier, and
/// to bold/dim/reverse when there is no colour (`NO_COLOR`), so every state stays visible either way.
public enum StyleRole: UInt8, Sendable, Hashable, CaseIterable {
    case plain
    case dim
    case title
    case border
    case header
    case ok
    case error
    case throttle
    case fault
    case inferred
    case client
    case keyHint
    case barDwell
    case barInit
    case barHandler
    case barOverhead
    case barSpan

    public static func forClass(_ cls: StatusClass) -> StyleRole {
        switch cls {
        case .ok: .ok
        case .error: .error
        case .throttle: .throttle
        case .fault: .fault
        }
    }
}

public struct Style: Sendable, Hashable {
    public var role: StyleRole
    public var bold: Bool
    /// The selected row or node.
    public var selected: Bool

    public init(_ role: StyleRole = .plain, bold: Bool = false, selected: Bool = false) {
        self.role = role
        self.bold = bold
        self.selected = selected
    }

    public static let plain = Style()
}

/// The characters the views draw with: box drawing and blocks, or plain ASCII for terminals that cannot (`--ascii`).
public struct Glyphs: Sendable {
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: String
    public var teeRight, teeLeft, arrowRight, arrowLeft: String
    /// Pointers to what lies above or below a scrolled area.
    public var arrowUp, arrowDown: String
    /// Corners where a map edge turns down (╮) or up (╯) after leaving its source.
    public var turnDown, turnUp: String
    public var bars: [String]
    public var fault, throttle, error: String
    public var fullBlock, lightBlock: String
    /// Timeline bars: a plain span, and a function's dwell, init, handler and overhead — distinct shapes, so the
    /// phases read apart without colour.
    public var spanBar, dwellBar, initBar, handlerBar, overheadBar: String
    /// Tree markers of the timeline, and the mark of a span on the critical path.
    public var expanded, collapsed, criticalPath: String
    /// "at most", before a histogram bucket's upper edge.
    public var atMost: String

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        teeRight: "├", teeLeft: "┤", arrowRight: "▶", arrowLeft: "◀", arrowUp: "▲", arrowDown: "▼", turnDown: "┐",
        turnUp: "┘", bars: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        fault: "✖", throttle: "⧗", error: "!", fullBlock: "█", lightBlock: "░",
        spanBar: "▆", dwellBar: "░", initBar: "▓", handlerBar: "█", overheadBar: "▒", expanded: "▾", collapsed: "▸",
        criticalPath: "●", atMost: "≤")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        teeRight: "+", teeLeft: "+", arrowRight: ">", arrowLeft: "<", arrowUp: "^", arrowDown: "v", turnDown: "+",
        turnUp: "+", bars: [" ", ".", ".", ":", ":", "|", "|", "#", "#"],
        fault: "X", throttle: "T", error: "!", fullBlock: "#", lightBlock: ".",
        spanBar: "=", dwellBar: ".", initBar: "%", handlerBar: "#", overheadBar: "~", expanded: "-", collapsed: "+",
        criticalPath: "*", atMost: "<=")

    public func marker(_ cls: StatusClass) -> String {
        switch cls {
        case .ok: " "
        case .error: error
        case .throttle: throttle
        case .fault: fault
        }
    }
}
