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
    public var teeRight, teeLeft, arrowRight: String
    /// Corners where a map edge turns down (╮) or up (╯) after leaving its source.
    public var turnDown, turnUp: String
    public var bars: [String]
    public var fault, throttle, error: String
    public var fullBlock, lightBlock: String

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        teeRight: "├", teeLeft: "┤", arrowRight: "▶", turnDown: "┐", turnUp: "┘", bars: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        fault: "✖", throttle: "⧗", error: "!", fullBlock: "█", lightBlock: "░")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        teeRight: "+", teeLeft: "+", arrowRight: ">", turnDown: "+", turnUp: "+", bars: [" ", ".", ".", ":", ":", "|", "|", "#", "#"],
        fault: "X", throttle: "T", error: "!", fullBlock: "#", lightBlock: ".")

    public func marker(_ cls: StatusClass) -> String {
        switch cls {
        case .ok: " "
        case .error: error
        case .throttle: throttle
        case .fault: fault
        }
    }
}
