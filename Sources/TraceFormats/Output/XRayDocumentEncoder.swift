import TraceModel

/// Writes spans as X-Ray segment documents — Tracescope's native on-disk format, readable by anything X-Ray-aware.
///
/// Segments are written with their subsegments nested; subsegments whose segment is not among the spans given are
/// written as independent subsegment documents (`"type": "subsegment"` with `trace_id` and `parent_id`), exactly as
/// the X-Ray SDKs stream them.
///
/// ```swift
/// for line in XRayDocumentEncoder.documents(for: spans) { file.write(line + "\n") }
/// ```
public enum XRayDocumentEncoder {
    /// One JSON document per segment (with its subsegments nested) and per orphaned subsegment tree.
    public static func documents(for spans: [Span]) -> [String] {
        var texts: [String] = []
        forEachDocument(spans) { writer in texts.append(writer.text) }
        return texts
    }

    /// The same documents, each with the number of spans it holds (forwarders count spans, not documents).
    public static func documentsWithSpanCounts(for spans: [Span]) -> [(text: String, spans: Int)] {
        let (roots, children) = plan(spans)
        var writer = JSONWriter()
        var result: [(text: String, spans: Int)] = []
        result.reserveCapacity(roots.count)
        for root in roots {
            writer.reset()
            write(spans[root], index: root, spans: spans, children: children, top: true, writer: &writer, depth: 0)
            // Counted with a work list: a tree may be deep.
            var count = 0
            var pending = [root]
            while let next = pending.popLast() {
                count += 1
                if !children.isEmpty { pending += children[next] }
            }
            result.append((writer.text, count))
        }
        return result
    }

    /// Writes every document into `writer`, each followed by a newline: JSON lines, without a `String` per document.
    public static func writeLines(for spans: [Span], into writer: inout JSONWriter) {
        let (roots, children) = plan(spans)
        for root in roots {
            write(spans[root], index: root, spans: spans, children: children, top: true, writer: &writer, depth: 0)
            writer.rawByte(0x0A)
            writer.reset(keepingBytes: true)
        }
    }

    private static func forEachDocument(_ spans: [Span], _ body: (JSONWriter) -> Void) {
        let (roots, children) = plan(spans)
        var writer = JSONWriter()
        for root in roots {
            writer.reset()
            write(spans[root], index: root, spans: spans, children: children, top: true, writer: &writer, depth: 0)
            body(writer)
        }
    }

    /// Which spans start a document, and per span (by index) the children nested in its document.
    ///
    /// Every span is written exactly once, whatever the input: a subsegment under its parent while the nesting
    /// stays within what the decoder reads back (`XRayDocumentDecoder.maxNesting`), beyond that as an independent
    /// subsegment document naming its parent, as SDKs stream them; spans caught in a parent cycle, which no walk from
    /// a root reaches, start documents of their own. Duplicate ids nest under the first span that has the id.
    private static func plan(_ spans: [Span]) -> (roots: [Int], children: [[Int]]) {
        // A batch of segments alone (a service's requests) needs no id set at all.
        if !spans.contains(where: { !$0.isSegment && $0.parentID != nil }) { return (Array(spans.indices), []) }
        var firstIndex: [SpanID: Int] = [:]
        firstIndex.reserveCapacity(spans.count)
        for (i, span) in spans.enumerated() where firstIndex[span.id] == nil { firstIndex[span.id] = i }
        var linked = [[Int]](repeating: [], count: spans.count)
        var starts: [Int] = []
        for (i, span) in spans.enumerated() {
            if !span.isSegment, let parent = span.parentID, let p = firstIndex[parent], p != i {
                linked[p].append(i)
            } else {
                starts.append(i)
            }
        }
        var children = [[Int]](repeating: [], count: spans.count)
        var placed = [Bool](repeating: false, count: spans.count)
        var roots: [Int] = []
        var nextUnplaced = 0
        var k = 0
        while true {
            if k == starts.count {
                // Whatever is left hangs off a cycle: its first span starts a document.
                while nextUnplaced < spans.count, placed[nextUnplaced] { nextUnplaced += 1 }
                guard nextUnplaced < spans.count else { break }
                starts.append(nextUnplaced)
            }
            let root = starts[k]
            k += 1
            guard !placed[root] else { continue }
            roots.append(root)
            placed[root] = true
            var stack = [(span: root, depth: 0)]
            while let (i, depth) = stack.popLast() {
                for child in linked[i] where !placed[child] {
                    if depth == XRayDocumentDecoder.maxNesting {
                        starts.append(child)
                    } else {
                        placed[child] = true
                        children[i].append(child)
                        stack.append((child, depth + 1))
                    }
                }
            }
        }
        return (roots, children)
    }

