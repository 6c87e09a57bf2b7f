import ArgumentParser
import Foundation
import TraceAnalysis
import TraceBackends
import TraceFiles
import TraceFormats
import TraceModel

/// One run's traces read into an analyzer — from files or from an X-Ray window — with what was rejected: the input
/// side of `summary` and of both runs of `diff`. Failures are reported on stderr and thrown as exit code 2.
struct RunReader {
    var analyzer: TraceAnalyzer
    var stats = IngestStats()
    var inputs: [String] = []
    /// Put before every message, so a diff says which run a bad record came from (`base: `).
    let label: String

    init(traceTimeout: Double, trackOperations: Bool, label: String = "") {
        analyzer = TraceAnalyzer(quietPeriodSeconds: traceTimeout, maxOpenTraces: 200_000, seriesCapacity: 16)
        if trackOperations { analyzer.trackOperations() }
        self.label = label
    }

    /// Reads trace files (`-` is standard input); decoding runs on a second thread while this one analyses.
    mutating func read(files: [String]) throws {
        var unusable: [String] = []
        var analyzer = self.analyzer
        var stats = self.stats
        do throws(TraceFileReader.Failure) {
            try ParallelTraceReader.read(paths: files) { event in
                switch event {
                case .spans(let spans):
                    analyzer.ingest(spans)
                case .finished(let path, let fileStats):
                    if fileStats.spans == 0 { unusable.append(path) }
                    stats.merge(fileStats)
                }
            }
        } catch {
            Terminal.warn(label + error.description)
            throw ExitCode(2)
        }
        self.analyzer = analyzer
        self.stats = stats
        inputs += files
        reportRejected()
        if !unusable.isEmpty {
            for path in unusable { Terminal.warn("\(label)\(path): no usable trace records") }
            throw ExitCode(2)
        }
    }

    /// Reads a window's traces from X-Ray, analysed exactly as a file of the same documents would be.
    mutating func readXRay(
        window: (start: Date, end: Date), aws: AWSOptions, filter: String?, maxTraces: Int
    ) async throws {
        do {
            let client = try aws.client()
            let fetcher = XRayTraceFetcher(client: client, maxTraces: maxTraces)
            let (ids, truncated) = try await fetcher.traceIDs(start: window.start, end: window.end, filter: filter)
            if truncated {
                Terminal.warn(
                    "\(label)X-Ray holds more than \(maxTraces) traces in the window: the first \(maxTraces) are read (--max-traces)"
                )
            }
            var spans: [[Span]] = []
            let outcome = try await fetcher.fetch(ids: ids) { spans.append($0) }
            for batch in spans { analyzer.ingest(batch) }
            stats.merge(outcome.stats)
            if !outcome.missing.isEmpty {
                Terminal.warn(
                    "\(label)X-Ray did not return \(outcome.missing.count) of \(ids.count) traces (UnprocessedTraceIds)"
                )
            }
            if ids.isEmpty {
                Terminal.warn(
                    "\(label)X-Ray holds no traces in the window (\(client.endpoint.absoluteString), \(client.region))")
                throw ExitCode(2)
            }
            let format = ISO8601DateFormatter()
            inputs.append(
                "xray:\(client.region) \(format.string(from: window.start))/\(format.string(from: window.end))")
            reportRejected()
        } catch let error as AWSError {
            Terminal.warn(label + error.description)
            throw ExitCode(2)
        }
    }

    private func reportRejected() {
        for example in stats.examples { Terminal.warn(label + example.description) }
        if stats.rejectedCount > stats.examples.count {
            Terminal.warn("\(label)… and \(stats.rejectedCount - stats.examples.count) more rejected records")
        }
    }

    /// Completes every open trace and summarizes the run, with its inputs and rejections.
    mutating func finish() -> Summary {
        analyzer.finish()
        var summary = SummaryBuilder.build(from: analyzer)
        summary.inputs = inputs
        summary.rejected = Summary.Rejected(
            count: stats.rejectedCount,
            reasons: Dictionary(uniqueKeysWithValues: stats.rejected.map { ($0.key.rawValue, $0.value) }),
            examples: stats.examples.map(\.description)
        )
        return summary
    }
}

/// Parses every gate before reading anything: a typo should fail fast, not after a 1 GB file.
func parseGates<G>(_ texts: [String], _ parse: (String) throws(GateParser.Failure) -> G) throws -> [G] {
    var parsed: [G] = []
    for text in texts {
        do throws(GateParser.Failure) { parsed.append(try parse(text)) } catch {
            Terminal.warn(error.description)
            throw ExitCode(2)
        }
    }
    return parsed
}

/// Writes a report to `--output` or standard output.
func emit(_ report: String, to output: String?) throws {
    guard let output else {
        Terminal.write(report)
        return
    }
    do throws(Terminal.WriteError) { try Terminal.writeFile(output, report) } catch {
        Terminal.warn(error.description)
        throw ExitCode(2)
    }
}

/// Says on stderr which gates failed, and why.
func warnFailedGates(_ gates: [GateResult]) {
    for gate in gates where !gate.passed {
        Terminal.warn(
            "gate failed: \(gate.gate)\(gate.target.map { " [\($0)]" } ?? ""): \(gate.status.rawValue): \(gate.message)"
        )
    }
}
