import ArgumentParser
import Foundation
import TraceAnalysis
import TraceFiles
import TraceFormats
import TraceModel

/// `summary`: the whole `tracescope summary` pipeline (read, decode, assemble, graph, histograms, phases, summary)
/// against Foundation's `JSONSerialization` merely parsing the same lines. Each side runs in a child process so its
/// peak memory is its own; the pipeline runs at two sizes to show memory stays flat as the input grows.
struct SummaryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "Summary throughput vs. JSONSerialization.")

    @Flag(help: "Under a minute: 100k and 1M segments, one run each.")
    var quick = false

    @Option(help: "Runs per measurement (best is kept).")
    var runs: Int?

    func run() throws {
        let small = try Measure.stressFile(segments: 100_000)
        let large = try Measure.stressFile(segments: 1_000_000)
        let repetitions = runs ?? (quick ? 1 : 3)
        print("summary benchmark: \(repetitions) run(s) each, best kept")

        let small100k = try bestOf(repetitions, ["summary-child", "pipeline", small])
        let ours = try bestOf(repetitions, ["summary-child", "pipeline", large])
        let reference = try bestOf(repetitions, ["summary-child", "jsonserialization", large])
        let bytes = Double(Measure.fileSize(large))
        let oursRate = ours.spans / ours.seconds
        let refRate = ours.spans / reference.seconds
        print("")
        print("input: \(large) (\(Measure.format(bytes / 1_048_576)) MiB, \(Int(ours.spans)) spans)")
        print("                              time      spans/s     MB/s   peak RSS")
        print(
            "tracescope summary (1M)   \(pad(Measure.format(ours.seconds, 2)))s  \(pad(Measure.format(oursRate / 1e6, 2), 8))M  \(pad(Measure.format(bytes / ours.seconds / 1e6), 7))  \(pad(Measure.format(ours.peak)))MiB"
        )
        print(
            "JSONSerialization (1M)    \(pad(Measure.format(reference.seconds, 2)))s  \(pad(Measure.format(refRate / 1e6, 2), 8))M  \(pad(Measure.format(bytes / reference.seconds / 1e6), 7))  \(pad(Measure.format(reference.peak)))MiB"
        )
        print(
            "tracescope summary (100k) \(pad(Measure.format(small100k.seconds, 2)))s  \(pad(Measure.format(small100k.spans / small100k.seconds / 1e6, 2), 8))M  \(pad(""))       \(pad(Measure.format(small100k.peak)))MiB"
        )
        print(
            "peak memory 100k → 1M segments: \(Measure.format(small100k.peak)) MiB → \(Measure.format(ours.peak)) MiB")
        print(
            "RESULT summary ours=\(Int(oursRate)) spans/s reference=\(Int(refRate)) spans/s ratio=\(Measure.format(oursRate / refRate, 2))"
        )
        print(
            "RESULT summary.memory ours=\(Measure.format(ours.peak)) MiB reference=\(Measure.format(small100k.peak)) MiB ratio=\(Measure.format(small100k.peak / ours.peak, 2))"
        )
    }

    /// Runs a child measurement `runs` times and keeps the fastest: `(spans, seconds, peak MiB)`.
    private func bestOf(_ runs: Int, _ arguments: [String]) throws -> (spans: Double, seconds: Double, peak: Double) {
        var best: (spans: Double, seconds: Double, peak: Double)?
        for _ in 0..<runs {
            let child = try Measure.child(arguments)
            let fields = child.output.split(separator: "\n").last?.split(separator: " ").compactMap { Double($0) } ?? []
            guard child.status == 0, fields.count == 2 else {
                throw ValidationError("\(arguments.joined(separator: " ")) failed: \(child.output)")
            }
            if let current = best, current.seconds <= fields[1] { continue }
            best = (fields[0], fields[1], child.peakMiB)
        }
        guard let best else { throw ValidationError("no runs") }
        return best
    }

    private func pad(_ s: String, _ width: Int = 6) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }
}

/// The measured side of `summary`, run in a child process: prints `<spans> <seconds>`.
struct SummaryChild: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary-child", shouldDisplay: false)

    @Argument var mode: String
    @Argument var path: String

    func run() throws {
        switch mode {
        case "pipeline":
            let ((spans, summary), seconds) = try Measure.time { () throws -> (Int, Summary) in
                var analyzer = TraceAnalyzer(quietPeriodSeconds: 30, maxOpenTraces: 200_000, seriesCapacity: 16)
                var spans = 0
                try ParallelTraceReader.read(paths: [path]) { event in
                    switch event {
                    case .spans(let batch): analyzer.ingest(batch)
                    case .finished(_, let stats): spans = stats.spans
                    }
                }
                analyzer.finish()
                return (spans, SummaryBuilder.build(from: analyzer))
            }
            precondition(summary.traces.requests > 0)
            print("traces=\(summary.traces.requests) nodes=\(summary.services.count)")
            print("\(spans) \(seconds)")
        case "decode-only":
            // Diagnostics: decoding alone, no analysis.
            let (count, seconds) = try Measure.time { () throws -> Int in
                try TraceFileReader.read(path: path) { _ in }.spans
            }
            print("\(count) \(seconds)")
        case "analysis-only":
            // Diagnostics: decode everything first, then time the analysis alone.
            var batches: [[Span]] = []
            try TraceFileReader.read(path: path) { batches.append($0) }
            let (count, seconds) = Measure.time { () -> Int in
                var analyzer = TraceAnalyzer(quietPeriodSeconds: 30, maxOpenTraces: 200_000, seriesCapacity: 16)
                for batch in batches { analyzer.ingest(batch) }
                analyzer.finish()
                return Int(SummaryBuilder.build(from: analyzer).traces.requests)
            }
            print("\(count) \(seconds)")
        case "jsonserialization":
            // The reference: the same chunked read and line split, then JSONSerialization on each line, nothing else.
            let (count, seconds) = try Measure.time { () throws -> Int in
                var spans = 0
                var lines = 0
                var framer = RecordFramer()
                guard let handle = FileHandle(forReadingAtPath: path) else { throw POSIXError(.ENOENT) }
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    chunk.withUnsafeBytes { raw in
                        framer.push(raw) { record in
                            let data = Data(record.bytes)
                            if (try? JSONSerialization.jsonObject(with: data)) != nil { lines += 1 }
                        }
                    }
                }
                framer.finish { _ in }
                spans = lines
                return spans
            }
            print("\(count) \(seconds)")
        default:
            throw ValidationError("unknown mode \(mode)")
        }
    }
}