    /// One document for a single span and no children (how a streaming exporter sends a subsegment).
    public static func document(for span: Span) -> String {
        var writer = JSONWriter()
        write(span, index: 0, spans: [span], children: [], top: true, writer: &writer, depth: 0)
        return writer.text
    }

    private static func write(
        _ span: Span, index: Int, spans: [Span], children: [[Int]], top: Bool,
        writer w: inout JSONWriter, depth: Int
    ) {
        w.beginObject()
        w.key("name" as StaticString)
        w.string(segmentName(span))
        w.key("id" as StaticString)
        w.spanID(span.id)
        if top {
            w.key("trace_id" as StaticString)
            w.xrayTraceID(span.traceID)
            if let parent = span.parentID {
                w.key("parent_id" as StaticString)
                w.spanID(parent)
            }
            if !span.isEntry {
                w.key("type" as StaticString)
                w.string("subsegment")
            }
        }
        w.key("start_time" as StaticString)
        w.epochSeconds(span.start)
        if let end = span.end, !span.inProgress {
            w.key("end_time" as StaticString)
            w.epochSeconds(end)
        } else {
            w.key("in_progress" as StaticString)
            w.bool(true)
        }
        if let origin = span.origin
            ?? (span.source == .otlp && span.isEntry ? span.attribute(XRayNaming.originKey)?.stringValue : nil)
        {
            w.key("origin" as StaticString)
            w.string(origin)
        }
        if let namespace = namespace(span) {
            w.key("namespace" as StaticString)
            w.string(namespace)
        }
        if span.inferred {
            w.key("inferred" as StaticString)
            w.bool(true)
        }
        let cls = span.statusClass
        if span.errorFlag || cls == .error {
            w.key("error" as StaticString)
            w.bool(true)
        }
        if span.throttleFlag || cls == .throttle {
            w.key("throttle" as StaticString)
            w.bool(true)
            if !span.errorFlag {
                w.key("error" as StaticString)
                w.bool(true)
            }
        }
        if span.faultFlag || cls == .fault {
            w.key("fault" as StaticString)
            w.bool(true)
        }
        if let http = span.http { writeHTTP(http, &w) }
        writeMap("aws", span.aws, &w)
        if span.source == .otlp, span.isDownstreamCall, span.sql.isEmpty,
            let system = span.attributes["db.system"] ?? span.attributes["db.system.name"]
        {
            writeMap("sql", ["database_type": system], &w)
        } else {
            writeMap("sql", span.sql, &w)
        }
        writeMap("annotations", span.annotations, &w)
        if let metadata = span.metadataJSON {
            w.key("metadata" as StaticString)
            w.raw(metadata)
        } else if span.source == .otlp {
            writeOTelMetadata(span, &w)
        }
        if let cause = span.cause { writeCause(cause, &w) }
        if !children.isEmpty, case let kids = children[index], !kids.isEmpty {
            w.key("subsegments" as StaticString)
            w.beginArray()
            for child in kids.sorted(by: { spans[$0].start < spans[$1].start }) {
                write(
                    spans[child], index: child, spans: spans, children: children, top: false, writer: &w,
                    depth: depth + 1)
            }
            w.endArray()
        }
        w.endObject()
    }

    /// X-Ray names a segment after its service and a call after its callee; OTLP spans are renamed so (keeping the
    /// span name in metadata), which makes the X-Ray file draw the same service graph as the OTLP it came from.
    private static func segmentName(_ span: Span) -> String {
        guard span.source == .otlp else { return span.name }
        return XRayNaming.name(
            operation: span.name, service: span.serviceName, isEntry: span.isEntry, isCall: span.isDownstreamCall,
            attributes: span.isDownstreamCall ? span.attributes : [:])
    }

