import Foundation
import TestSupport
import Testing

/// The real collector under a hostile mix — huge attribute values, a trace of a million spans, gzip bombs, a thousand
/// idle connections, trickled bodies, garbage datagrams — while good clients go on (`Scripts/hostile_load.py`).
/// Resident memory stays under the budget plus the process's base, every good request is served, and every trickle
/// is cut by the request timeout.
@Suite("Hostile load (the binary)", .timeLimit(.minutes(5)))
struct HostileLoadTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/hostile_load.py").path

    @Test func memoryStaysWithinTheBudgetAndGoodTrafficIsServed() async throws {
        // What the script imports: grpcio for the gRPC clients, opentelemetry-proto for the messages.
        try await PythonTools.ensure(module: "grpc", package: "grpcio")
        try await PythonTools.ensure(module: "opentelemetry.proto", package: "opentelemetry-proto")
        let budgetMB = 64
        let run = try await PythonTools.runDetached(
            ["python3", Self.script, SummaryCommandTests.binary.path, String(budgetMB)], timeout: .seconds(240))
        // Printed for the CI log: the peak against the budget.
        let result = run.output.split(separator: "\n").last { $0.hasPrefix("HOSTILE ") } ?? "no result line"
        print(result)
        #expect(run.status == 0, "\(run.output.suffix(3000))")
        let fields = Dictionary(
            uniqueKeysWithValues: result.split(separator: " ").dropFirst().compactMap { field -> (String, String)? in
                let parts = field.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            })
        let peak = try #require(fields["peak_rss_mb"].flatMap(Double.init))
        let base = try #require(fields["base_mb"].flatMap(Double.init))
        #expect(peak <= base + Double(budgetMB), "peak \(peak) MB over base \(base) + budget \(budgetMB) MB")
        #expect(fields["trickles_cut"] == "20/20")
        #expect(fields["idle_accepted"] == "1000")
    }
}
