import ArgumentParser
import Foundation
import TraceAnalysis
import TraceReports

/// `tracescope diff`: two runs in, what changed — and where — out, with gates for CI.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs: what got slower or failed more, where, and whether it is more than noise.",
        discussion: """
            Compares a base run with a current run per service, edge, function phase (dwell, init, handler) and \
            operation path: requests and req/s, error/throttle/fault rates, p50/p90/p99 with their sample counts. \
            A change is significant when the gap between the runs exceeds their 99.9% confidence intervals \
            combined and, for a latency, it moved by at least --min-change; a percentile is judged once each run \
            has ten requests beyond it (p50 20, p90 100, p99 1,000), so two runs of one distribution come out \
            unchanged. The \
            typical trace's change (the traces around the median) is split over the operation paths on its \
            critical path, largest first. New and vanished nodes and edges are listed.

            Each run is trace files (any format `summary` reads) or an AWS X-Ray window:
              tracescope diff --base main.jsonl --current pr.jsonl
              tracescope diff --base-xray 1h --current-xray 1h          (the hour before the last, against the last)
              tracescope diff --base-xray 2026-12-01T10:00:00Z/2026-12-01T11:00:00Z --current pr.jsonl

            Gates: any summary gate, judged on the current run with the base as its baseline, and a bound on \
            significant regressions:
              --assert 'checkout: p(95) <= +10%'
              --assert 'significant_regressions == 0'

            Exit codes: 0 every gate passed, 1 a gate failed, 2 bad input or usage.
            """
    )

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("The base run's trace files (`-` for standard input).", valueName: "file"))
    var base: [String] = []

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("The current run's trace files.", valueName: "file"))
    var current: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The base run from AWS X-Ray: START/END (ISO-8601 or epoch seconds), or a duration such as 1h for the "
                + "hour before the current run's window.", valueName: "window"))
    var baseXray: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The current run from AWS X-Ray: START/END, or a duration such as 1h for the last hour.",
            valueName: "window"))
    var currentXray: String?

    @OptionGroup(title: "AWS X-Ray (with --base-xray or --current-xray)")
    var aws: AWSOptions

    @OptionGroup(title: "AWS X-Ray (with --base-xray or --current-xray)")
    var read: XRayReadOptions

    @OptionGroup(title: "Report")
    var report: ReportOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Samples each run needs before a figure is judged (default: p99 1000, p90 100, p50 20, rates 1).",
            valueName: "n"))
    var minSamples: UInt64?

    @Option(
        name: .long,
        help: ArgumentHelp("Smallest latency change that can be significant, in percent.", valueName: "percent"))
    var minChange: Double = 5

    func validate() throws {
        guard !base.isEmpty || baseXray != nil else {
            throw ValidationError("name the base run: --base FILE… or --base-xray WINDOW")
        }
        guard !current.isEmpty || currentXray != nil else {
            throw ValidationError("name the current run: --current FILE… or --current-xray WINDOW")
        }
        guard base.isEmpty || baseXray == nil else { throw ValidationError("--base and --base-xray are exclusive") }
        guard current.isEmpty || currentXray == nil else {
            throw ValidationError("--current and --current-xray are exclusive")
        }
        guard minChange.isFinite, minChange >= 0, minChange <= 10_000 else {
            throw ValidationError("--min-change must be 0…10000 (percent)")
        }
    }

    func run() async throws {
        let parsedGates = try parseGates(report.gates, DiffGate.parse)
        var windows: (base: (Date, Date)?, current: (Date, Date)?) = (nil, nil)
        do throws(TimeSpec.Failure) {
            windows = try XRayWindows.resolve(base: baseXray, current: currentXray, now: Date())
        } catch {
            Terminal.warn(error.description)
            throw ExitCode(2)
        }

        var baseRun = RunReader(traceTimeout: report.traceTimeout, trackOperations: true, label: "base: ")
        var currentRun = RunReader(traceTimeout: report.traceTimeout, trackOperations: true, label: "current: ")
        try await read(into: &baseRun, files: base, window: windows.base)
        try await read(into: &currentRun, files: current, window: windows.current)
        let baseSummary = baseRun.finish()
        let currentSummary = currentRun.finish()
        var diff = DiffBuilder.build(
            base: baseSummary, current: currentSummary, baseOperations: baseRun.analyzer.operations,
            currentOperations: currentRun.analyzer.operations,
            significance: Significance(minimumRelativeChange: minChange / 100, minimumSamples: minSamples))
        diff.gates = DiffGate.evaluate(parsedGates, on: diff, minimumSamples: minSamples)

        let text: String
        switch report.format {
        case .text: text = DiffTextReport.render(diff)
        case .markdown: text = DiffMarkdownReport.render(diff)
        case .json: text = DiffJSONReport.render(diff)
        case .junit: text = DiffJUnitReport.render(diff)
        }
        try report.conclude(
            report: text, gates: diff.gates, verdict: diff.verdict,
            rejected: baseRun.stats.rejectedCount + currentRun.stats.rejectedCount)
    }

    private func read(into reader: inout RunReader, files: [String], window: (Date, Date)?) async throws {
        if let window {
            try await reader.readXRay(window: window, aws: aws, filter: read.filter, maxTraces: read.maxTraces)
        } else {
            try reader.read(files: files)
        }
    }
}

/// The X-Ray windows of `diff`: each `START/END`, or a duration — the current run's the last D before now, the base
/// run's the D before the current window starts (or before now, when the current run is files).
enum XRayWindows {
    static func resolve(base: String?, current: String?, now: Date) throws(TimeSpec.Failure)
        -> (base: (Date, Date)?, current: (Date, Date)?)
    {
        var currentWindow: (Date, Date)?
        if let current { currentWindow = try window(current, endingAt: now, flag: "--current-xray") }
        var baseWindow: (Date, Date)?
        if let base { baseWindow = try window(base, endingAt: currentWindow?.0 ?? now, flag: "--base-xray") }
        return (baseWindow, currentWindow)
    }

    private static func window(_ text: String, endingAt end: Date, flag: String) throws(TimeSpec.Failure) -> (
        Date, Date
    ) {
        guard let slash = text.firstIndex(of: "/") else {
            return (end.addingTimeInterval(-(try TimeSpec.duration(text, flag: flag))), end)
        }
        let start = try TimeSpec.instant(String(text[..<slash]), flag: flag)
        let stop = try TimeSpec.instant(String(text[text.index(after: slash)...]), flag: flag)
        guard start < stop else {
            throw TimeSpec.Failure(description: "\(flag) \(text): the window is empty: its start is not before its end")
        }
        return (start, stop)
    }
}
