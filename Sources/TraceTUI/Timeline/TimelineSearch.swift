import TraceAnalysis
import TraceModel

/// Finding spans inside one trace (`/` in the timeline): by name, service, origin, annotation, HTTP method, URL or
/// status, status class (`error`, `throttle`, `fault`) or exception — case-insensitive, anywhere in the text — and
/// showing a match hidden inside collapsed spans.
public enum TimelineSearch {
    /// Indices into `timeline.rows` (every row, collapsed or not) whose span matches, in preorder.
    public static func matches(_ query: String, in timeline: TraceTimeline) -> [Int] {
        let needle = query.lowercased()
        guard !needle.isEmpty else { return [] }
        return timeline.rows.indices.filter { r in
            texts(of: timeline.spans[timeline.rows[r].span]).contains { $0.lowercased().contains(needle) }
        }
    }

    /// What a span is searched by.
    static func texts(of span: Span) -> [String] {
        var texts = [span.name]
        if let service = span.serviceName { texts.append(service) }
        if let origin = span.origin { texts.append(origin) }
        if let http = span.http {
            texts += [http.method, http.url].compactMap { $0 }
            if let status = http.status { texts.append(String(status)) }
        }
        for (key, value) in span.annotations { texts.append("\(key)=\(value.description)") }
        let cls = span.statusClass
        if cls != .ok { texts += [cls.description, "error"] }
        if let message = span.statusMessage { texts.append(message) }
        for exception in span.cause?.exceptions ?? [] {
            texts += [exception.type, exception.message].compactMap { $0 }
        }
        return texts
    }

    /// The match after (or before) the selected row, wrapping; nil when nothing matches.
    public static func step(
        from selectedSpan: Int?, forward: Bool, matches: [Int], in timeline: TraceTimeline, inclusive: Bool
    ) -> Int? {
        guard !matches.isEmpty else { return nil }
        let here = selectedSpan.flatMap { span in timeline.rows.firstIndex { $0.span == span } } ?? -1
        if forward {
            return matches.first { inclusive ? $0 >= here : $0 > here } ?? matches.first
        }
        return matches.last { $0 < here } ?? matches.last
    }

    /// `collapsed` without the ancestors of `row` (an index into `timeline.rows`), so that row is shown.
    public static func reveal(_ row: Int, in timeline: TraceTimeline, collapsed: Set<SpanID>) -> Set<SpanID> {
        var shown = collapsed
        var depth = timeline.rows[row].depth
        var r = row - 1
        while r >= 0, depth > 0 {
            if timeline.rows[r].depth < depth {
                shown.remove(timeline.spans[timeline.rows[r].span].id)
                depth = timeline.rows[r].depth
            }
            r -= 1
        }
        return shown
    }
}
