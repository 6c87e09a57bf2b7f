/// A bordered box with a title in its top edge.
public struct Box {
    public var title: String
    public var focused: Bool

    public init(title: String, focused: Bool = false) {
        self.title = title
        self.focused = focused
    }

    /// Draws the border and title; returns the area inside.
    @discardableResult
    public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let style = Style(focused ? .title : .border, bold: focused)
        let horizontal = String(repeating: glyphs.horizontal, count: rect.width - 2)
        buffer.write(glyphs.topLeft + horizontal + glyphs.topRight, x: rect.x, y: rect.y, style: style)
        buffer.write(glyphs.bottomLeft + horizontal + glyphs.bottomRight, x: rect.x, y: rect.maxY - 1, style: style)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            buffer.write(glyphs.vertical, x: rect.x, y: y, style: style)
            buffer.write(glyphs.vertical, x: rect.maxX - 1, y: y, style: style)
        }
        if !title.isEmpty, rect.width > 6 {
            buffer.write(
                " " + title + " ", x: rect.x + 2, y: rect.y, style: Style(.title, bold: true),
                clip: Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: 1))
        }
        return rect.inner
    }

    /// A box holding one dimmed line: what an empty or unavailable view says instead of its content.
    public static func message(
        _ text: String, title: String, in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        let inner = Box(title: title, focused: true).draw(in: rect, on: &buffer, glyphs: glyphs)
        buffer.write(text, x: inner.x, y: inner.y, style: Style(.dim), clip: inner)
    }
}
