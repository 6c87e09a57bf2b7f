import ArgumentParser
import AsyncHTTPClient
import Foundation
import Histogram
import NIOPosix
import TraceAnalysis
import TraceCollector
import TraceFormats
import TraceModel
import TraceSynthetic
import TraceTUI

/// `live`: the live path at scale — the embedded collector and the dashboard's model rebuild, as `tracescope` runs
/// them (default budget, one rebuild a second, no terminal) — under 300 services, 1,500 edges and 100,000 spans a
/// second, first over UDP, then over OTLP/HTTP. Each phase runs in a process of its own (`live-phase`), so its CPU
/// and peak memory are the collector's and the dashboard's alone; the load comes from a third process
/// (`live-load`). Then the size of a windowed graph entry against the dense layout it replaced.
struct LiveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "The live collector and dashboard rebuild at 300 services and 100k spans/s.")

    @Flag(help: "Under a minute: 15 seconds a phase.")
    var quick = false

    @Option(help: "Spans per second.")
    var rate = 100_000

    func run() async throws {
        let seconds = quick ? 15 : 45
        var phases: [[String: String]] = []
        for transport in ["udp", "otlp"] {
            let run = try Measure.child([
                "live-phase", "--transport", transport, "--rate", String(rate), "--seconds", String(seconds),
            ])
            guard run.status == 0, let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("live ") })
            else { throw BenchFailure("live-phase \(transport) failed (\(run.status)):\n\(run.output)") }
            print(line)
            var fields = Dictionary(
                uniqueKeysWithValues: line.split(separator: " ").dropFirst().compactMap { field -> (String, String)? in
                    let parts = field.split(separator: "=", maxSplits: 1)
                    return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
                })
            fields["peakMiB"] = Measure.format(run.peakMiB, 1)
            phases.append(fields)
        }
        func value(_ key: String) -> [Double] { phases.compactMap { $0[key].flatMap(Double.init) } }
        let cores = value("cores").max() ?? .infinity
        let rebuild = value("rebuildMaxMs").max() ?? .infinity
        let lost = value("lost").reduce(0, +)
        let peak = value("peakMiB").max() ?? .infinity
        let budgetMB = 256.0
        print("")
        print("phase   sent spans/s  cores  rebuild ms (median/max)  lost  peak RSS")
        for p in phases {
            print(
                "\(p["transport"] ?? "?")    \(p["sentRate"] ?? "?")  \(p["cores"] ?? "?")  "
                    + "\(p["rebuildMedianMs"] ?? "?")/\(p["rebuildMaxMs"] ?? "?")  \(p["lost"] ?? "?")  "
                    + "\(p["peakMiB"] ?? "?") MiB")
        }
        let entry = Self.entrySizes()
        print(
            "a windowed entry after 16 minutes at 70 req/s: \(entry.ours) bytes compact, \(entry.dense) bytes dense "
                + "(17 HdrHistograms and a 960-second series of 32-bit counts)")
        print(
            "RESULT live.cpu ours=\(Measure.format(cores, 2)) cores reference=1.00 cores ratio=\(Measure.format(1 / cores, 2))"
        )
        print(
            "RESULT live.rebuild ours=\(Measure.format(rebuild, 1)) ms reference=100 ms ratio=\(Measure.format(100 / rebuild, 2))"
        )
        print("RESULT live.loss ours=\(Int(lost)) lost reference=0 lost ratio=\(lost == 0 ? "1.00" : "0.00")")
        print(
            "RESULT live.memory ours=\(Measure.format(peak, 1)) MiB reference=\(Int(budgetMB)) MB ratio=\(Measure.format(budgetMB * 1_000_000 / 1_048_576 / peak, 2))"
        )
        print(
            "RESULT graph.entry ours=\(entry.ours) bytes reference=\(entry.dense) bytes ratio=\(Measure.format(Double(entry.dense) / Double(entry.ours), 1))"
        )
    }

    /// One windowed node or edge after sixteen minutes at 70 req/s of a log-normal latency (median 40 ms): what it
    /// holds now, and what the layout before the compact histograms held for the same (sixteen minute histograms and
    /// an all-time one, HdrHistogram at 1 µs – 1 h and two digits, and a rate series of four 32-bit counts a second).
    static func entrySizes() -> (ours: Int, dense: Int) {
        var stats = RequestStats(windowed: true)
        var random = SplitMix64(seed: 11)
        let start: Int64 = 1_795_000_000 * 1_000_000_000
        for i in 0..<(70 * 960) {
            let u1 = max(random.nextUnit(), 1e-12)
            let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * random.nextUnit())
            stats.record(.ok, start: start + Int64(i) * 14_285_714, durationNanos: Int64(40e6 * exp(0.8 * z)))
        }
        let hdr = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestMicros,
            numberOfSignificantValueDigits: .two)
        let dense = 17 * hdr.estimatedFootprintInBytes + RateSeries.defaultCapacity * 16 + 256
        return (stats.estimatedBytes, dense)
    }
}

