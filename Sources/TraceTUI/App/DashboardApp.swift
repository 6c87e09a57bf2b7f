import TraceAnalysis
import TraceModel

#if canImport(Glibc)
    import Glibc
#endif

/// The dashboard's event loop: input through `update`, a new model once a second (unless frozen), a frame only when
/// something changed — so an idle dashboard costs next to nothing.
public final class DashboardApp {
    public struct Snapshot {
        public var analyzer: TraceAnalyzer
        public var rejected: Int
        public var now: EpochNanos
        /// Changes whenever the data does (spans received); the model is rebuilt only then, or when the clock
        /// moves data through the window, so an idle dashboard does no work.
        public var version: UInt64
        /// Aggregates computed elsewhere (an X-Ray account's graph), shown instead of the traces' own graph.
        public var remote: RemoteGraph?
        /// What the header names as the source, when it changes as the data does (region, last poll, last error).
        public var source: String?
        /// What an empty dashboard says (see `DashboardModel.emptyHint`).
        public var emptyHint: String?

        public init(
            analyzer: TraceAnalyzer, rejected: Int, now: EpochNanos, version: UInt64, remote: RemoteGraph? = nil,
            source: String? = nil, emptyHint: String? = nil
        ) {
            self.emptyHint = emptyHint
            self.analyzer = analyzer
            self.rejected = rejected
            self.now = now
            self.version = version
            self.remote = remote
            self.source = source
        }
    }

    private let source: String
    private let glyphs: Glyphs
    private let noColor: Bool
    private let snapshot: (DashboardQuery) -> Snapshot
    private let version: () -> UInt64
    private var builtVersion: UInt64?
    private let filterCache = TraceFilterCache()
    private let isLive: Bool
    private let mouse: Bool

    /// - Parameters:
    ///   - version: cheap to call every second; `snapshot` (which copies the analysis) only runs when it changes or
    ///     when the window holds requests that time may move out of it.
    ///   - live: the source's clock moves (a collector), so windows slide even without new data; a replay's does not.
    ///   - snapshot: given what the screen asks for (a remote source sends the filter on, fetches an opened trace).
    ///   - mouse: clicks select, double-clicks open, the wheel scrolls (`--no-mouse` turns it off).
    public init(
        source: String, glyphs: Glyphs, noColor: Bool, live: Bool, mouse: Bool = true,
        version: @escaping () -> UInt64, snapshot: @escaping (DashboardQuery) -> Snapshot
    ) {
        self.mouse = mouse
        self.version = version
        self.isLive = live
        self.source = source
        self.glyphs = glyphs
        self.noColor = noColor
        self.snapshot = snapshot
    }

    /// Runs until `q`, SIGINT or SIGTERM; the terminal is restored on every way out.
    public func run() {
        let terminal = CursesTerminal(noColor: noColor, mouse: mouse)
        defer { terminal.restore() }
        let size = terminal.size
        var state = AppState(width: size.width, height: size.height)
        // A replayed file is history: show all of it; live data starts with the last five minutes.
        state.window = isLive ? .fiveMinutes : .all
        var model = makeModel(state)
        var lastModel = monotonicSeconds()
        var dirty = true
        while !terminal.shouldStop {
            // Every key already typed comes before a rebuild: a search typed during one is taken whole after it, not
            // a key a second. With no input, nextEvent waits 100 ms: the loop's idle pace.
            while let event = terminal.nextEvent() {
                let before = state
                state = update(state, with: event, model: model)
                if state.quit { return }
                // A new query starts its lists at the top (update() reset the indices); no selection to keep. The
                // services list's order and search only rearrange the model: a search narrows it key by key.
                if state.query.forRebuild != before.query.forRebuild {
                    model = makeModel(state)
                } else if state.query != before.query {
                    model.arrange(by: state.query)
                }
                dirty = dirty || state != before
                if dirty { break }
            }
            // A second after the last rebuild ended, not began: a rebuild that takes long (a huge graph on a slow
            // machine) must leave time for the keys.
            if !state.frozen, monotonicSeconds() - lastModel >= 1 {
                // Rebuild when the data changed, or when live time may move requests out of the window.
                if version() != builtVersion || (state.window != .all && model.traces.requests > 0 && isLive) {
                    let previous = model
                    model = makeModel(state)
                    state = keepSelection(state, from: previous, to: model)
                    dirty = true
                }
                lastModel = monotonicSeconds()
            }
            if dirty {
                terminal.draw(DashboardView.render(state, model, glyphs: glyphs))
                dirty = false
            }
        }
    }

    private func makeModel(_ state: AppState) -> DashboardModel {
        let s = snapshot(state.query)
        builtVersion = s.version
        var model = DashboardModel.make(
            from: s.analyzer, source: s.source ?? source, query: state.query, now: s.now, rejected: s.rejected,
            filterCache: filterCache, remote: s.remote)
        model.emptyHint = s.emptyHint
        return model
    }

    private func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
