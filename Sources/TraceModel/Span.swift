/// Nanoseconds since the Unix epoch. All times inside Tracescope are integers of this unit.
public typealias EpochNanos = Int64

/// The times the model holds: from the Unix epoch to the start of 2100. A timestamp outside it is garbage (or
/// hostile: `"start_time": -9e9`); spans clamp theirs into this range when made, which keeps every difference of two
/// times and every sum of two durations within `Int64` — so no analysis can overflow, whatever a document claims.
public enum EpochRange {
    public static let latest: EpochNanos = 4_102_444_800 * 1_000_000_000

    @inlinable
    public static func clamp(_ nanos: EpochNanos) -> EpochNanos { min(max(nanos, 0), latest) }
}

/// Where a span came from; the service-graph rules differ slightly between the two (DESIGN.md §2).
public enum SpanSource: UInt8, Sendable, Hashable {
    case xray
    case otlp
}

/// The role a span plays in a request, unified across X-Ray and OpenTelemetry.
///
/// X-Ray segments are `.server`; subsegments with namespace `aws` or `remote` are `.client`; other subsegments are
/// `.internal`. OTLP kinds map one to one.
public enum SpanKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case `internal`
    case server
    case client
    case producer
    case consumer

    public var description: String {
        switch self {
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        }
    }
}

/// The `http` block of a segment (or the HTTP attributes of an OTLP span).
public struct HTTPInfo: Sendable, Hashable {
    public var method: String?
    public var url: String?
    public var status: Int?
    public var clientIP: String?
    public var userAgent: String?
    public var contentLength: Int64?

    public init(
        method: String? = nil, url: String? = nil, status: Int? = nil, clientIP: String? = nil,
        userAgent: String? = nil, contentLength: Int64? = nil
    ) {
        self.method = method
        self.url = url
        self.status = status
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.contentLength = contentLength
    }

    public var isEmpty: Bool {
        method == nil && url == nil && status == nil && clientIP == nil && userAgent == nil && contentLength == nil
    }
}

/// One stack frame of a recorded exception.
public struct StackFrame: Sendable, Hashable {
    public var path: String?
    public var line: Int?
    public var label: String?

    public init(path: String? = nil, line: Int? = nil, label: String? = nil) {
        self.path = path
        self.line = line
        self.label = label
    }
}

/// One exception recorded on a span (X-Ray `cause.exceptions[]`, OTLP `exception` events).
public struct ExceptionRecord: Sendable, Hashable {
    public var id: String?
    public var type: String?
    public var message: String?
    public var remote: Bool
    public var stack: [StackFrame]

    public init(
        id: String? = nil, type: String? = nil, message: String? = nil, remote: Bool = false,
        stack: [StackFrame] = []
    ) {
        self.id = id
        self.type = type
        self.message = message
        self.remote = remote
        self.stack = stack
    }
}

/// Why a span failed. X-Ray allows either the full object or a 16-character id of an exception recorded elsewhere.
public struct Cause: Sendable, Hashable {
    public var workingDirectory: String?
    public var exceptions: [ExceptionRecord]
    /// Set when the cause is a reference to an exception recorded on another subsegment.
    public var referencedExceptionID: String?

    public init(
        workingDirectory: String? = nil, exceptions: [ExceptionRecord] = [], referencedExceptionID: String? = nil
    ) {
        self.workingDirectory = workingDirectory
        self.exceptions = exceptions
        self.referencedExceptionID = referencedExceptionID
    }
}

