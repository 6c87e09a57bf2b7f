import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program to completion with a deadline: `posix_spawn`, a poll loop on its output, `waitpid`.
///
/// Why not Foundation's `Process`: on Linux its `waitUntilExit()` relies on a SIGCHLD dispatch source serviced by a
/// run-loop thread, and under Swift Testing's cooperative pool on a 2-core machine it was seen to never return
/// (the child a zombie, the test run hung until CI's 90-minute limit). Here nothing waits without a deadline: a
/// child that outlives it is killed (with its process group) and the run reports `timedOut`.
public enum ChildProcess {
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended the child.
        public var status: Int32
        public var stdoutBytes: [UInt8]
        public var stderrBytes: [UInt8]
        public var timedOut: Bool
        public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
        public var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - arguments: the program (looked up on `PATH`) and its arguments.
    ///   - stdin: what the child reads; it sees end-of-file after it (no stdin: `/dev/null`).
    ///   - environment: replaces variables of this process's environment (`nil` values remove one).
    ///   - captureOutput: false sends stdout and stderr to `/dev/null` — needed for programs that leave a daemon
    ///     behind (tmux), which would otherwise hold the pipe open.
    ///   - timeout: after it the child's process group is killed.
    @discardableResult
    public static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:],
        captureOutput: Bool = true, timeout: Duration = .seconds(60)
    ) throws -> Outcome {
        precondition(!arguments.isEmpty)
        var stdinPath: String?
        if let stdin {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("child-stdin-\(UUID())").path
            try stdin.write(to: URL(fileURLWithPath: path))
            stdinPath = path
        }
        defer { if let stdinPath { unlink(stdinPath) } }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }

        let child = try spawnLock.withLock { _ in
            try spawn(arguments, stdinPath: stdinPath, environment: merged, captureOutput: captureOutput)
        }
        let deadline = ContinuousClock.now + timeout
        var out = [UInt8]()
        var err = [UInt8]()
        var timedOut = false
        if let outFD = child.stdout, let errFD = child.stderr {
            defer {
                close(outFD)
                close(errFD)
            }
            timedOut = !drain(outFD, into: &out, errFD, into: &err, until: deadline)
        }
        let status = reap(child.pid, killNow: timedOut, deadline: deadline)
        return Outcome(status: status.code, stdoutBytes: out, stderrBytes: err, timedOut: timedOut || status.killed)
    }

    private static let spawnLock = Mutex(())

    /// Pipes are made and the child spawned under one lock: tests spawn in parallel, and a pipe created between
    /// another thread's `pipe()` and `fcntl()` would be inherited by that thread's child, delaying our end-of-file.
    private static func spawn(
        _ arguments: [String], stdinPath: String?, environment: [String: String],
        captureOutput: Bool
    ) throws -> (pid: pid_t, stdout: Int32?, stderr: Int32?) {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&outPipe) == 0 else {
                throw SpawnFailure(description: "pipe: \(String(cString: strerror(errno)))")
            }
            guard pipe(&errPipe) == 0 else {
                close(outPipe[0])
                close(outPipe[1])
                throw SpawnFailure(description: "pipe: \(String(cString: strerror(errno)))")
            }
            // dup2 in the child clears the flag on its copies; our ends stay out of every other child.
            for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout kills what it started too. No signal blocked and the usual ones at
        // their defaults: the spawning thread (a test runner's, a Dispatch worker's) may block nearly all of them,
        // and a child inheriting that mask could not be stopped with SIGTERM, nor its own children.
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        if captureOutput {
            close(outPipe[1])
            close(errPipe[1])
        }
        guard spawned == 0 else {
            if captureOutput {
                close(outPipe[0])
                close(errPipe[0])
            }
            throw SpawnFailure(description: "cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        return captureOutput ? (pid, outPipe[0], errPipe[0]) : (pid, nil, nil)
    }

    /// Reads both pipes until both reach end-of-file (true) or the deadline passes (false).
    private static func drain(
        _ outFD: Int32, into out: inout [UInt8], _ errFD: Int32, into err: inout [UInt8],
        until deadline: ContinuousClock.Instant
    ) -> Bool {
        var open = [outFD, errFD]
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + 1, 1000))
            if poll(&fds, nfds_t(fds.count), milliseconds) < 0 && errno != EINTR { return false }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &chunk, chunk.count)
                if count > 0 {
                    if entry.fd == outFD { out += chunk[..<count] } else { err += chunk[..<count] }
                } else if count == 0 || errno != EINTR {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return true
    }

    /// Waits for the child, killing its process group at the deadline (or at once).
    private static func reap(_ pid: pid_t, killNow: Bool, deadline: ContinuousClock.Instant) -> (
        code: Int32, killed: Bool
    ) {
        var killed = killNow
        if killed { killGroup(pid) }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, killed ? 0 : WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            if killed { continue }
            if ContinuousClock.now >= deadline {
                killed = true
                killGroup(pid)
            } else {
                usleep(5000)
            }
        }
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), killed)
    }

    private static func killGroup(_ pid: pid_t) {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
    }
}
