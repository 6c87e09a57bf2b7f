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
        /// Two traces side by side: `current` against the marked trace or a typical one (Esc returns to current's
        /// timeline).
        case compare(current: TraceID, base: CompareBase)
    }

    /// What a trace is compared with.
    public enum CompareBase: Sendable, Equatable {
        /// The trace marked with `c`.
        case trace(TraceID)
        /// The median-duration trace of the same root operation in memory.
        case typical
    }

    public enum TraceOrder: String, Sendable, CaseIterable {
        case newest, slowest, worst
    }

    /// How the services list is sorted (`s` while it has the keys): the worst first (by class, then that class's
    /// rate), or by req/s, failure rate or p99, highest first, or by name.
    public enum ServiceOrder: String, Sendable, CaseIterable {
        case worst
        case rps = "req/s"
        case failures = "failure rate"
        case p99
        case name
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
    /// `z` flips the map between the whole graph and the selected service's neighbourhood (what is within two hops
    /// of it, or one when two do not fit). Which one shows first depends on the graph: the whole of it when it fits
    /// the map's area, else the neighbourhood — of the worst service until the user selects another.
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

    public var serviceOrder: ServiceOrder = .worst
    /// The services list shows only services whose name contains this (case-insensitive; `/` while the list has the
    /// keys), and the map moves to the first of them.
    public var serviceSearch: String?
    /// The search being typed; the list narrows with each key. nil when not typing.
    public var serviceSearchDraft: String?

    /// In a service's panel, the selected call (callers first, then callees); nil until Tab selects one.
    public var panelCall: Int?

    /// The timeline's selected row and the spans whose children are hidden.
    public var timelineRow = 0
    public var collapsed: Set<SpanID> = []
    /// The details pane has the keys (Tab): j/k scroll it, by `detailsScroll` lines.
    public var detailsFocused = false
    public var detailsScroll = 0

    /// The trace marked with `c`: opening another puts the two side by side.
    public var markedTrace: TraceID?
    /// The comparison's selected row.
    public var compareRow = 0

    /// The search inside the open trace (`/` in the timeline; `n`/`N` step through its matches), and the search
    /// being typed.
    public var timelineSearch: String?
    public var timelineSearchDraft: String?

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// What the model has to be built for: it changes with these, not with selection or scrolling.
    public var query: DashboardQuery {
        var trace: TraceID?
        var node: NodeKey?
        var edge: EdgeKey?
        var compare: CompareBase?
        switch screen {
        case .dashboard: break
        case .trace(let id): trace = id
        case .node(let key): node = key
        case .edge(let key, _): edge = key
        case .compare(let current, let base):
            trace = current
            compare = base
        }
        return DashboardQuery(
            window: window, filter: filter, order: traceOrder, trace: trace, node: node, edge: edge,
            serviceOrder: serviceOrder, serviceSearch: serviceSearchDraft ?? serviceSearch, compare: compare)
    }
}

/// Input the app reacts to.
public enum AppEvent: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    case mouse(MouseEvent)
}

/// A mouse action at a cell (as htop and k9s take them; off with `--no-mouse`).
public struct MouseEvent: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case click, doubleClick, wheelUp, wheelDown
    }

    public var action: Action
    public var x: Int
    public var y: Int

    public init(_ action: Action, x: Int, y: Int) {
        self.action = action
        self.x = x
        self.y = y
    }
}

public enum Key: Sendable, Equatable {
    case character(Character)
    case up, down, left, right, tab, backTab, enter, escape, backspace, pageUp, pageDown
}
