import Foundation
import Synchronization
import TestSupport
import Testing
import TraceFormats
import TraceModel
import TraceSynthetic

/// Drives the real binary in tmux, as a person at a terminal would.
@Suite("tracescope tui in tmux", .serialized, .timeLimit(.minutes(3)))
struct DashboardEndToEndTests {
    /// Runs tmux. Only commands whose output matters capture it: the first command starts the tmux server, which
    /// would inherit a pipe and keep it open forever.
    @discardableResult
    static func tmux(_ arguments: [String], capture: Bool = false) throws -> String {
        // A server of our own (-L): the tests never touch the user's tmux sessions.
        let outcome = try ChildProcess.run(
            ["tmux", "-L", socket] + arguments, captureOutput: capture, timeout: .seconds(20))
        return outcome.stdout
    }

    static let socket = "tracescope-tests-\(getpid())"

    /// tmux is a Debian package; install it if this machine lacks it (CI runs as root with Debian's mirrors).
    static func ensureTmux() throws {
        if (try? tmux(["-V"], capture: true))?.hasPrefix("tmux") == true { return }
        try ChildProcess.run(
            ["sh", "-c", "apt-get update -qq && apt-get install -y -qq tmux"],
            environment: ["DEBIAN_FRONTEND": "noninteractive"], timeout: .seconds(600))
    }

