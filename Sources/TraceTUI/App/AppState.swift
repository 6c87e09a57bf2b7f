import TraceAnalysis
import TraceModel

/// Everything about the dashboard that input changes; changed only by `update(_:with:model:)`.
public struct AppState: Sendable, Equatable {
    public enum Pane: Sendable, Equatable, CaseIterable {
        case services
        case traces
    }

    /// What fills the body: the dashboard, one trace's timeline, or one node's panel.
    public enum Screen: Sendable, Equatable {
        case dashboard
        case trace(TraceID)
        case node(NodeKey)
        /// An edge's panel, opened from the panel of `from` (where Esc returns).
        case edge(EdgeKey, from: NodeKey)
    }

    public enum TraceOrder: String, Sendable, CaseIterable {
        case newest, slowest, worst
    }

    public var width: Int
    public var height: Int
    public var screen: Screen = .dashboard
    public var pane: Pane = .services
    public var selectedService = 0
    public var selectedTrace = 0
    public var window: TimeWindow = .fiveMinutes
    public var frozen = false
    /// The service map above the tables (`m` toggles it).
    public var showMap = true
    /// The map shows only the selected node and what is within two hops of it (`z`).
    public var mapFocus = false
    /// Columns the map is scrolled right by (`[` and `]`).
    public var mapPan = 0
    public var showHelp = false
    /// Lines the help is scrolled by, when it does not fit.
    public var helpScroll = 0
    public var quit = false

    public var traceOrder: TraceOrder = .newest
    /// The filter the trace list is showing.
    public var filter: TraceFilter?
    /// The filter being typed after `/`; nil when not typing.
    public var filterDraft: String?
    /// Why the draft did not parse, shown under it.
    public var filterError: String?

    /// In a service's panel, the selected call (callers first, then callees); nil until Tab selects one.
    public var panelCall: Int?

    /// The timeline's selected row and the spans whose children are hidden.
    public var timelineRow = 0
    public var collapsed: Set<SpanID> = []
    /// The details pane has the keys (Tab): j/k scroll it, by `detailsScroll` lines.
    public var detailsFocused = false
    public var detailsScroll = 0

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// What the model has to be built for: it changes with these, not with selection or scrolling.
    public var query: DashboardQuery {
        var trace: TraceID?
        var node: NodeKey?
        var edge: EdgeKey?
        switch screen {
        case .dashboard: break
        case .trace(let id): trace = id
        case .node(let key): node = key
        case .edge(let key, _): edge = key
        }
        return DashboardQuery(window: window, filter: filter, order: traceOrder, trace: trace, node: node, edge: edge)
    }
}

/// Input the app reacts to.
public enum AppEvent: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
}

public enum Key: Sendable, Equatable {
    case character(Character)
    case up, down, left, right, tab, backTab, enter, escape, backspace, pageUp, pageDown
}
