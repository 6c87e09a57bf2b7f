import TraceAnalysis

/// Everything about the dashboard that input changes; changed only by `update(_:with:)`.
public struct AppState: Sendable, Equatable {
    public enum Pane: Sendable, Equatable, CaseIterable {
        case services
        case traces
    }

    public var width: Int
    public var height: Int
    public var pane: Pane = .services
    public var selectedService = 0
    public var selectedTrace = 0
    public var window: TimeWindow = .fiveMinutes
    public var frozen = false
    /// The service map above the tables (`m` toggles it).
    public var showMap = true
    public var showHelp = false
    public var quit = false

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// Input the app reacts to.
public enum AppEvent: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
}

public enum Key: Sendable, Equatable {
    case character(Character)
    case up, down, left, right, tab, backTab, enter, escape, pageUp, pageDown
}

/// One entry of the key table: the footer and `?` help are both drawn from it.
public struct KeyBinding: Sendable {
    public var keys: String
    public var action: String
    public var inFooter: Bool
}

public enum KeyTable {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: "?", action: "help", inFooter: true),
        KeyBinding(keys: "Tab", action: "next pane", inFooter: true),
        KeyBinding(keys: "j/k ↑/↓", action: "move", inFooter: true),
        KeyBinding(keys: "g/G", action: "first/last", inFooter: false),
        KeyBinding(keys: "w", action: "window 1m/5m/15m/all", inFooter: true),
        KeyBinding(keys: "m", action: "map on/off", inFooter: true),
        KeyBinding(keys: "f", action: "freeze", inFooter: true),
        KeyBinding(keys: "Esc", action: "close help", inFooter: false),
        KeyBinding(keys: "q", action: "quit", inFooter: true),
    ]
}

/// The pure state transition for an event, given how many rows each list has.
public func update(_ state: AppState, with event: AppEvent, services: Int, traces: Int) -> AppState {
    var s = state
    switch event {
    case .resize(let width, let height):
        s.width = width
        s.height = height
    case .key(let key):
        if s.showHelp {
            if key == .escape || key == .character("?") || key == .character("q") { s.showHelp = false }
            return s
        }
        let count = s.pane == .services ? services : traces
        func move(_ delta: Int) {
            if s.pane == .services {
                s.selectedService = max(0, min(count - 1, s.selectedService + delta))
            } else {
                s.selectedTrace = max(0, min(count - 1, s.selectedTrace + delta))
            }
        }
        switch key {
        case .character("q"): s.quit = true
        case .character("?"): s.showHelp = true
        case .tab, .backTab: s.pane = s.pane == .services ? .traces : .services
        case .character("j"), .down: move(1)
        case .character("k"), .up: move(-1)
        case .pageDown: move(10)
        case .pageUp: move(-10)
        case .character("g"): move(-count)
        case .character("G"): move(count)
        case .character("f"): s.frozen.toggle()
        case .character("m"): s.showMap.toggle()
        case .character("w"):
            let all = TimeWindow.allCases
            s.window = all[((all.firstIndex(of: s.window) ?? 0) + 1) % all.count]
        default: break
        }
    }
    return s
}
