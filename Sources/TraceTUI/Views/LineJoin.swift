/// Joins box-drawing line glyphs by the directions they connect.
enum LineJoin {
    private static let up: UInt8 = 1, down: UInt8 = 2, left: UInt8 = 4, right: UInt8 = 8

    /// The directions a line glyph connects (0 for anything else). A switch on the one scalar, not a dictionary:
    /// this runs for every cell an edge crosses, every frame.
    private static func mask(_ glyph: String) -> UInt8 {
        guard let scalar = glyph.unicodeScalars.first else { return 0 }
        switch scalar {
        case "─": return left | right
        case "│": return up | down
        case "┌": return down | right
        case "┐": return down | left
        case "└": return up | right
        case "┘": return up | left
        case "├": return up | down | right
        case "┤": return up | down | left
        case "┬": return down | left | right
        case "┴": return up | left | right
        case "┼": return up | down | left | right
        default: return 0
        }
    }

    private static func glyph(_ mask: UInt8) -> String? {
        switch mask {
        case left | right: "─"
        case up | down: "│"
        case down | right: "┌"
        case down | left: "┐"
        case up | right: "└"
        case up | left: "┘"
        case up | down | right: "├"
        case up | down | left: "┤"
        case down | left | right: "┬"
        case up | left | right: "┴"
        case up | down | left | right: "┼"
        default: nil
        }
    }

    /// The glyph joining `existing` and `new`, or nil when either is not a line glyph.
    static func join(_ existing: String, _ new: String) -> String? {
        let a = mask(existing)
        let b = mask(new)
        if a != 0, b != 0 { return glyph(a | b) }
        let ascii = { (s: String) in s == "-" || s == "|" || s == "+" }
        if ascii(existing), ascii(new) { return existing == new ? new : "+" }
        return nil
    }
}
