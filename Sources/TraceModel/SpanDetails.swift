/// The reference-counted part of a span, shared between copies until one of them writes (see `Span`).
///
/// `@unchecked Sendable`: instances are mutated only through `Span.uniqueDetails()`, that is, only while exactly one
/// span refers to them, so no two threads can ever see a write.
final class SpanDetails: Hashable, @unchecked Sendable {
    var name: String
    var origin: String?
    var namespace: String?
    var serviceName: String?
    var statusMessage: String?
    var http: HTTPInfo?
    var aws: [String: AttributeValue]
    var sql: [String: AttributeValue]
    var annotations: [String: AttributeValue]
    var metadataJSON: String?
    var cause: Cause?
    var attributes: [Attribute]
    /// OTLP resource attributes: one dictionary per batch, shared (not copied) by every span of the resource.
    var resource: [String: AttributeValue]

    /// Every field at once: a box is made for every span decoded, and setting fields one by one after a shorter
    /// init stored each twice.
    init(
        name: String, origin: String?, namespace: String?, serviceName: String?, statusMessage: String?,
        http: HTTPInfo?, aws: [String: AttributeValue], sql: [String: AttributeValue],
        annotations: [String: AttributeValue], metadataJSON: String?, cause: Cause?, attributes: [Attribute],
        resource: [String: AttributeValue]
    ) {
        self.name = name
        self.origin = origin
        self.namespace = namespace
        self.serviceName = serviceName
        self.statusMessage = statusMessage
        self.http = http
        self.aws = aws
        self.sql = sql
        self.annotations = annotations
        self.metadataJSON = metadataJSON
        self.cause = cause
        self.attributes = attributes
        self.resource = resource
    }

    func copy() -> SpanDetails {
        SpanDetails(
            name: name, origin: origin, namespace: namespace, serviceName: serviceName,
            statusMessage: statusMessage, http: http, aws: aws, sql: sql, annotations: annotations,
            metadataJSON: metadataJSON, cause: cause, attributes: attributes, resource: resource)
    }

    static func == (lhs: SpanDetails, rhs: SpanDetails) -> Bool {
        lhs === rhs
            || (lhs.name == rhs.name && lhs.origin == rhs.origin && lhs.namespace == rhs.namespace
                && lhs.serviceName == rhs.serviceName && lhs.statusMessage == rhs.statusMessage && lhs.http == rhs.http
                && lhs.aws == rhs.aws && lhs.sql == rhs.sql && lhs.annotations == rhs.annotations
                && lhs.metadataJSON == rhs.metadataJSON && lhs.cause == rhs.cause
                && sameAttributes(lhs.attributes, rhs.attributes)
                && lhs.resource == rhs.resource)
    }

    /// Equal as sets of keys and values; the order of a list is not part of a span.
    private static func sameAttributes(_ lhs: [Attribute], _ rhs: [Attribute]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count > 16 { return dictionary(lhs) == dictionary(rhs) }
        return lhs.allSatisfy { entry in rhs.contains { $0.key == entry.key && $0.value == entry.value } }
    }

    static func dictionary(_ list: [Attribute]) -> [String: AttributeValue] {
        var out = [String: AttributeValue](minimumCapacity: list.count)
        for (key, value) in list { out[key] = value }
        return out
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(serviceName)
        hasher.combine(statusMessage)
        hasher.combine(http)
        hasher.combine(metadataJSON)
        hasher.combine(attributes.count)
        hasher.combine(annotations.count)
    }
}
