/// A service graph computed elsewhere — an X-Ray account's own aggregates over everything it sampled — in the
/// summary figures the views read. The dashboard shows it as such (its `label` is on the map's title), and never
/// merges it with a graph computed from a subset of traces.
public struct RemoteGraph: Sendable, Equatable {
    public var label: String
    public var services: [Summary.Service]
    public var edges: [Summary.Edge]

    public init(label: String, services: [Summary.Service], edges: [Summary.Edge]) {
        self.label = label
        self.services = services
        self.edges = edges
    }
}