    /// Polls the pane until `text` shows (`seconds` at most).
    static func waitFor(_ text: String, session: String, seconds: Int = 5) throws -> String {
        var screen = ""
        for _ in 0..<(seconds * 10) {
            screen = try tmux(["capture-pane", "-t", session, "-p"], capture: true)
            if screen.contains(text) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return screen
    }

    /// Starts `tracescope ARGUMENTS` in a new 120×36 session; the pane stays open after it exits, running `after`.
    /// `environment` is `NAME='value' …`, set for the binary alone.
    static func startSession(_ name: String, _ arguments: String, after: String = "read", environment: String = "")
        throws -> String
    {
        try ensureTmux()
        let session = "tracescope-e2e-\(name)-\(getpid())"
        let command = "env \(environment) \(SummaryCommandTests.binary.path) \(arguments); \(after)"
        try tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "36", command])
        return session
    }

    @Test func replayTheCheckoutSampleThenQuit() throws {
        let session = try Self.startSession(
            "replay", "tui --replay \(SummaryCommandTests.checkout) --speed 0",
            after: "echo TERMINAL-RESTORED-$?; read")
        defer { _ = try? Self.tmux(["kill-session", "-t", session]) }

        let screen = try Self.waitFor("email-sender", session: session)
        #expect(screen.contains("shop-api/prod"))
        #expect(screen.contains("api.payments.example.com"))
        // The faulting node is marked, not only coloured.
        #expect(screen.split(separator: "\n").contains { $0.contains("✖ api.payments.example.com") })
        try Self.tmux(["send-keys", "-t", session, "Tab", "j", "?", "G"])
        #expect(try Self.waitFor("Markers:", session: session).contains("fault (5xx)"))
        try Self.tmux(["send-keys", "-t", session, "Escape"])
        // Slowest first: the top trace is a cold start; open it and find its Initialization bar.
        try Self.tmux(["send-keys", "-t", session, "s", "Enter"])
        let timeline = try Self.waitFor("Initialization", session: session)
        #expect(timeline.contains("Initialization"))
        #expect(timeline.contains("Invocation"))
        #expect(timeline.contains("▓"), "the init bar is drawn")
        try Self.tmux(["send-keys", "-t", session, "Escape"])
        #expect(try Self.waitFor("Recent traces", session: session).contains("slowest first"))
        try Self.tmux(["send-keys", "-t", session, "q"])
        let after = try Self.waitFor("TERMINAL-RESTORED-0", session: session)
        #expect(after.contains("TERMINAL-RESTORED-0"))
        // The dashboard is gone from the screen: endwin restored the normal screen.
        #expect(!after.contains("Recent traces"))
    }

    /// Mark the slowest trace, open the next: the two side by side; back in its timeline, `/` finds a span; `t` puts
    /// it beside the typical trace of its operation.
    @Test func twoTracesSideBySideAndASearchInsideOne() throws {
        let session = try Self.startSession(
            "compare", "tui --replay \(SummaryCommandTests.checkout) --speed 0",
            after: "echo TERMINAL-RESTORED-$?; read")
        defer { _ = try? Self.tmux(["kill-session", "-t", session]) }
        _ = try Self.waitFor("email-sender", session: session)
        try Self.tmux(["send-keys", "-t", session, "Tab", "s", "c"])
        #expect(try Self.waitFor("· marked ", session: session).contains("· marked "))
        try Self.tmux(["send-keys", "-t", session, "j", "Enter"])
        let compared = try Self.waitFor("Compare · shop-api/prod", session: session)
        #expect(compared.contains("Compare · shop-api/prod"), "\(compared)")
        #expect(compared.contains(" vs marked "))
        #expect(compared.contains("api.payments.example.com"))
        #expect(compared.contains("self chg"))
        try Self.tmux(["send-keys", "-t", session, "Escape", "/", "dynamo", "Enter"])
        let searched = try Self.waitFor("/dynamo: match 1 of", session: session)
        #expect(searched.contains("/dynamo: match 1 of"), "\(searched)")
        try Self.tmux(["send-keys", "-t", session, "Escape", "t"])
        let typical = try Self.waitFor(" vs typical ", session: session)
        #expect(typical.contains(" vs typical "), "\(typical)")
        try Self.tmux(["send-keys", "-t", session, "q"])
        #expect(try Self.waitFor("TERMINAL-RESTORED-0", session: session).contains("TERMINAL-RESTORED-0"))
    }

    /// The mouse through a real terminal: tmux hands the dashboard the bytes a terminal sends for a double-click (the
    /// X10 mouse encoding ncurses asked for), and the trace under the pointer opens.
    @Test func aDoubleClickOpensATrace() throws {
        let session = try Self.startSession("mouse", "tui --replay \(SummaryCommandTests.checkout) --speed 0")
        defer { _ = try? Self.tmux(["kill-session", "-t", session]) }
        let screen = try Self.waitFor("Recent traces", session: session)
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let box = try #require(lines.firstIndex { $0.contains("Recent traces") })
        // The box's title line, the column headers, then the first trace.
        let (x, y) = (10, box + 2)
        func button(_ code: Int) -> String {
            "\u{1B}[M" + String(UnicodeScalar(UInt8(32 + code))) + String(UnicodeScalar(UInt8(32 + x + 1)))
                + String(UnicodeScalar(UInt8(32 + y + 1)))
        }
        let click = button(0) + button(3)
        try Self.tmux(["send-keys", "-t", session, "-l", click + click])
        let opened = try Self.waitFor("critical path", session: session)
        #expect(opened.contains("critical path"), "\(opened)")
        try Self.tmux(["send-keys", "-t", session, "q"])
    }

    /// At 200× the sample's quarter of an hour plays in seconds: the header says so, and the services fill in.
    @Test func aPacedReplayFillsTheDashboardOverTime() throws {
        let session = try Self.startSession("paced", "tui --replay \(SummaryCommandTests.checkout) --speed 200")
        defer { _ = try? Self.tmux(["kill-session", "-t", session]) }
        let early = try Self.waitFor("replay of", session: session)
        #expect(early.contains("at 200×"))
        let later = try Self.waitFor("email-sender", session: session, seconds: 20)
        #expect(later.contains("shop-api/prod"))
        try Self.tmux(["send-keys", "-t", session, "q"])
    }

    /// A live 300-service, 1,500-edge system streamed to the dashboard's own collector over UDP: the map opens on the
    /// worst service's neighbourhood, and `/` finds another service by name as it is typed and moves the map to it.
    @Test func aLiveThreeHundredServiceSystemAndFindingAServiceBySlash() throws {
        let port = try freeListenPort()
        let session = try Self.startSession("big", "tui --udp 127.0.0.1:\(port) --otlp off --grpc off")
        defer { _ = try? Self.tmux(["kill-session", "-t", session]) }
        #expect(try Self.waitFor("Tracescope", session: session).contains("window 5m"))
        // About 20,000 spans a second for the whole test, from a thread of its own.
        let system = SyntheticSystem(services: 300, edges: 1500, seed: 42)
        let sender = try UDPSender(port: port)
        let stop = Atomic<Bool>(false)
        let load = Thread {
            var random = SplitMix64(seed: 3)
            var number: UInt64 = 0
            while !stop.load(ordering: .relaxed) {
                let second = Date().timeIntervalSince1970
                for _ in 0..<200 {
                    number += 1
                    let trace = system.xrayDatagrams(
                        number: number, start: Int64(Date().timeIntervalSince1970 * 1e9), random: &random)
                    for datagram in trace.datagrams { sender.send(datagram) }
                }
                Thread.sleep(forTimeInterval: max(0, 0.1 - (Date().timeIntervalSince1970 - second)))
            }
        }
        load.start()
        defer { stop.store(true, ordering: .relaxed) }
        let worst = system.services[system.worst].name
        let opened = try Self.waitFor("Service map · \(worst) ±", session: session, seconds: 40)
        #expect(opened.contains("Service map · \(worst) ±"), "\(opened)")
        #expect(opened.contains("✖ \(worst)"))
        try Self.tmux(["send-keys", "-t", session, "/", "ledger-2"])
        let typing = try Self.waitFor("Services matching \"ledger-2\"", session: session)
        #expect(typing.contains("find service: ledger-2"), "\(typing)")
        try Self.tmux(["send-keys", "-t", session, "31", "Enter"])
        let found = try Self.waitFor("Services matching \"ledger-231\" (1 of ", session: session)
        #expect(found.contains("Service map · ledger-231 ±"), "\(found)")
        #expect(!found.contains("find service:"), "Enter keeps the search and closes the prompt")
        try Self.tmux(["send-keys", "-t", session, "q"])
    }

    /// A terminal that vanishes (its tmux server killed outright, so the pty just closes) ends the dashboard: it must
    /// not spin on a dead terminal.
    @Test func theDashboardLeavesWhenItsTerminalDies() throws {
        try Self.ensureTmux()
        let socket = "tracescope-tests-hup-\(getpid())"
        let binary = SummaryCommandTests.binary.path
        try ChildProcess.run(
            [
                "tmux", "-L", socket, "new-session", "-d", "-s", "hup", "-x", "100", "-y", "30",
                // Under a shell, as the CI hang had it: the shell gets the SIGHUP, the dashboard only a dead pty.
                "\(binary) tui --replay \(SummaryCommandTests.checkout) --speed 0; read",
            ], captureOutput: false)
        defer { _ = try? ChildProcess.run(["tmux", "-L", socket, "kill-server"], captureOutput: false) }
        var screen = ""
        for _ in 0..<50 where !screen.contains("email-sender") {
            screen = try ChildProcess.run(["tmux", "-L", socket, "capture-pane", "-t", "hup", "-p"]).stdout
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(screen.contains("email-sender"))
        let server = try #require(
            Int32(
                try ChildProcess.run(["tmux", "-L", socket, "display", "-p", "#{pid}"]).stdout
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        let pane = try ChildProcess.run(["tmux", "-L", socket, "list-panes", "-t", "hup", "-F", "#{pane_pid}"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = Self.children(of: Int32(pane) ?? -1).map(String.init)
        let dashboards = ([pane] + children).compactMap(Int32.init).filter { pid in
            ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").hasPrefix("tracescope")
        }
        #expect(!dashboards.isEmpty, "the dashboard's process was not found")
        kill(server, SIGKILL)
        var alive = dashboards
        for _ in 0..<50 where !alive.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            alive = alive.filter { kill($0, 0) == 0 && !Self.isZombie($0) }
        }
        #expect(alive.isEmpty, "the dashboard kept running after its terminal died")
        for pid in alive { kill(pid, SIGKILL) }
        // The shell's `sleep` outlives its dead terminal: end the pane's whole process group.
        if let group = Int32(pane) { kill(-group, SIGKILL) }
    }

    /// The processes whose parent is `pid`, from /proc (no procps needed).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { candidate in
            let stat = (try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8)) ?? ""
            guard let close = stat.lastIndex(of: ")") else { return false }
            // After "pid (comm) ": state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }
}
