import TraceAnalysis
import TraceCollector

/// The periodic line on stderr: rates, traces, rejections, memory.
enum StatusLine {
    static func render(_ s: CollectorStats) -> String {
        var line =
            "spans \(s.spans) · datagrams \(s.datagrams) · OTLP requests \(s.httpRequests) · traces \(s.tracesCompleted)"
        line += " · rejected \(s.rejectedCount)"
        if s.kernelDrops > 0 { line += " · dropped by the kernel \(s.kernelDrops) (overload)" }
        if s.unprocessedAtStop > 0 { line += " · not processed at stop \(s.unprocessedAtStop) (overload)" }
        if s.rejectedCount > 0 {
            line +=
                " (" + s.rejected.keys.sorted().map { "\($0.rawValue) \(s.rejected[$0] ?? 0)" }.joined(separator: ", ")
                + ")"
        }
        line += " · graph \(s.graphNodes) nodes, \(s.graphEdges) edges"
        line += " (\(Formatting.fixed(Double(s.graphBytes) / 1_048_576, 1)) MB)"
        line += " · kept \(s.tracesStored) (\(Formatting.fixed(Double(s.storedBytes) / 1_048_576, 1)) MB)"
        if s.tracesEvicted > 0 { line += " · evicted \(s.tracesEvicted)" }
        if s.tracesCompletedEarly > 0 { line += " · completed early \(s.tracesCompletedEarly)" }
        if s.spansOverTraceLimit > 0 { line += " · spans over the per-trace limit \(s.spansOverTraceLimit)" }
        if s.clockSkewedTraces > 0 { line += " · traces dated ahead (clock skew) \(s.clockSkewedTraces)" }
        if s.foldedRequests > 0 {
            line += " · \(s.foldedRequests) requests folded into (other) (graph at its size limit)"
        }
        line += " · memory \(Formatting.fixed(Memory.residentMegabytes(), 1)) MB"
        line += " (peak \(Formatting.fixed(Memory.peakResidentMegabytes(), 1)) MB)"
        return line
    }
}
