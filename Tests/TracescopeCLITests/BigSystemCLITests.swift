import Foundation
import TestSupport
import Testing
import TraceFormats
import TraceModel
import TraceSynthetic

/// `tracescope collect` at its default budget under a 300-service, 1,500-edge system over UDP: every node and edge
/// is kept (nothing folds into `(other)`), and the process's peak resident memory stays under the budget.
@Suite("A 300-service system (the binary)", .timeLimit(.minutes(3)))
struct BigSystemCLITests {
    @Test func theDefaultBudgetHoldsEveryNodeAndEdgeWithinItsMemory() async throws {
        let port = try freeListenPort()
        let collect = Task {
            try await PythonTools.runDetached(
                [
                    SummaryCommandTests.binary.path, "collect", "--udp", "127.0.0.1:\(port)", "--otlp", "off",
                    "--grpc", "off", "--duration", "20", "--status-interval", "60",
                ], timeout: .seconds(90))
        }
        // Datagrams sent before the collector binds its port are refused by the kernel and counted by no one: wait
        // until it listens (the sampling endpoint on the same TCP port opens right after the UDP one).
        let deadline = ContinuousClock.now + .seconds(30)
        while !loopbackAccepts(port: port), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        // 10,000 spans a second for ten seconds, then ten to catch up: the debug build's collector keeps up with that
        // beside the other suites, and stopping drains what is still queued.
        let system = SyntheticSystem(services: 300, edges: 1500, seed: 42)
        let sender = try UDPSender(port: port)
        var random = SplitMix64(seed: 9)
        var sent = 0
        var datagrams = 0
        let started = Date()
        var number: UInt64 = 0
        while Date().timeIntervalSince(started) < 10 {
            let due = Int(Date().timeIntervalSince(started) * 10_000)
            while sent < due {
                number += 1
                let trace = system.xrayDatagrams(
                    number: number, start: Int64(Date().timeIntervalSince1970 * 1e9), random: &random)
                for datagram in trace.datagrams { sender.send(datagram) }
                datagrams += trace.datagrams.count
                sent += trace.spans
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let run = try await collect.value
        let last = run.output.split(separator: "\n").last { $0.contains("stopped") } ?? ""
        print("collect: \(last)")
        #expect(run.status == 0, "\(run.output.suffix(2000))")
        #expect(!last.contains("folded"), "\(last)")
        let graph = try #require(last.firstMatch(of: /graph (\d+) nodes, (\d+) edges/), "\(last)")
        #expect(Int(graph.1) ?? 0 >= 290)
        #expect(Int(graph.2) ?? 0 >= 1400)
        let peak = try #require(last.firstMatch(of: /peak ([0-9.]+) MB/).flatMap { Double($0.1) }, "\(last)")
        #expect(peak < 256, "peak \(peak) MB over the 256 MB budget")
        // Every datagram is accounted for: received, or counted as dropped by the kernel (an overloaded machine).
        let received = try #require(last.firstMatch(of: /datagrams (\d+)/).flatMap { Int($0.1) })
        let dropped = last.firstMatch(of: /dropped by the kernel (\d+)/).flatMap { Int($0.1) } ?? 0
        // Received counts those read out unprocessed at stop (a machine too busy to catch up in time).
        #expect(received + dropped == datagrams, "\(received) received, \(dropped) dropped of \(datagrams)")
        #expect(received > datagrams / 2)
    }
}
