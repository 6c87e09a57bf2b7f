import TraceAnalysis
import TraceModel

/// The detail pane's text for one span: timing and status, HTTP, AWS and SQL fields, annotations, attributes,
/// metadata and exceptions with their stacks. Plain lines; the view escapes and clips them.
public enum SpanDetail {
    public struct Line: Sendable, Equatable {
        public var label: String
        public var value: String
        public var role: StyleRole

        public init(_ label: String, _ value: String, _ role: StyleRole = .plain) {
            self.label = label
            self.value = value
            self.role = role
        }
    }

    public static func lines(of span: Span, traceStart: EpochNanos) -> [Line] {
        var lines: [Line] = []
        let cls = span.statusClass
        var status = cls == .ok ? "ok" : "\(cls)"
        if span.inProgress { status += " (in progress)" }
        if let message = span.statusMessage, !message.isEmpty { status += " · \(message)" }
        lines.append(Line("span", "\(span.name) · \(span.kind)\(span.isSegment ? " segment" : "") · id \(span.id)"))
        if let service = span.serviceName, service != span.name { lines.append(Line("service", service)) }
        if let origin = span.origin { lines.append(Line("origin", origin)) }
        if let namespace = span.namespace { lines.append(Line("namespace", namespace)) }
        lines.append(
            Line(
                "timing",
                "starts +\(Formatting.millis(Double(span.start - traceStart) / 1e6)) · "
                    + "takes \(Formatting.millis(Double(span.duration) / 1e6))"))
        lines.append(Line("status", status, StyleRole.forClass(cls)))
        if let http = span.http {
            let request = [http.method, http.url].compactMap { $0 }.joined(separator: " ")
            if !request.isEmpty { lines.append(Line("http", request)) }
            if let code = http.status {
                lines.append(Line("response", "\(code)", code >= 400 ? StyleRole.forClass(cls) : .plain))
            }
            if let ip = http.clientIP { lines.append(Line("client ip", ip)) }
            if let agent = http.userAgent { lines.append(Line("user agent", agent)) }
        }
        for (key, value) in span.aws.sorted(by: { $0.key < $1.key }) {
            lines.append(Line("aws.\(key)", value.description))
        }
        for (key, value) in span.sql.sorted(by: { $0.key < $1.key }) {
            lines.append(Line("sql.\(key)", value.description))
        }
        for (key, value) in span.annotations.sorted(by: { $0.key < $1.key }) {
            lines.append(Line("annotation.\(key)", value.description))
        }
        if span.source == .otlp {
            for (key, value) in span.attributes.sorted(by: { $0.key < $1.key }) {
                lines.append(Line(key, value.description, .dim))
            }
            for (key, value) in span.resource.sorted(by: { $0.key < $1.key }) {
                lines.append(Line("resource.\(key)", value.description, .dim))
            }
        }
        if let metadata = span.metadataJSON { lines.append(Line("metadata", metadata, .dim)) }
        if let cause = span.cause {
            if let referenced = cause.referencedExceptionID {
                lines.append(Line("exception", "see exception \(referenced) (recorded on another subsegment)", .dim))
            }
            for exception in cause.exceptions {
                let text = [exception.type, exception.message].compactMap { $0 }.joined(separator: ": ")
                lines.append(
                    Line(
                        exception.remote ? "remote exception" : "exception", text.isEmpty ? "(no message)" : text,
                        StyleRole.forClass(cls == .ok ? .error : cls)))
                for frame in exception.stack {
                    let place = [frame.path, frame.line.map { "\($0)" }].compactMap { $0 }.joined(separator: ":")
                    lines.append(Line("", "at \(frame.label ?? "?")\(place.isEmpty ? "" : " (\(place))")", .dim))
                }
            }
        }
        return lines
    }
}
