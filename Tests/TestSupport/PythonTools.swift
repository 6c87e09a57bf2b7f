import Foundation
import Synchronization

/// Runs Python 3 for checks against real third-party implementations (the AWS X-Ray and OpenTelemetry SDKs, the
/// OpenTelemetry protobuf definitions), installing the package it needs with pip the first time.
public enum PythonTools {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The virtual environment the tests' Python packages go into (`.build/python-venv`): never the system's
    /// site-packages, so the tests need no root and leave the machine as they found it.
    public static let venv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/python-venv")

    /// The environment's interpreter; `python3` as the first argument of `run` means this one.
    public static var python: String { venv.appendingPathComponent("bin/python3").path }

    /// Runs a command (stdout and stderr together in `output`), killed after `timeout`. A leading `python3` runs the
    /// virtual environment's interpreter (made on first use).
    @discardableResult
    public static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:],
        timeout: Duration = .seconds(90)
    ) throws -> (status: Int32, output: String) {
        var arguments = arguments
        if let index = arguments.firstIndex(of: "python3") {
            try makeEnvironment()
            arguments[index] = python
        }
        let outcome = try ChildProcess.run(arguments, stdin: stdin, environment: environment, timeout: timeout)
        let note = outcome.timedOut ? "\n(killed after \(timeout))" : ""
        return (outcome.timedOut ? -1 : outcome.status, outcome.stdout + outcome.stderr + note)
    }

    private static let venvLock = Mutex(false)

    /// Creates the virtual environment once per test process (and once per checkout: it is kept in `.build`).
    public static func makeEnvironment() throws {
        try venvLock.withLock { made in
            if made { return }
            if !FileManager.default.isExecutableFile(atPath: python) {
                let outcome = try ChildProcess.run(["python3", "-m", "venv", venv.path], timeout: .seconds(300))
                guard outcome.status == 0 else {
                    throw Failure(
                        description: "could not create \(venv.path): \(outcome.stdout + outcome.stderr)\n"
                            + "Python 3 with its venv module is needed (Debian: apt-get install python3-venv)")
                }
            }
            made = true
        }
    }

    /// pip installs one at a time: suites run in parallel and two pips writing one site-packages corrupt it.
    private static let installLock = Mutex(())

    /// Makes `module` importable, installing `package` from PyPI if it is not.
    public static func ensure(module: String, package: String) throws {
        try installLock.withLock { _ in
            if try run(["python3", "-c", "import \(module)"]).status == 0 { return }
            let install = try run(
                [
                    "python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--timeout", "30", package,
                ], timeout: .seconds(600))
            guard install.status == 0 else {
                throw Failure(
                    description: "pip install \(package) into \(venv.path) failed (PyPI must be reachable): "
                        + install.output)
            }
        }
    }
}

extension PythonTools {
    /// `ensure` on a thread of its own, for async tests: a first run on a clean machine creates the virtual
    /// environment and installs packages for minutes, and waited for on Swift concurrency's few threads (two on this
    /// machine) — by two tests at once, one holding the install lock — it starved every other async test past its
    /// time limit.
    public static func ensure(module: String, package: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try ensure(module: module, package: package) as Void })
            }
        }
    }

    /// `run` on a thread of its own, for async tests whose child talks back to a server in this process: a child
    /// waited for on one of Swift concurrency's few threads (two on this machine) can starve the server's handlers
    /// of the threads they run on, until the call times out.
    public static func runDetached(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:],
        timeout: Duration = .seconds(90)
    ) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { try run(arguments, stdin: stdin, environment: environment, timeout: timeout) })
            }
        }
    }
}
