import Foundation

/// Runs Python 3 for checks against real third-party implementations (the OpenTelemetry protobuf definitions),
/// installing the package it needs with pip the first time.
public enum PythonTools {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    @discardableResult
    public static func run(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Makes `module` importable, installing `package` from PyPI if it is not.
    public static func ensure(module: String, package: String) throws {
        if try run(["python3", "-c", "import \(module)"]).status == 0 { return }
        let install = try run(["python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", package])
        guard install.status == 0 else { throw Failure(description: "pip install \(package) failed: \(install.output)") }
    }
}
