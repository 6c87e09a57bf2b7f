import Foundation
import Synchronization

/// Runs Python 3 for checks against real third-party implementations (the AWS X-Ray and OpenTelemetry SDKs, the
/// OpenTelemetry protobuf definitions), installing the package it needs with pip the first time.
public enum PythonTools {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs a command (stdout and stderr together in `output`), killed after `timeout`.
    @discardableResult
    public static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:],
        timeout: Duration = .seconds(90)
    ) throws -> (status: Int32, output: String) {
        let outcome = try ChildProcess.run(arguments, stdin: stdin, environment: environment, timeout: timeout)
        let note = outcome.timedOut ? "\n(killed after \(timeout))" : ""
        return (outcome.timedOut ? -1 : outcome.status, outcome.stdout + outcome.stderr + note)
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
                throw Failure(description: "pip install \(package) failed: \(install.output)")
            }
        }
    }
}
