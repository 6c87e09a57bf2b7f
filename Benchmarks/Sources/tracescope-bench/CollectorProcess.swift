import ArgumentParser
import Dispatch
import Foundation
import TraceCollector
import TraceModel

/// `collector-child`: the collector in a process of its own, as `tracescope collect` runs it (UDP receiver, ingest
/// pipeline, memory budget), so the load test measures the collector's memory and nothing of the sender's.
///
/// Prints `port N` once listening; a `stats …` line on SIGUSR1; on SIGTERM it stops (completing open traces), prints
/// a last `stats …` line and exits.
struct CollectorChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "collector-child", shouldDisplay: false)

    @Option var budgetMB = 64
    /// A safety net: the child leaves on its own after this long even if nobody stops it.
    @Option var lifetime = 900.0

    func run() async throws {
        let pipeline = IngestPipeline(
            memoryBudgetBytes: budgetMB << 20, clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
        let collector = try await Collector.start(
            udp: ListenAddress(host: "127.0.0.1", port: 0), otlp: nil, pipeline: pipeline)
        guard let port = collector.udpAddress?.port else { throw ValidationError("no UDP port") }
        Self.say("port \(port)")

        signal(SIGUSR1, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let queue = DispatchQueue(label: "collector-child.signals")
        let report = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: queue)
        report.setEventHandler { Self.say(Self.stats(collector)) }
        report.resume()
        let (stopRequests, stopContinuation) = AsyncStream<Void>.makeStream()
        let stop = DispatchSource.makeSignalSource(signal: SIGTERM, queue: queue)
        stop.setEventHandler { stopContinuation.yield() }
        stop.resume()
        let deadline = Task {
            try? await Task.sleep(for: .seconds(lifetime))
            stopContinuation.yield()
        }
        for await _ in stopRequests { break }
        deadline.cancel()
        report.cancel()
        stop.cancel()
        try await collector.stop()
        Self.say(Self.stats(collector))
    }

    /// Counters and this process's memory, as `key=value` pairs.
    private static func stats(_ collector: Collector) -> String {
        let stats = collector.pipeline.stats
        let memory = ProcessMemory.current()
        return "stats datagrams=\(stats.datagrams) spans=\(stats.spans) drops=\(collector.kernelDroppedDatagrams ?? 0) "
            + "stored=\(stats.tracesStored) storedBytes=\(stats.storedBytes) evicted=\(stats.tracesEvicted) "
            + "rssKiB=\(memory.rssKiB) peakKiB=\(memory.peakKiB)"
    }

    /// One line straight to the pipe (no stdio buffering between the child and its reader).
    private static func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
}

/// Resident and peak resident memory of this process, from /proc (KiB).
enum ProcessMemory {
    static func current() -> (rssKiB: Int, peakKiB: Int) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }
}

/// Runs `collector-child` and talks to it: its port, its counters on request, and a clean stop.
final class CollectorProcess {
    struct Stats {
        var values: [String: UInt64]
        subscript(_ key: String) -> UInt64 { values[key] ?? 0 }
    }

    let pid: pid_t
    let port: Int
    private let output: Int32
    private var pending: [UInt8] = []

    init(budgetMB: Int) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let arguments = [executable, "collector-child", "--budget-mb", String(budgetMB)]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw POSIXError(.ENOEXEC)
        }
        pid = child
        output = fds[0]
        var port = 0
        var leftover: [UInt8] = []
        if let line = Self.readLine(output, buffer: &leftover, timeout: 30), line.hasPrefix("port "),
            let p = Int(line.dropFirst(5))
        {
            port = p
        }
        pending = leftover
        guard port > 0 else {
            kill(child, SIGKILL)
            waitpid(child, nil, 0)
            close(fds[0])
            throw ValidationError("the collector child did not start")
        }
        self.port = port
    }

    /// The child's counters now.
    func stats() -> Stats? {
        kill(pid, SIGUSR1)
        return Self.readLine(output, buffer: &pending, timeout: 10).flatMap(Self.parse)
    }

    /// Stops the child (it completes open traces first) and returns its last counters, which include its peak
    /// resident memory (`peakKiB`, the kernel's VmHWM). Not wait4's ru_maxrss: across exec Linux carries over the
    /// spawning process's high-water mark, so that would report the benchmark's memory, not the collector's.
    func stop() -> Stats? {
        kill(pid, SIGTERM)
        let last = Self.readLine(output, buffer: &pending, timeout: 60).flatMap(Self.parse)
        if waitpid(pid, nil, WNOHANG) == 0 {
            // Not gone within the minute the last line was waited for: it is stuck, so it goes.
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
        close(output)
        return last
    }

    private static func parse(_ line: String) -> Stats? {
        guard line.hasPrefix("stats ") else { return nil }
        var values: [String: UInt64] = [:]
        for pair in line.dropFirst(6).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = UInt64(parts[1]) { values[String(parts[0])] = value }
        }
        return Stats(values: values)
    }

    /// One line from `fd`, waiting at most `timeout` seconds; bytes after it stay in `buffer`.
    private static func readLine(_ fd: Int32, buffer: inout [UInt8], timeout: Double) -> String? {
        let deadline = Measure.now() + timeout
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = deadline - Measure.now()
            guard remaining > 0 else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(remaining, 1) * 1000)) >= 0 else { return nil }
            guard poller.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}

/// `collector-memory`: the collector's memory second by second under a sustained load, for a given budget
/// (diagnostics for the memory budget; not a comparison).
struct CollectorMemory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "collector-memory", shouldDisplay: false)

    @Option var budgetMB = 64
    @Option var seconds = 20.0
    @Option var rate = 50_000.0

    func run() async throws {
        let (datagrams, _) = IngestBench.datagrams(traces: 40_000)
        let result = try await IngestBench.loopback(
            datagrams: datagrams, rate: rate, seconds: seconds, budgetMB: budgetMB
        ) { stats in
            print(
                "datagrams \(stats["datagrams"]) stored \(stats["stored"]) storedMiB \(stats["storedBytes"] >> 20) evicted \(stats["evicted"]) rssMiB \(stats["rssKiB"] >> 10)"
            )
        }
        print(
            "sent \(result.sent) received \(result.received) peak RSS \(Measure.format(result.peakMiB)) MiB, budget \(budgetMB) MB"
        )
    }
}