/// `live-phase`: one transport's phase of `live` — the collector and the dashboard's rebuild in this process, the load
/// from a `live-load` child. Prints one `live key=value…` line.
struct LivePhase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "live-phase", shouldDisplay: false)

    @Option var transport = "udp"
    @Option var rate = 100_000
    @Option var seconds = 15

    func run() async throws {
        // As `tracescope` (the dashboard with its embedded collector) sets it up: the default budget and quiet period.
        let pipeline = IngestPipeline(clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
        let udp = transport == "udp"
        let collector = try await Collector.start(
            udp: udp ? ListenAddress(host: "127.0.0.1", port: 0) : nil,
            otlp: udp ? nil : ListenAddress(host: "127.0.0.1", port: 0), pipeline: pipeline)
        guard let port = udp ? collector.udpAddress?.port : collector.otlpAddress?.port else {
            throw BenchFailure("no port")
        }
        let load = try SpawnedChild.bench([
            "live-load", "--transport", transport, "--port", String(port), "--rate", String(rate), "--seconds",
            String(seconds),
        ])
        // The dashboard's loop without a terminal: a snapshot and a model rebuild every second, as DashboardApp.
        let cache = TraceFilterCache()
        var rebuilds: [Double] = []
        let started = Measure.now()
        var cpuStart: Double?
        var wallStart = 0.0
        var entries = 0
        while Measure.now() - started < Double(seconds) {
            try await Task.sleep(for: .seconds(1))
            // The first two seconds warm up (the graph fills, buffers grow): CPU is counted from then on.
            if cpuStart == nil, Measure.now() - started >= 2 {
                cpuStart = Self.cpuSeconds()
                wallStart = Measure.now()
            }
            let t0 = Measure.now()
            let analyzer = pipeline.analyzer
            let model = DashboardModel.make(
                from: analyzer, source: "bench", query: DashboardQuery(window: .fiveMinutes),
                now: Int64(Date().timeIntervalSince1970 * 1e9), rejected: 0, filterCache: cache)
            rebuilds.append((Measure.now() - t0) * 1000)
            entries = model.mapNodes.count + model.mapEdges.count
        }
        let cpu = Self.cpuSeconds() - (cpuStart ?? 0)
        let wall = Measure.now() - wallStart
        let loaded = try load.wait()
        guard loaded.status == 0 else { throw BenchFailure("live-load exited with \(loaded.status)") }
        let report = loaded.output.split(separator: "\n").last.map(String.init) ?? ""
        // What is still in the socket or the event loop arrives within a moment.
        var received = pipeline.stats.spans
        for _ in 0..<30 {
            try await Task.sleep(for: .milliseconds(100))
            let now = pipeline.stats.spans
            if now == received { break }
            received = now
        }
        let stats = pipeline.stats
        let drops = collector.kernelDroppedDatagrams ?? 0
        try await collector.stop()
        guard let sentText = report.split(separator: " ").first(where: { $0.hasPrefix("spans=") }),
            let sent = UInt64(sentText.dropFirst(6))
        else { throw BenchFailure("live-load said: \(report)") }
        let sentRate = report.split(separator: " ").first { $0.hasPrefix("rate=") }.map { $0.dropFirst(5) } ?? "?"
        let steady = rebuilds.dropFirst(2).sorted()
        let median = steady.isEmpty ? 0 : steady[steady.count / 2]
        let graph = pipeline.analyzer.graph
        print(
            "live transport=\(transport) sentRate=\(sentRate) cores=\(Measure.format(cpu / wall, 2)) "
                + "rebuildMedianMs=\(Measure.format(median, 1)) rebuildMaxMs=\(Measure.format(steady.last ?? 0, 1)) "
                + "sent=\(sent) received=\(received) lost=\(sent > received ? sent - received : 0) "
                + "rejected=\(stats.rejectedCount) kernelDrops=\(drops) folded=\(graph.foldedRequests) "
                + "entries=\(entries) graphKiB=\(graph.bytes / 1024)")
    }

    /// User and system CPU of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// `live-load`: the synthetic 300-service system's traces at a steady rate, over UDP (a datagram per segment, as the
/// X-Ray SDKs send) or OTLP/HTTP (protobuf requests of about a thousand spans). Prints `sent spans=… rate=…`.
struct LiveLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "live-load", shouldDisplay: false)

    @Option var transport = "udp"
    @Option var port = 0
    @Option var rate = 100_000
    @Option var seconds = 15

    func run() async throws {
        let system = SyntheticSystem(services: 300, edges: 1500, seed: 42)
        var random = SplitMix64(seed: UInt64(getpid()))
        var number: UInt64 = 0
        var sent = 0
        let udp = transport == "udp" ? try DatagramSocket(port: port) : nil
        let http = transport == "udp" ? nil : HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        var batch: [Span] = []
        let started = Measure.now()
        // In ticks of 10 ms: each sends what the rate owes by then, so a slow tick is made up by the next.
        while Measure.now() - started < Double(seconds) {
            let owed = Int((Measure.now() - started) * Double(rate)) - sent
            var made = 0
            while made < owed {
                number += 1
                let start = Int64(Date().timeIntervalSince1970 * 1e9)
                if let udp {
                    let trace = system.xrayDatagrams(number: number, start: start, random: &random)
                    for datagram in trace.datagrams { udp.send(datagram) }
                    made += trace.spans
                } else {
                    let trace = system.trace(
                        SyntheticSystem.traceID(number: number, start: start), start: start, flavour: .otlp,
                        random: &random)
                    made += trace.count
                    batch += trace
                    if batch.count >= 1000 {
                        try await Self.post(batch, port: port, http: http!)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            sent += made
            try await Task.sleep(for: .milliseconds(10))
        }
        if let http {
            if !batch.isEmpty { try await Self.post(batch, port: port, http: http) }
            try await http.shutdown()
        }
        let elapsed = Measure.now() - started
        print("sent spans=\(sent) rate=\(Int(Double(sent) / elapsed))")
    }

    /// One OTLP/HTTP protobuf request; a busy answer (503) is retried after its delay, as OTLP exporters do.
    static func post(_ spans: [Span], port: Int, http: HTTPClient) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/traces")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.body = .bytes(OTLPProtobufEncoder.request(spans))
        for _ in 0..<20 {
            let response = try await http.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            if response.status == .ok { return }
            guard response.status == .serviceUnavailable else {
                throw BenchFailure("OTLP/HTTP answered \(response.status)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("OTLP/HTTP stayed busy")
    }
}

/// A UDP socket sending to a port on 127.0.0.1.
final class DatagramSocket {
    private let fd: Int32
    private var address = sockaddr_in()

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
