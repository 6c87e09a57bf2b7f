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

    /// The request's outcome class (docs/SEMANTICS.md, "Status classes"): X-Ray flags first, then the HTTP status, then an OTLP ERROR status
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

    /// Bytes a span holds in memory (for memory budgets): the struct and its box (~860 bytes with their allocator
    /// overhead, calibrated against the collector's resident memory under load), plus every string and collection
    /// the box holds, each by its size. Sizes come from the input, so a hostile sender cannot hide a megabyte in an
    /// attribute value, a cause or a header. Resource attributes are shared by a batch's spans and counted there.
    public var estimatedBytes: Int {
        let d = details
        var total = 860 + MemoryFootprint.of(d.name) + MemoryFootprint.of(d.serviceName) + MemoryFootprint.of(d.origin)
        total +=
            MemoryFootprint.of(d.namespace) + MemoryFootprint.of(d.statusMessage) + MemoryFootprint.of(d.metadataJSON)
        if let http = d.http {
            total +=
                64 + MemoryFootprint.of(http.method) + MemoryFootprint.of(http.url) + MemoryFootprint.of(http.clientIP)
            total += MemoryFootprint.of(http.userAgent)
        }
        total += MemoryFootprint.of(d.aws) + MemoryFootprint.of(d.sql) + MemoryFootprint.of(d.annotations)
        for attribute in d.attributes { total += MemoryFootprint.of(attribute) }
        if let cause = d.cause { total += MemoryFootprint.of(cause) }
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
