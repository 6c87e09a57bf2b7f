import ArgumentParser
import Foundation
import TraceAnalysis
import TraceBackends
import TraceFiles
import TraceFormats
import TraceModel
import TraceReports

/// `tracescope summary`: trace files in, a report and a CI verdict out.
struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarize trace files for CI: service graph, latency, errors, cold starts, and gates.",
        discussion: """
            Accepts X-Ray segment documents (JSON lines), daemon datagram captures, `aws xray batch-get-traces` \
            output and OTLP JSON, each file sniffed on its own; `-` reads standard input; gzip is read transparently.

            Gates use k6's threshold grammar, scoped to a service, an edge, a function or all traces:
              --assert 'checkout: p(95) < 250ms'
              --assert 'checkout -> payments: fault_rate == 0'
              --assert 'fn:checkout: init.p(99) < 2s'
              --assert '*: error_rate < 1%'
              --assert 'traces: p(99) <= +10%'          (relative to --baseline)
            Metrics: p(N) avg min max med count rps error_rate fault_rate throttle_rate failure_rate errors faults \
            throttles; for fn: invocations cold_starts cold_start_rate and dwell|init|handler|overhead . p(N)|avg|max|count.
            A gate whose scope has too few samples (p(99) needs 100, p(95) 20; see --min-samples) or matches \
            nothing fails and says why.

            With --xray, the traces come from an AWS X-Ray account instead of files: the window's trace summaries \
            (GetTraceSummaries, --filter passed through as X-Ray's filter expression), then the traces themselves \
            (BatchGetTraces), analysed exactly as a file of the same documents would be. Credentials, region and \
            endpoint are found as the AWS CLI finds them.
              tracescope summary --xray --since 1h --region eu-west-1 --assert '*: fault_rate < 1%'

            Exit codes: 0 every gate passed, 1 a gate failed, 2 bad input or usage. A bad record among good ones is \
            reported on stderr and in `rejected` without changing the exit code, unless --strict.
            """
    )

    @Argument(help: ArgumentHelp("Trace files to read (`-` for standard input).", valueName: "file"))
    var files: [String] = []

    @Flag(name: .long, help: "Read the traces from AWS X-Ray instead of files.")
    var xray = false

    @OptionGroup(title: "AWS X-Ray (with --xray)")
    var aws: AWSOptions

    @OptionGroup(title: "AWS X-Ray (with --xray)")
    var window: TimeWindowOptions

    @OptionGroup(title: "AWS X-Ray (with --xray)")
    var read: XRayReadOptions

    @OptionGroup(title: "Report")
    var report: ReportOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An earlier `--format json` summary, for relative gates like `p(95) <= +10%`.", valueName: "file"))
    var baseline: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Samples every gate needs (default: p(99) 100, p(95) 20, p(50) 2, rates 1).", valueName: "n")
    )
    var minSamples: UInt64?

    func validate() throws {
        if xray {
            guard files.isEmpty else { throw ValidationError("files and --xray are exclusive: give one") }
        } else {
            guard !files.isEmpty else {
                throw ValidationError("name at least one trace file (or - for standard input), or --xray")
            }
            guard read.filter == nil, window.since == nil, window.start == nil, window.end == nil else {
                throw ValidationError("--filter, --since, --start and --end read X-Ray: add --xray")
            }
        }
    }

    func run() async throws {
        let parsedGates = try parseGates(report.gates, GateParser.parse)
        var baselineSummary: Summary?
        if let baseline {
            guard let text = Terminal.readFile(baseline) else {
                Terminal.warn("cannot read baseline \(baseline)")
                throw ExitCode(2)
            }
            do throws(BaselineReader.Failure) {
                baselineSummary = try BaselineReader.read(json: text, source: baseline)
            } catch {
                Terminal.warn(error.message)
                throw ExitCode(2)
            }
        }

        var run = RunReader(traceTimeout: report.traceTimeout, trackOperations: false)
        if xray {
            do {
                try await run.readXRay(
                    window: try window.window(), aws: aws, filter: read.filter, maxTraces: read.maxTraces)
            } catch let error as TimeSpec.Failure {
                Terminal.warn(error.description)
                throw ExitCode(2)
            }
        } else {
            try run.read(files: files)
        }
        var summary = run.finish()
        summary.gates = GateEvaluator.evaluate(
            parsedGates, on: summary, baseline: baselineSummary, minimumSamples: minSamples)

        let text: String
        switch report.format {
        case .text:
            text = TextReport.render(
                summary, histograms: report.output == nil && Terminal.stdoutIsTerminal && !Terminal.noColor)
        case .markdown: text = MarkdownReport.render(summary)
        case .json: text = SummaryJSONReport.render(summary)
        case .junit: text = JUnitReport.render(summary)
        }
        try report.conclude(
            report: text, gates: summary.gates, verdict: summary.verdict, rejected: run.stats.rejectedCount)
    }
}
