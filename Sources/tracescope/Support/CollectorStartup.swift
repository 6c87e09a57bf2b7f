import ArgumentParser
import TraceCollector

/// Starting the embedded collector from the `--udp`/`--otlp` options `tui` and `collect` share (`off` disables one).
enum CollectorStartup {
    static func start(udp: String, otlp: String, pipeline: IngestPipeline) async throws -> Collector {
        do {
            return try await Collector.start(
                udp: udp == "off" ? nil : ListenAddress(parsing: udp),
                otlp: otlp == "off" ? nil : ListenAddress(parsing: otlp), pipeline: pipeline)
        } catch {
            Terminal.warn("\(error)")
            throw ExitCode(2)
        }
    }
}
