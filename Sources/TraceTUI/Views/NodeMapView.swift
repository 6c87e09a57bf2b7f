import TraceAnalysis
import TraceModel

/// The service map: nodes as boxes in layers, left to right, edges as orthogonal lines into the callee. Each box is
/// styled and marked by its node's worst state, with req/s and the share of failed requests; client and inferred nodes
/// are drawn in their own style. When the map is larger than its area it scrolls to keep the selected node in view.
public enum NodeMapView {
    static let boxHeight = 4
    static let rowGap = 1

    /// Nodes out of view above or below (columns out of view to the sides have their own hints): how many, and the
    /// worst of them, so the caller can say so where there is room — a faulting service must not sit out of sight
    /// unannounced.
    public struct Hidden: Sendable, Equatable {
        public var count: Int
        public var worst: NodeKey
        public var worstClass: StatusClass
    }

    static let gap = 5

    /// How wide a box is when `layers` layers share `width` columns.
    static func boxWidth(layers: Int, width: Int) -> Int {
        max(14, min(26, (width - gap * (layers - 1)) / max(1, layers)))
    }

    /// Whether the layout is worth showing whole in an area `height` rows tall: its tallest layer needs at most two
    /// screens, so following the selection up and down shows every node with little scrolling (the borders name
    /// what is above and below). Columns beyond the width are not counted: `[`/`]` pan to them, and the border says
    /// they are there.
    public static func fits(_ layout: LayeredLayout, height: Int) -> Bool {
        let tallest = layout.layers.map(\.count).max() ?? 0
        return tallest * (boxHeight + rowGap) - rowGap <= 2 * height
    }

    /// Draws the map; returns what it could not show above and below.
    /// - Parameters:
    ///   - pan: columns to scroll right beyond what keeps the selection in view (`[`/`]`), clamped to the map.
    /// A neighbourhood's calls to and from nodes not drawn (`DashboardModel.outOfView`) are written on each box's
    /// bottom border (`←3 12→`).
    @discardableResult
    public static func draw(
        _ model: DashboardModel, selected: NodeKey?, pan: Int = 0,
        in rect: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) -> (above: Hidden?, below: Hidden?) {
        let layout = model.layout
        guard !layout.layers.isEmpty, rect.width >= 20, rect.height >= boxHeight else { return (nil, nil) }
        let layers = layout.layers.count
        let boxWidth = Self.boxWidth(layers: layers, width: rect.width)
        let positions = layout.positions
        func origin(_ node: NodeKey) -> (x: Int, y: Int)? {
            positions[node].map { (layer, row) in (layer * (boxWidth + gap), row * (boxHeight + rowGap)) }
        }
        // Scroll so the selected node is in view.
        var scrollX = 0
        var scrollY = 0
        if let selected, let o = origin(selected) {
            if o.x + boxWidth > rect.width { scrollX = o.x + boxWidth - rect.width }
            if o.y + boxHeight > rect.height { scrollY = o.y + boxHeight - rect.height }
        }
        let contentWidth = layers * (boxWidth + gap) - gap
        scrollX = max(0, min(scrollX + pan, contentWidth - rect.width))
        let figures = Dictionary(model.mapNodes.map { ($0.node, $0) }, uniquingKeysWith: { a, _ in a })

        for edge in model.mapEdges {
            guard let from = origin(edge.edge.from), let to = origin(edge.edge.to) else { continue }
            let style = Style(edge.worst == .ok ? .border : StyleRole.forClass(edge.worst))
            let y0 = rect.y + from.y + 1 - scrollY
            let y1 = rect.y + to.y + 1 - scrollY
            let x0 = rect.x + from.x + boxWidth - scrollX
            let x1 = rect.x + to.x - 1 - scrollX
            let mid = x0 + 2
            // Up to the turn, not onto it: the corner glyph goes there (a line under it would join into a tee).
            horizontal(
                from: x0, to: y1 == y0 ? mid : mid - 1, y: y0, style: style, in: rect, on: &buffer, glyphs: glyphs)
            if y1 != y0 {
                for y in (min(y0, y1) + 1)..<max(y0, y1) { put(glyphs.vertical, mid, y, style, rect, &buffer) }
                put(y1 > y0 ? glyphs.turnDown : glyphs.turnUp, mid, y0, style, rect, &buffer)
                put(y1 > y0 ? glyphs.bottomLeft : glyphs.topLeft, mid, y1, style, rect, &buffer)
            }
            horizontal(from: mid + 1, to: x1, y: y1, style: style, in: rect, on: &buffer, glyphs: glyphs)
            put(glyphs.arrowRight, x1, y1, style, rect, &buffer)
        }

        for (node, position) in positions {
            guard let o = origin(node), let f = figures[node] else { continue }
            let box = Rect(x: rect.x + o.x - scrollX, y: rect.y + o.y - scrollY, width: boxWidth, height: boxHeight)
            let cls = f.figures.worstClass
            let role: StyleRole =
                cls != .ok
                ? StyleRole.forClass(cls) : node.isClient ? .client : node.kind == .inferred ? .inferred : .border
            let isSelected = node == selected
            drawBox(box, role: role, selected: isSelected, clip: rect, on: &buffer, glyphs: glyphs)
            buffer.mark(box.intersection(rect), as: .mapNode(node))
            // The type's last word on the top border tells two nodes of one name apart (a Lambda's two nodes).
            if let type = node.type, !node.isClient, boxWidth > 8 {
                let word = String(type.split(separator: ":").last ?? Substring(type)).lowercased()
                buffer.write(
                    " " + DisplayWidth.truncate(word, to: boxWidth - 6) + " ", x: box.x + 2, y: box.y,
                    style: Style(role, selected: isSelected), clip: rect)
            }
            let inner = box.inner.intersection(rect)
            let name = (cls == .ok ? "" : glyphs.marker(cls) + " ") + node.name
            buffer.write(
                DisplayWidth.truncate(TerminalSafe.escape(name), to: boxWidth - 2), x: box.x + 1, y: box.y + 1,
                style: Style(cls == .ok ? .plain : role, bold: true, selected: isSelected), clip: inner)
            let failed =
                f.figures.requests == 0 ? 0 : Double(f.figures.requests - f.figures.ok) / Double(f.figures.requests)
            let stats = node.isClient ? "callers" : "\(Formatting.rate(f.figures.rps))/s \(Formatting.percent(failed))"
            buffer.write(stats, x: box.x + 1, y: box.y + 2, style: Style(.dim, selected: isSelected), clip: inner)
            if let hidden = model.outOfView[node], hidden.callers + hidden.callees > 0 {
                var label = " "
                if hidden.callers > 0 { label += "\(glyphs.arrowLeft)\(hidden.callers) " }
                if hidden.callees > 0 { label += "\(hidden.callees)\(glyphs.arrowRight) " }
                buffer.write(
                    DisplayWidth.truncate(label, to: boxWidth - 2), x: box.x + 1, y: box.maxY - 1,
                    style: Style(.keyHint, selected: isSelected), clip: rect)
            }
            _ = position
        }
        // Say that the map goes on beyond the edges, and how to get there.
        if scrollX > 0 {
            buffer.write(
                "\(glyphs.arrowLeft) [", x: rect.x, y: rect.maxY - 1, style: Style(.keyHint, bold: true), clip: rect)
        }
        if contentWidth - scrollX > rect.width {
            buffer.write(
                "] \(glyphs.arrowRight)", x: rect.maxX - 3, y: rect.maxY - 1, style: Style(.keyHint, bold: true),
                clip: rect)
        }

        var above: [NodeKey] = []
        var below: [NodeKey] = []
        for node in positions.keys {
            guard let o = origin(node), o.x - scrollX + boxWidth > 0, o.x - scrollX < rect.width else { continue }
            let nameRow = o.y + 1 - scrollY
            if nameRow < 0 { above.append(node) } else if nameRow >= rect.height { below.append(node) }
        }
        func hidden(_ nodes: [NodeKey]) -> Hidden? {
            let classOf = { (node: NodeKey) in figures[node]?.figures.worstClass ?? .ok }
            // The most severe first; among equals, the first by name, so the label holds still between frames.
            guard let worst = nodes.max(by: { a, b in classOf(a) != classOf(b) ? classOf(a) < classOf(b) : a > b })
            else { return nil }
            return Hidden(count: nodes.count, worst: worst, worstClass: classOf(worst))
        }
        return (hidden(above), hidden(below))
    }