    private static func namespace(_ span: Span) -> String? {
        if let ns = span.namespace { return ns }
        guard span.source == .otlp else { return nil }
        return XRayNaming.namespace(isCall: span.isDownstreamCall, attributes: span.attributes)
    }

    private static func writeHTTP(_ http: HTTPInfo, _ w: inout JSONWriter) {
        w.key("http" as StaticString)
        w.beginObject()
        if http.method != nil || http.url != nil || http.clientIP != nil || http.userAgent != nil {
            w.key("request" as StaticString)
            w.beginObject()
            if let method = http.method {
                w.key("method" as StaticString)
                w.string(method)
            }
            if let url = http.url {
                w.key("url" as StaticString)
                w.string(url)
            }
            if let ip = http.clientIP {
                w.key("client_ip" as StaticString)
                w.string(ip)
            }
            if let agent = http.userAgent {
                w.key("user_agent" as StaticString)
                w.string(agent)
            }
            w.endObject()
        }
        if http.status != nil || http.contentLength != nil {
            w.key("response" as StaticString)
            w.beginObject()
            if let status = http.status {
                w.key("status" as StaticString)
                w.int(status)
            }
            if let length = http.contentLength {
                w.key("content_length" as StaticString)
                w.int(length)
            }
            w.endObject()
        }
        w.endObject()
    }

    /// Keys sorted, so equal spans give equal bytes; a single entry (a segment's `operation`) needs no sort.
    private static func writeMap(_ name: StaticString, _ map: [String: AttributeValue], _ w: inout JSONWriter) {
        guard !map.isEmpty else { return }
        w.key(name)
        w.beginObject()
        if map.count == 1, let (key, value) = map.first {
            w.key(key)
            w.attribute(value)
        } else {
            for (key, value) in map.sorted(by: { $0.key < $1.key }) {
                w.key(key)
                w.attribute(value)
            }
        }
        w.endObject()
    }

    private static func writeOTelMetadata(_ span: Span, _ w: inout JSONWriter) {
        w.key("metadata" as StaticString)
        w.beginObject()
        w.key("otel" as StaticString)
        w.beginObject()
        w.key("span.name" as StaticString)
        w.string(span.name)
        w.key("span.kind" as StaticString)
        w.string(span.kind.description)
        // Resource attributes beside the span's own (the span's win on a shared key), as one flat set.
        let attributes =
            span.resource.isEmpty ? span.attributes : span.resource.merging(span.attributes) { _, own in own }
        for key in attributes.keys.sorted() {
            w.key(key)
            if let value = attributes[key] { w.attribute(value) }
        }
        w.endObject()
        w.endObject()
    }

    private static func writeCause(_ cause: Cause, _ w: inout JSONWriter) {
        w.key("cause" as StaticString)
        if let reference = cause.referencedExceptionID, cause.exceptions.isEmpty {
            w.string(reference)
            return
        }
        w.beginObject()
        if let dir = cause.workingDirectory {
            w.key("working_directory" as StaticString)
            w.string(dir)
        }
        w.key("exceptions" as StaticString)
        w.beginArray()
        for e in cause.exceptions {
            w.beginObject()
            if let id = e.id {
                w.key("id" as StaticString)
                w.string(id)
            }
            if let type = e.type {
                w.key("type" as StaticString)
                w.string(type)
            }
            if let message = e.message {
                w.key("message" as StaticString)
                w.string(message)
            }
            if e.remote {
                w.key("remote" as StaticString)
                w.bool(true)
            }
            if !e.stack.isEmpty {
                w.key("stack" as StaticString)
                w.beginArray()
                for frame in e.stack {
                    w.beginObject()
                    if let path = frame.path {
                        w.key("path" as StaticString)
                        w.string(path)
                    }
                    if let line = frame.line {
                        w.key("line" as StaticString)
                        w.int(line)
                    }
                    if let label = frame.label {
                        w.key("label" as StaticString)
                        w.string(label)
                    }
                    w.endObject()
                }
                w.endArray()
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }
}
