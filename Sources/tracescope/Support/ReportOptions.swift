import ArgumentParser
import TraceAnalysis

/// What `summary` and `diff` share: the report's format and destination, the gates, how traces complete, and
/// strictness — and how a run of either ends (the report written, failed gates named, the exit code).
struct ReportOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json, junit
    }

    @Option(
        name: .long,
        help: "Report format: text, markdown (a GitHub job summary or pull-request comment), json or junit.")
    var format: Format = .text

    @Option(
        name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(name: .customLong("assert"), help: ArgumentHelp("A gate that must hold (repeatable).", valueName: "gate"))
    var gates: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds of trace time without new spans after which a trace is complete.", valueName: "seconds"))
    var traceTimeout: Double = 30

    @Flag(name: .long, help: "Exit 2 if any record is rejected (default: report it and carry on).")
    var strict = false

    func validate() throws {
        try NumericFlag.seconds(traceTimeout, flag: "--trace-timeout")
    }

    /// Writes the report, names the failed gates on stderr, and exits as documented: 2 for rejected records under
    /// `--strict`, 1 for a failed gate.
    func conclude(report: String, gates: [GateResult], verdict: Summary.Verdict, rejected: Int) throws {
        try emit(report, to: output)
        warnFailedGates(gates)
        if strict && rejected > 0 {
            Terminal.warn("--strict: \(rejected) records were rejected")
            throw ExitCode(2)
        }
        if verdict == .fail { throw ExitCode(1) }
    }
}

/// Reading traces from X-Ray: the filter expression and how many traces a window may give.
struct XRayReadOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("X-Ray filter expression, sent to X-Ray as written.", valueName: "expr"))
    var filter: String?

    @Option(name: .long, help: ArgumentHelp("Read at most this many traces from a window.", valueName: "n"))
    var maxTraces: Int = 10_000

    func validate() throws {
        guard maxTraces > 0, maxTraces <= 1_000_000 else { throw ValidationError("--max-traces must be 1…1000000") }
    }
}
