import TraceFiles
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends finished spans to a file as X-Ray segment documents, one per line — what `tracescope summary` reads and
/// what a CI job keeps as an artifact. Subsegments whose segment ends in the same batch are nested in it; the rest are
/// written as independent subsegment documents, exactly as X-Ray SDKs stream them.
public final class JSONLinesFileExporter: SpanExporter {
    /// Why the file could not be opened for appending.
    public typealias OpenError = XRayLinesFile.OpenError

    private let file: XRayLinesFile
    private let operations = OperationAnnotations()

    /// Opens `path` for appending (creating it), so several runs can write one file.
    public init(path: String) throws(OpenError) {
        file = try XRayLinesFile(path: path)
    }

    /// Appends the spans as X-Ray documents, one per line.
    public func export(_ spans: [FinishedSpan]) throws {
        try file.append(spans.map { XRayMapping.span($0, operations: operations) })
    }

    /// Closes the file.
    public func shutdown() {
        file.close()
    }
}
