import TraceModel

/// Finds function invocations in an assembled trace and derives their dwell, init, handler and overhead times.
///
/// X-Ray: each `AWS::Lambda::Function` segment is an invocation. Its `Initialization`/`Restore` subsegment is init (a
/// cold start), `Invocation` is the handler (in the older layout with no `Invocation`, the handler is the segment
/// minus init and overhead), `Overhead` is overhead. Dwell is the `Dwell time` subsegment of the `AWS::Lambda` segment
/// above it (async invokes).
/// OTLP: a SERVER span carrying `faas.*` attributes or `cloud.platform = aws_lambda` is an invocation; child spans with
/// the same names give the phases, and `faas.coldstart = true` without an init span still marks a cold start.
public enum InvocationExtractor {
    public static func invocations(in trace: AssembledTrace) -> [InvocationRecord] {
        // Most traces have no function at all: find out in place (see `AssembledTrace.withSpans`) before copying any.
        let functions = trace.withSpans { spans in
            spans.indices.filter {
                !spans[$0].inProgress && mayBeFunction(spans[$0]) && carriesFunctionMarks(spans[$0])
            }
        }
        guard !functions.isEmpty else { return [] }
        var records: [InvocationRecord] = []
        let spans = trace.spans
        for i in functions {
            let span = spans[i]
            var phases: [InvocationPhase: Int64] = [:]
            for child in spans where child.parentID == span.id && !child.isSegment {
                guard let phase = InvocationPhase.of(child.name) else { continue }
                phases[phase, default: 0] += child.duration
            }
            let initNanos =
                phases[.initialization] ?? phases[.restore]
                ?? (span.attribute("faas.coldstart")?.boolValue == true ? 0 : nil)
            let overhead = phases[.overhead]
            let handler = phases[.invocation] ?? max(0, span.duration - (initNanos ?? 0) - (overhead ?? 0))
            records.append(
                InvocationRecord(
                    function: functionName(span), traceID: trace.traceID, start: span.start,
                    dwellNanos: dwell(for: i, in: trace), initNanos: initNanos, handlerNanos: handler,
                    overheadNanos: overhead, statusClass: span.statusClass
                ))
        }
        return records
    }

    /// What `isFunction` asks first, from inline fields alone: inlined where spans are read in place, so spans that
    /// cannot be a function are passed over without a copy.
    @inline(__always)
    static func mayBeFunction(_ span: Span) -> Bool {
        switch span.source {
        case .xray: span.isSegment
        case .otlp: span.kind.receivesRequests || span.parentID == nil
        }
    }

    static func isFunction(_ span: Span) -> Bool {
        mayBeFunction(span) && carriesFunctionMarks(span)
    }

    /// The rest of `isFunction`, for a span `mayBeFunction` let through: an `AWS::Lambda::Function` segment, or an
    /// OTLP span with function attributes.
    private static func carriesFunctionMarks(_ span: Span) -> Bool {
        switch span.source {
        case .xray: return span.origin == "AWS::Lambda::Function"
        case .otlp: return hasFunctionAttributes(span)
        }
    }

    /// `faas.trigger`, `faas.invocation_id` or `faas.coldstart`, or `cloud.platform = aws_lambda`, on the span or its
    /// resource: an OTLP span of a function. One pass over each dictionary instead of four hashed look-ups in each.
    public static func hasFunctionAttributes(_ span: Span) -> Bool {
        func scan(_ attributes: some Sequence<Attribute>) -> Bool {
            for (key, value) in attributes {
                guard let first = key.utf8.first, first == UInt8(ascii: "f") || first == UInt8(ascii: "c") else {
                    continue
                }
                if key == "faas.trigger" || key == "faas.invocation_id" || key == "faas.coldstart" { return true }
                if key == "cloud.platform", value.stringValue == "aws_lambda" { return true }
            }
            return false
        }
        return scan(span.attributeList) || scan(span.resource)
    }

    static func functionName(_ span: Span) -> String {
        if span.source == .otlp { return span.attribute("faas.name")?.description ?? span.serviceName ?? span.name }
        return span.name
    }

    /// Dwell: X-Ray puts it on the `AWS::Lambda` service segment above the function; OTLP on a `Dwell` child span.
    private static func dwell(for i: Int, in trace: AssembledTrace) -> Int64? {
        let span = trace.spans[i]
        if span.source == .otlp {
            return trace.spans.first { $0.parentID == span.id && InvocationPhase.of($0.name) == .dwell }?.duration
        }
        // The service segment is the function segment's parent, or failing that one of the same name in the trace.
        let service: Span? =
            span.parentID.flatMap { trace.index(of: $0) }.map { trace.spans[$0] }
            .flatMap { $0.isSegment && $0.origin == "AWS::Lambda" ? $0 : nil }
            ?? trace.spans.first { $0.isSegment && $0.origin == "AWS::Lambda" && $0.name == span.name }
        guard let service else { return nil }
        let dwell = trace.spans.filter { $0.parentID == service.id && InvocationPhase.of($0.name) == .dwell }
        return dwell.isEmpty ? nil : dwell.reduce(0) { $0 + $1.duration }
    }
}