/// One unit of work: an X-Ray segment or subsegment, or an OpenTelemetry span.
///
/// Decoders flatten X-Ray documents, so a segment with nested subsegments becomes several `Span`s linked by
/// `parentID`, each subsegment carrying its owning segment in `segmentID` and its node in `serviceName`.
///
/// Ids, times and flags are stored inline; everything reference-counted (names, HTTP, AWS, annotations, metadata,
/// cause, attributes) lives in one copy-on-write box. A span is copied many times on its way through the pipeline
/// (into its trace, into the analyses' loops, into the store), and each copy then retains one reference rather than
/// one per string. The API is that of a plain struct.
public struct Span: Sendable, Hashable {
    public var traceID: TraceID
    public var id: SpanID
    public var parentID: SpanID?
    public var source: SpanSource
    public var kind: SpanKind
    /// True for X-Ray segments (top-level documents); false for subsegments. OTLP: true for SERVER/CONSUMER spans.
    public var isSegment: Bool
    /// For subsegments: the id of the segment they belong to, when the document says.
    public var segmentID: SpanID?
    /// Within `EpochRange` as made (the initializer clamps it).
    public var start: EpochNanos
    /// Nil while the span is in progress; within `EpochRange` as made.
    public var end: EpochNanos?
    public var inProgress: Bool
    public var errorFlag: Bool
    public var throttleFlag: Bool
    public var faultFlag: Bool
    /// OTLP `Status.code == ERROR`.
    public var statusError: Bool
    /// X-Ray segments that X-Ray itself inferred for an uninstrumented downstream (`inferred: true`).
    public var inferred: Bool
    /// The HTTP status, kept inline because every status classification reads it.
    @usableFromInline var httpStatus: Int?
    private var details: SpanDetails

    public init(
        traceID: TraceID, id: SpanID, parentID: SpanID? = nil, name: String, source: SpanSource = .xray,
        kind: SpanKind = .server, isSegment: Bool = true, origin: String? = nil, namespace: String? = nil,
        serviceName: String? = nil, segmentID: SpanID? = nil, start: EpochNanos, end: EpochNanos?,
        inProgress: Bool = false, errorFlag: Bool = false, throttleFlag: Bool = false,
        faultFlag: Bool = false, statusError: Bool = false, statusMessage: String? = nil,
        http: HTTPInfo? = nil, aws: [String: AttributeValue] = [:], sql: [String: AttributeValue] = [:],
        annotations: [String: AttributeValue] = [:], metadataJSON: String? = nil, cause: Cause? = nil,
        attributes: [String: AttributeValue] = [:], attributeList: [Attribute] = [],
        resource: [String: AttributeValue] = [:],
        inferred: Bool = false
    ) {
        self.traceID = traceID
        self.id = id
        self.parentID = parentID
        self.source = source
        self.kind = kind
        self.isSegment = isSegment
        self.segmentID = segmentID
        self.start = EpochRange.clamp(start)
        self.end = end.map(EpochRange.clamp)
        self.inProgress = inProgress
        self.errorFlag = errorFlag
        self.throttleFlag = throttleFlag
        self.faultFlag = faultFlag
        self.statusError = statusError
        self.inferred = inferred
        self.httpStatus = http?.status
        details = SpanDetails(
            name: name, origin: origin, namespace: namespace, serviceName: serviceName,
            statusMessage: statusMessage, http: http, aws: aws, sql: sql, annotations: annotations,
            metadataJSON: metadataJSON, cause: cause,
            attributes: attributes.isEmpty ? attributeList : Self.list(attributes), resource: resource)
    }

    /// Gives this span its own details box before a write (copy on write).
    private mutating func uniqueDetails() -> SpanDetails {
        if !isKnownUniquelyReferenced(&details) { details = details.copy() }
        return details
    }

    public var name: String {
        get { details.name }
        set { uniqueDetails().name = newValue }
    }

    /// The X-Ray `origin` (e.g. `AWS::Lambda::Function`): the node type of a segment.
    public var origin: String? {
        get { details.origin }
        set { uniqueDetails().origin = newValue }
    }

    /// The X-Ray subsegment `namespace` (`aws` or `remote` mark downstream calls).
    public var namespace: String? {
        get { details.namespace }
        set { uniqueDetails().namespace = newValue }
    }

    /// The node that owns this span: a segment's name or an OTLP resource's `service.name`. Nil for an independent
    /// subsegment until its segment is known.
    public var serviceName: String? {
        get { details.serviceName }
        set { uniqueDetails().serviceName = newValue }
    }

    public var statusMessage: String? {
        get { details.statusMessage }
        set { uniqueDetails().statusMessage = newValue }
    }

    public var http: HTTPInfo? {
        get { details.http }
        set {
            uniqueDetails().http = newValue
            httpStatus = newValue?.status
        }
    }

    /// X-Ray `aws` block (operation, table_name, queue_url, …), flattened to strings and numbers.
    public var aws: [String: AttributeValue] {
        get { details.aws }
        set { uniqueDetails().aws = newValue }
    }

    public var sql: [String: AttributeValue] {
        get { details.sql }
        set { uniqueDetails().sql = newValue }
    }

