/// One entry of a key table: the footer and `?` help are both drawn from the tables.
public struct KeyBinding: Sendable {
    public var keys: String
    public var action: String
    public var inFooter: Bool
}

public enum KeyTable {
    public static let dashboard: [KeyBinding] = [
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "Tab", action: "services/traces", inFooter: true),
        KeyBinding(keys: "j/k ↑/↓", action: "move", inFooter: true),
        KeyBinding(keys: "h/l ←/→", action: "map: previous/next layer", inFooter: false),
        KeyBinding(keys: "Enter", action: "open", inFooter: true),
        KeyBinding(keys: "/", action: "filter", inFooter: true),
        KeyBinding(keys: "s", action: "sort traces newest/slowest/worst", inFooter: false),
        KeyBinding(keys: "g/G", action: "first/last", inFooter: false),
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: true),
        KeyBinding(keys: "m", action: "map on/off", inFooter: false),
        KeyBinding(keys: "z", action: "map: focus on the selected service ±2 hops", inFooter: false),
        KeyBinding(keys: "[ ]", action: "map: pan left/right", inFooter: false),
        KeyBinding(keys: "f", action: "freeze", inFooter: true),
        KeyBinding(keys: "Esc", action: "clear the filter", inFooter: false),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let timeline: [KeyBinding] = [
        KeyBinding(keys: "j/k ↑/↓", action: "move", inFooter: true),
        KeyBinding(keys: "Enter", action: "fold/unfold", inFooter: true),
        KeyBinding(keys: "←/→ h/l", action: "fold (then to the parent)/unfold", inFooter: false),
        KeyBinding(keys: "Tab", action: "scroll details", inFooter: true),
        KeyBinding(keys: "g/G", action: "first/last", inFooter: false),
        KeyBinding(keys: "Esc", action: "back", inFooter: true),
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let node: [KeyBinding] = [
        KeyBinding(keys: "j/k ↑/↓", action: "services", inFooter: true),
        KeyBinding(keys: "Tab", action: "select a call", inFooter: true),
        KeyBinding(keys: "Enter", action: "open it", inFooter: true),
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: false),
        KeyBinding(keys: "Esc", action: "back", inFooter: true),
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let edge: [KeyBinding] = [
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: true),
        KeyBinding(keys: "Esc", action: "back to the service", inFooter: true),
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]

    public static let filter: [KeyBinding] = [
        KeyBinding(keys: "Enter", action: "apply (empty clears)", inFooter: true),
        KeyBinding(keys: "Esc", action: "cancel", inFooter: true),
    ]

    public static let help: [KeyBinding] = [
        KeyBinding(keys: "j/k ↑/↓", action: "scroll", inFooter: true),
        KeyBinding(keys: "Esc ? q", action: "close the help", inFooter: true),
    ]

    /// The table for what is on screen.
    public static func bindings(for state: AppState) -> [KeyBinding] {
        if state.showHelp { return help }
        if state.filterDraft != nil { return filter }
        switch state.screen {
        case .dashboard: return dashboard
        case .trace: return timeline
        case .node: return node
        case .edge: return edge
        }
    }
}
