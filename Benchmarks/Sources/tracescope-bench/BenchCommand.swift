import ArgumentParser

/// `tracescope-bench`: each subcommand measures one part of Tracescope against a reference, in one run, and ends
/// with a line a script can read: `RESULT <name> ours=<n> <unit> reference=<n> <unit> ratio=<how many times better>`.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracescope-bench",
        abstract: "Tracescope's benchmarks: ours and a reference, side by side.",
        subcommands: [
            SummaryBench.self, SummaryChild.self, TracerBench.self, ExportCost.self, TracerCost.self, IngestBench.self,
            IngestCost.self, CollectorChild.self, CollectorMemory.self, RenderBench.self, TransportCost.self,
            LiveBench.self, LivePhase.self, LiveLoad.self,
        ]
    )
}
