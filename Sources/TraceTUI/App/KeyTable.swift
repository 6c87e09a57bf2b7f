/// What a key does, whatever key it is bound to. `update` acts on commands; the key tables say which keys mean which
/// command on each screen, and the footer and the `?` help are drawn from the same tables — so what the help says a
/// key does is what it does.
public enum Command: Sendable, Hashable {
    case help, quit, freeze, cycleWindow
    case down, up, pageDown, pageUp, first, last
    case switchPane, previousLayer, nextLayer, open, filter, clearFilter, cycleOrder
    case toggleMap, focusMap, panLeft, panRight
    case fold, foldOrParent, unfold, toggleDetails
    case nextCall, previousCall, back
    case apply, cancel
    case mark, compareTypical, nextMatch, previousMatch
}

/// One entry of a key table: the keys, the command they give, and how the footer and `?` help describe them.
public struct KeyBinding: Sendable {
    /// How the keys are written on screen.
    public var keys: String
    public var action: String
    public var inFooter: Bool
    /// What the footer says, where the help's words are too long for it.
    public var brief: String
    public var bound: [Key]
    public var command: Command

    public init(
        _ keys: String, _ action: String, footer: Bool = false, brief: String? = nil, _ bound: [Key],
        _ command: Command
    ) {
        self.keys = keys
        self.action = action
        self.brief = brief ?? action
        self.inFooter = footer
        self.bound = bound
        self.command = command
    }
}

public enum KeyTable {
    private static let moves: [KeyBinding] = [
        KeyBinding("PgDn/PgUp", "page down/up", [.pageDown], .pageDown),
        KeyBinding("", "", [.pageUp], .pageUp),
        KeyBinding("g/G", "first/last", [.character("g")], .first),
        KeyBinding("", "", [.character("G")], .last),
    ]

    public static let dashboard: [KeyBinding] =
        [
            KeyBinding("?", "help", footer: true, [.character("?")], .help),
            KeyBinding("Tab", "services/traces", footer: true, [.tab, .backTab], .switchPane),
            KeyBinding("j/k ↑/↓", "move", footer: true, [.character("j"), .down], .down),
            KeyBinding("", "", [.character("k"), .up], .up),
            KeyBinding("h/l ←/→", "map: previous/next layer", [.character("h"), .left], .previousLayer),
            KeyBinding("", "", [.character("l"), .right], .nextLayer),
            KeyBinding("Enter", "open", footer: true, [.enter], .open),
            KeyBinding(
                "/", "find a service / filter traces", footer: true, brief: "search", [.character("/")], .filter),
            KeyBinding("s", "sort the list that has the keys", [.character("s")], .cycleOrder),
            KeyBinding(
                "c", "mark a trace; Enter on another compares them", brief: "mark", [.character("c")], .mark),
        ] + moves + [
            KeyBinding("w", "window 1m/5m/15m/all", footer: true, [.character("w")], .cycleWindow),
            KeyBinding("m", "map on/off", [.character("m")], .toggleMap),
            KeyBinding("z", "map: whole graph or neighbourhood", [.character("z")], .focusMap),
            KeyBinding("[ ]", "map: pan left/right", [.character("[")], .panLeft),
            KeyBinding("", "", [.character("]")], .panRight),
            KeyBinding("f", "freeze", footer: true, [.character("f")], .freeze),
            KeyBinding("Esc", "clear the search or filter", [.escape], .clearFilter),
            KeyBinding("q", "quit", footer: true, [.character("q")], .quit),
        ]

    public static let timeline: [KeyBinding] =
        [
            KeyBinding("j/k ↑/↓", "move", footer: true, [.character("j"), .down], .down),
            KeyBinding("", "", [.character("k"), .up], .up),
            KeyBinding("Enter", "fold/unfold", footer: true, brief: "fold", [.enter, .character(" ")], .fold),
            KeyBinding("←/→ h/l", "fold (then to the parent)/unfold", [.left, .character("h")], .foldOrParent),
            KeyBinding("", "", [.right, .character("l")], .unfold),
            KeyBinding("Tab", "scroll details", footer: true, brief: "details", [.tab, .backTab], .toggleDetails),
            KeyBinding(
                "/", "search spans: name, service, annotation, status, error", footer: true, brief: "search",
                [.character("/")], .filter),
            KeyBinding("n/N", "next/previous match", [.character("n")], .nextMatch),
            KeyBinding("", "", [.character("N")], .previousMatch),
            KeyBinding(
                "c", "mark this trace (opening another compares them)", [.character("c")], .mark),
            KeyBinding(
                "t", "compare with the typical trace of this operation", [.character("t")], .compareTypical),
        ] + moves + [
            KeyBinding("w", "window 1m/5m/15m/all", [.character("w")], .cycleWindow),
            KeyBinding("f", "freeze", [.character("f")], .freeze),
            KeyBinding(
                "Esc", "clear the search, else back", footer: true, brief: "back", [.escape, .backspace], .back),
            KeyBinding("?", "help", footer: true, [.character("?")], .help),
            KeyBinding("q", "quit", footer: true, [.character("q")], .quit),
        ]

