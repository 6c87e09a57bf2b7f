import TraceFiles
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's edges: standard streams, the environment, files to write.
enum Terminal {
    /// A line (or lines) on stderr. Every line is made inert (`TerminalSafe`): status lines carry peers' error
    /// messages and usage errors echo the command line, and neither may drive the terminal.
    static func printError(_ message: String) {
        let safe = message.split(separator: "\n", omittingEmptySubsequences: false)
            .map { TerminalSafe.escape(String($0)) }.joined(separator: "\n")
        writeAll(STDERR_FILENO, safe.hasSuffix("\n") ? safe : safe + "\n")
    }

    /// A diagnostic line about untrusted input: escaped so a hostile file name or span cannot drive the terminal.
    static func warn(_ message: String) {
        printError("tracescope: " + TerminalSafe.escape(message))
    }

    static func write(_ text: String) {
        writeAll(STDOUT_FILENO, text)
    }

    /// write(2) until done: the C `stdout`/`stderr` globals are not concurrency-safe in Swift 6. A closed stream
    /// (a pipe whose reader left) loses the text and nothing else.
    private static func writeAll(_ fd: Int32, _ text: String) {
        try? FileDescriptorIO.writeAll(fd, text)
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// `NO_COLOR` set to anything non-empty disables colour and decoration (no-color.org).
    static var noColor: Bool { !(environment("NO_COLOR") ?? "").isEmpty }

    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    /// Writes a whole file, replacing it.
    static func writeFile(_ path: String, _ text: String) throws(WriteError) {
        guard let file = fopen(path, "w") else {
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count, fflush(file) == 0 else {
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
