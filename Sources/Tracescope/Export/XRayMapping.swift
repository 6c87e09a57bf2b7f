import TraceFormats
import TraceModel

/// How a finished span becomes an X-Ray segment or subsegment, so its output reads correctly in the X-Ray console
/// and in `tracescope` alike.
///
/// - A local root (or a span with an `aws.xray.origin`) is a **segment** named after its service; its operation name
///   is kept as the `operation` annotation.
/// - A CLIENT or PRODUCER span is a **downstream call**: namespace `aws` when `aws.service` is set (named by it), else
///   `remote`, named after what it calls (`peer.service`, `server.address`, the database, the messaging system) so
///   the service map shows the callee, not the operation.
/// - Attributes `annotation.*` become annotations, `aws.*` the `aws` block; HTTP attributes fill the `http` block;
///   everything else (and HTTP parts the block only combines, such as a route) goes to metadata; recorded errors
///   become the `cause`.
enum XRayMapping {
    static func span(_ f: FinishedSpan) -> Span {
        span(f, operations: nil)
    }

    /// - Parameter operations: shares the `operation` annotation among segments of the same operation (an exporter
    ///   keeps one), so a batch of requests to one endpoint builds that dictionary once.
    static func span(_ f: FinishedSpan, operations: OperationAnnotations?) -> Span {
        var annotations: [String: AttributeValue] = [:]
        var aws: [String: AttributeValue] = [:]
        var metadata: [String: AttributeValue] = [:]
        for (key, value) in f.attributes {
            if key.hasPrefix(XRayAttribute.annotationPrefix) {
                annotations[String(key.dropFirst(XRayAttribute.annotationPrefix.count))] = value
            } else if key == XRayAttribute.origin || key == XRayAttribute.serviceName || key == XRayAttribute.awsService
            {
                continue
            } else if key.hasPrefix(XRayAttribute.awsPrefix) {
                aws[String(key.dropFirst(XRayAttribute.awsPrefix.count))] = value
            } else if !httpBlockKeys.contains(key) {
                metadata[key] = value
            }
        }
        let isCall = !f.isSegment && f.kind.model.makesCalls
        let name = XRayNaming.name(
            operation: f.operationName, service: f.serviceName, isEntry: f.isSegment, isCall: isCall,
            attributes: f.attributes)
        let namespace = XRayNaming.namespace(isCall: isCall, attributes: f.attributes)
        if f.isSegment {
            // Usually the only annotation: made as a one-entry literal, without first probing an empty dictionary.
            if annotations.isEmpty {
                annotations = operations?.annotations(for: f.operationName) ?? ["operation": .string(f.operationName)]
            } else if annotations["operation"] == nil {
                annotations["operation"] = .string(f.operationName)
            }
        }
        let http = f.attributes.isEmpty ? nil : OTLPSemantics.http(from: f.attributes)
        var fault = false
        var error = false
        var throttle = false
        if let status = http?.status, let cls = StatusClass.forHTTPStatus(status) {
            switch cls {
            case .fault: fault = true
            case .throttle:
                throttle = true
                error = true
            case .error: error = true
            case .ok: break
            }
        } else if f.statusError || !f.exceptions.isEmpty {
            fault = true
        }
        var metadataJSON: String?
        if !metadata.isEmpty || !f.events.isEmpty {
            var w = JSONWriter()
            w.beginObject()
            w.key("default")
            w.beginObject()
            for key in metadata.keys.sorted() {
                w.key(key)
                if let v = metadata[key] { w.attribute(v) }
            }
            if !f.events.isEmpty {
                w.key("events")
                w.beginArray()
                for event in f.events {
                    w.beginObject()
                    w.key("name")
                    w.string(event.name)
                    w.key("time")
                    w.epochSeconds(event.nanos)
                    w.endObject()
                }
                w.endArray()
            }
            w.endObject()
            w.endObject()
            metadataJSON = w.text
        }
        return Span(
            traceID: f.traceID, id: f.spanID, parentID: f.parentID, name: name, source: .xray,
            kind: f.isSegment ? .server : (isCall ? .client : .internal), isSegment: f.isSegment, origin: f.origin,
            namespace: namespace, serviceName: f.serviceName, start: f.start, end: f.end, errorFlag: error,
            throttleFlag: throttle, faultFlag: fault, statusMessage: f.statusMessage, http: http, aws: aws,
            sql: isCall ? sqlHint(f.attributes) : [:], annotations: annotations, metadataJSON: metadataJSON,
            cause: f.exceptions.isEmpty ? nil : Cause(exceptions: f.exceptions)
        )
    }

    /// Attributes the `http` block carries as they are (method, full URL, status, client, user agent): not repeated
    /// in metadata. Parts the block only combines (a route, a host) stay there too.
    static let httpBlockKeys: Set<String> = [
        "http.request.method", "http.method", "url.full", "http.url", "http.response.status_code", "http.status_code",
        "client.address", "http.client_ip", "user_agent.original", "http.user_agent",
    ]

    /// A database call keeps its system in the `sql` block, so X-Ray readers type the callee as a database.
    static func sqlHint(_ attributes: [String: AttributeValue]) -> [String: AttributeValue] {
        guard !attributes.isEmpty, let system = attributes["db.system"] ?? attributes["db.system.name"] else {
            return [:]
        }
        return ["database_type": system]
    }
}

/// The `["operation": name]` annotations of recent operations, shared rather than rebuilt per segment. Used by one
/// exporter on the export thread only (`@unchecked Sendable`: never touched concurrently); bounded, so a service
/// with unbounded operation names cannot grow it.
final class OperationAnnotations: @unchecked Sendable {
    private var byName: [String: [String: AttributeValue]] = [:]
    /// The last answer: a run of one operation's segments compares names instead of hashing them.
    private var last: (operation: String, annotations: [String: AttributeValue])?
    static let limit = 256

    func annotations(for operation: String) -> [String: AttributeValue] {
        if let last, last.operation == operation { return last.annotations }
        let annotations = lookUp(operation)
        last = (operation, annotations)
        return annotations
    }

    private func lookUp(_ operation: String) -> [String: AttributeValue] {
        if let known = byName[operation] { return known }
        let made: [String: AttributeValue] = ["operation": .string(operation)]
        if byName.count >= Self.limit { byName.removeAll(keepingCapacity: true) }
        byName[operation] = made
        return made
    }
}
