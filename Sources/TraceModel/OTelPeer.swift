/// Names what an OpenTelemetry CLIENT or PRODUCER span calls, by the semantic conventions: `peer.service`, then
/// `server.address` (or the legacy `net.peer.name`), then the database, then the messaging system (Grafana Tempo's
/// virtual-node rules). Shared by the service graph, the X-Ray writer and the tracing library, so a callee is named
/// the same everywhere.
public enum OTelPeer {
    /// The callee's node: its name and type (`database`, `queue` or `remote`); nil when nothing names it.
    public static func node(_ attributes: [String: AttributeValue]) -> (name: String, type: String)? {
        guard !attributes.isEmpty else { return nil }
        let type: String
        if attributes["db.system"] != nil || attributes["db.system.name"] != nil {
            type = "database"
        } else if attributes["messaging.system"] != nil {
            type = "queue"
        } else {
            type = "remote"
        }
        for key in nameKeys {
            if let value = attributes[key]?.description, !value.isEmpty { return (value, type) }
        }
        return nil
    }

    static let nameKeys = ["peer.service", "server.address", "net.peer.name", "db.name", "db.namespace", "db.system",
                           "db.system.name", "messaging.destination.name", "messaging.system"]
}