    /// While the timeline's details pane has the keys (after `Tab`).
    public static let details: [KeyBinding] =
        [
            KeyBinding("j/k ↑/↓", "scroll", footer: true, [.character("j"), .down], .down),
            KeyBinding("", "", [.character("k"), .up], .up),
        ] + moves + [
            KeyBinding("Tab Esc", "back to the spans", footer: true, [.tab, .backTab, .escape, .backspace], .back),
            KeyBinding("?", "help", footer: true, [.character("?")], .help),
            KeyBinding("q", "quit", footer: true, [.character("q")], .quit),
        ]

    public static let node: [KeyBinding] = [
        KeyBinding("j/k ↑/↓", "services", footer: true, [.character("j"), .down], .down),
        KeyBinding("", "", [.character("k"), .up], .up),
        KeyBinding("Tab", "select a call", footer: true, [.tab], .nextCall),
        KeyBinding("", "", [.backTab], .previousCall),
        KeyBinding("Enter", "open it", footer: true, [.enter], .open),
        KeyBinding("w", "window 1m/5m/15m/all", [.character("w")], .cycleWindow),
        KeyBinding("f", "freeze", [.character("f")], .freeze),
        KeyBinding("Esc", "back", footer: true, [.escape, .backspace], .back),
        KeyBinding("?", "help", footer: true, [.character("?")], .help),
        KeyBinding("q", "quit", footer: true, [.character("q")], .quit),
    ]

    /// Two traces side by side.
    public static let compare: [KeyBinding] =
        [
            KeyBinding("j/k ↑/↓", "move", footer: true, [.character("j"), .down], .down),
            KeyBinding("", "", [.character("k"), .up], .up),
        ] + moves + [
            KeyBinding("w", "window 1m/5m/15m/all", [.character("w")], .cycleWindow),
            KeyBinding("f", "freeze", [.character("f")], .freeze),
            KeyBinding("Esc", "back to the trace", footer: true, [.escape, .backspace], .back),
            KeyBinding("?", "help", footer: true, [.character("?")], .help),
            KeyBinding("q", "quit", footer: true, [.character("q")], .quit),
        ]

    public static let edge: [KeyBinding] = [
        KeyBinding("w", "window 1m/5m/15m/all", footer: true, [.character("w")], .cycleWindow),
        KeyBinding("f", "freeze", [.character("f")], .freeze),
        KeyBinding("Esc", "back to the service", footer: true, [.escape, .backspace], .back),
        KeyBinding("?", "help", footer: true, [.character("?")], .help),
        KeyBinding("q", "quit", footer: true, [.character("q")], .quit),
    ]

    /// While a filter is typed: printable characters go into the draft, and these keys act on it.
    public static let filter: [KeyBinding] = [
        KeyBinding("Enter", "apply (empty clears)", footer: true, [.enter], .apply),
        KeyBinding("Esc", "cancel", footer: true, [.escape], .cancel),
    ]

    public static let help: [KeyBinding] =
        [
            KeyBinding("j/k ↑/↓", "scroll", footer: true, [.character("j"), .down], .down),
            KeyBinding("", "", [.character("k"), .up], .up),
            KeyBinding("", "", [.character(" ")], .pageDown),
        ] + moves + [
            KeyBinding("Esc ? q", "close the help", footer: true, [.escape, .character("?"), .character("q")], .back)
        ]

    /// Commands every screen's table binds (the help describes them once).
    public static let everywhere: Set<Command> = [.help, .quit, .freeze, .cycleWindow]

    /// The table for what is on screen.
    public static func bindings(for state: AppState) -> [KeyBinding] {
        if state.showHelp { return help }
        if state.filterDraft != nil || state.serviceSearchDraft != nil || state.timelineSearchDraft != nil {
            return filter
        }
        switch state.screen {
        case .dashboard: return dashboard
        case .trace: return state.detailsFocused ? details : timeline
        case .node: return node
        case .edge: return edge
        case .compare: return compare
        }
    }

    /// The command a key gives on the screen `state` shows; nil when the key means nothing there.
    public static func command(for key: Key, in state: AppState) -> Command? {
        bindings(for: state).first { $0.bound.contains(key) }?.command
    }

    /// The entries the help and footer describe (a key pair's second half has no text of its own).
    public static func described(_ table: [KeyBinding]) -> [KeyBinding] {
        table.filter { !$0.keys.isEmpty }
    }
}