    public var annotations: [String: AttributeValue] {
        get { details.annotations }
        set { uniqueDetails().annotations = newValue }
    }

    /// The `metadata` object, kept verbatim as JSON text.
    public var metadataJSON: String? {
        get { details.metadataJSON }
        set { uniqueDetails().metadataJSON = newValue }
    }

    public var cause: Cause? {
        get { details.cause }
        set { uniqueDetails().cause = newValue }
    }

    /// OTLP span attributes (the resource's are in `resource`), as a dictionary made on each read. The analyses read
    /// `attributeList` or `attribute(_:)` instead.
    public var attributes: [String: AttributeValue] {
        get { SpanDetails.dictionary(details.attributes) }
        set { uniqueDetails().attributes = Self.list(newValue) }
    }

    /// OTLP span attributes as they are stored: distinct keys, in no particular order. A span has a handful, and a
    /// list of them costs one allocation where a dictionary costs two or three and a hash of every key; every span
    /// of every OTLP batch pays that, and look-ups scan a few entries as fast as they would hash one key.
    public var attributeList: [Attribute] {
        get { details.attributes }
        set { uniqueDetails().attributes = newValue }
    }

    /// Sorted by key, so spans made from equal dictionaries store equal lists.
    private static func list(_ attributes: [String: AttributeValue]) -> [Attribute] {
        attributes.map { (key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// OTLP resource attributes (`service.name`, `cloud.platform`, `faas.name`, …). Decoders give every span of a
    /// resource the same dictionary, so a batch stores it once however many spans it has.
    public var resource: [String: AttributeValue] {
        get { details.resource }
        set { uniqueDetails().resource = newValue }
    }

    /// The request's outcome class (DESIGN.md §2): X-Ray flags first, then the HTTP status, then an OTLP ERROR status
    /// (a fault: an error with no HTTP code).
    // Inlinable, as are `duration` and `isDownstreamCall`, because they read only inline fields: an analysis in
    // another module that asks a span held in place (a buffer's element) would otherwise copy the whole span to pass
    // it, retaining and releasing its box — on the graph walk, for every span.
    @inlinable
    public var statusClass: StatusClass {
        if faultFlag { return .fault }
        if throttleFlag { return .throttle }
        if errorFlag { return .error }
        if let status = httpStatus, let cls = StatusClass.forHTTPStatus(status) { return cls }
        if statusError { return .fault }
        return .ok
    }

    /// Duration in nanoseconds; zero while in progress.
    @inlinable
    public var duration: Int64 {
        guard let end else { return 0 }
        return max(0, end - start)
    }

    /// X-Ray: a subsegment that calls another service (`namespace` `aws` or `remote`). OTLP: a CLIENT or PRODUCER span.
    @inlinable
    public var isDownstreamCall: Bool { kind == .client || kind == .producer }

    /// Bytes a span holds in memory, roughly (for memory budgets): calibrated against resident memory (the collector's
    /// peak RSS under load at a 64 MB budget), counting the struct, its box (~340 bytes, every span has one), strings
    /// and collections. Read in place from the box: copying out HTTP info or dictionaries
    /// just to count them cost more than the estimate is worth. Resource attributes are shared by a batch's spans
    /// and not counted here.
    public var estimatedBytes: Int {
        let d = details
        var total = 860 + d.name.utf8.count + (d.serviceName?.utf8.count ?? 0) + (d.origin?.utf8.count ?? 0)
        total += (d.metadataJSON?.utf8.count ?? 0) + (d.http?.url?.utf8.count ?? 0)
        total += 192 * (d.attributes.count + d.annotations.count + d.aws.count)
        if let exceptions = d.cause?.exceptions.count { total += 256 * max(1, exceptions) }
        return total
    }

    /// Looks an attribute up among OTLP span attributes, then resource attributes, then X-Ray annotations.
    public func attribute(_ key: String) -> AttributeValue? {
        // Empty dictionaries are skipped before hashing the key: most spans fill one or two of the three.
        let details = details
        for attribute in details.attributes where attribute.key == key { return attribute.value }
        if !details.resource.isEmpty, let value = details.resource[key] { return value }
        if !details.annotations.isEmpty, let value = details.annotations[key] { return value }
        return nil
    }
}

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
