/// Names what an OpenTelemetry CLIENT or PRODUCER span calls, by the semantic conventions: `peer.service`, then
/// `server.address` (or the legacy `net.peer.name`), then the database, then the messaging system (Grafana Tempo's
/// virtual-node rules). Shared by the service graph, the X-Ray writer and the tracing library, so a callee is named
/// the same everywhere.
public enum OTelPeer {
    /// The callee's node: its name and type (`database`, `queue` or `remote`); nil when nothing names it.
    public static func node(_ attributes: [String: AttributeValue]) -> (name: String, type: String)? {
        attributes.isEmpty ? nil : node(of: attributes)
    }

    /// The same, from a span's stored attribute list.
    public static func node(_ attributes: [Attribute]) -> (name: String, type: String)? {
        attributes.isEmpty ? nil : node(of: attributes)
    }

    private static func node<Attributes: Sequence<Attribute>>(of attributes: Attributes) -> (
        name: String, type: String
    )? {
        // One pass over the span's (few) attributes rather than a dozen hashed look-ups: this runs for every call span.
        // `best` is the index in `nameKeys` of the best name found so far.
        var isDatabase = false
        var isQueue = false
        var best = nameKeys.count
        var name: String?
        for (key, value) in attributes {
            guard let first = key.utf8.first,
                first == UInt8(ascii: "p") || first == UInt8(ascii: "s")
                    || first == UInt8(ascii: "n") || first == UInt8(ascii: "d") || first == UInt8(ascii: "m")
            else { continue }
            if key == "db.system" || key == "db.system.name" { isDatabase = true }
            if key == "messaging.system" { isQueue = true }
            guard let rank = nameKeys.firstIndex(of: key), rank < best else { continue }
            let text = value.description
            if !text.isEmpty {
                best = rank
                name = text
            }
        }
        guard let name else { return nil }
        return (name, isDatabase ? "database" : isQueue ? "queue" : "remote")
    }

    static let nameKeys = [
        "peer.service", "server.address", "net.peer.name", "db.name", "db.namespace", "db.system",
        "db.system.name", "messaging.destination.name", "messaging.system",
    ]
}