    /// `▼ 2 more: ✖ payments` — what `draw` could not show on one side, the worst of it named in its class's colour
    /// (selecting it in the services list scrolls the map to it) — centred over a border row within `span`.
    public static func drawHidden(
        _ hidden: Hidden, arrow: String, in span: Rect, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        var text = " \(arrow) \(hidden.count) more"
        var role = StyleRole.keyHint
        if hidden.worstClass != .ok {
            text += ": \(glyphs.marker(hidden.worstClass)) \(TerminalSafe.escape(hidden.worst.name))"
            role = StyleRole.forClass(hidden.worstClass)
        }
        text += " "
        guard span.width >= 12 else { return }
        let label = DisplayWidth.truncate(text, to: span.width)
        let x = span.x + (span.width - DisplayWidth.of(label)) / 2
        buffer.write(label, x: x, y: span.y, style: Style(role, bold: true), clip: span)
    }

    private static func drawBox(
        _ box: Rect, role: StyleRole, selected: Bool, clip: Rect, on buffer: inout ScreenBuffer, glyphs: Glyphs
    ) {
        let style = Style(role, bold: role != .border, selected: selected)
        let line = String(repeating: glyphs.horizontal, count: max(0, box.width - 2))
        buffer.write(glyphs.topLeft + line + glyphs.topRight, x: box.x, y: box.y, style: style, clip: clip)
        buffer.write(glyphs.bottomLeft + line + glyphs.bottomRight, x: box.x, y: box.maxY - 1, style: style, clip: clip)
        for y in (box.y + 1)..<(box.maxY - 1) {
            buffer.write(glyphs.vertical, x: box.x, y: y, style: style, clip: clip)
            buffer.write(
                String(repeating: " ", count: max(0, box.width - 2)), x: box.x + 1, y: y,
                style: Style(.plain, selected: selected), clip: clip)
            buffer.write(glyphs.vertical, x: box.maxX - 1, y: y, style: style, clip: clip)
        }
    }

    private static func horizontal(
        from x0: Int, to x1: Int, y: Int, style: Style, in rect: Rect, on buffer: inout ScreenBuffer,
        glyphs: Glyphs
    ) {
        guard x1 >= x0 else { return }
        for x in x0...x1 { put(glyphs.horizontal, x, y, style, rect, &buffer) }
    }

    private static func put(
        _ glyph: String, _ x: Int, _ y: Int, _ style: Style, _ rect: Rect, _ buffer: inout ScreenBuffer
    ) {
        guard x >= rect.x, x < rect.maxX, y >= rect.y, y < rect.maxY else { return }
        // Where two edges meet, join their lines (─ and ┐ make ┬; │ and └ make ├) instead of overwriting one.
        let joined = LineJoin.join(buffer[x, y].text, glyph) ?? glyph
        buffer.write(joined, x: x, y: y, style: style, clip: rect)
    }
}
