import ArgumentParser

/// `tracescope`: X-Ray-style distributed tracing in the terminal.
@main
struct TracescopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracescope",
        abstract: "X-Ray-style distributed tracing in the terminal.",
        discussion: """
            Reads X-Ray segment documents (JSON lines), X-Ray daemon datagram captures, `aws xray batch-get-traces` \
            output and OTLP JSON, plain or gzip-compressed, and turns them into a service graph, latency histograms \
            and serverless invocation phases (dwell, init, handler).

            Exit codes: 0 ok, 1 a gate failed, 2 bad input or usage.
            """,
        version: "0.2.0",
        subcommands: [TUICommand.self, DemoCommand.self, SummaryCommand.self, DiffCommand.self, CollectCommand.self],
        defaultSubcommand: TUICommand.self
    )

    /// Runs the command, mapping every failure to the documented exit codes: usage and input errors exit 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Self.exit(withError: code)
        } catch {
            let exit = exitCode(for: error)
            if exit == .success {
                Self.exit(withError: error)
            }
            Terminal.printError(fullMessage(for: error))
            Self.exit(withError: ExitCode(2))
        }
    }
}
