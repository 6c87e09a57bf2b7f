import Foundation
import TestSupport
import Testing

/// The binary's stdout and stderr, in every format, on a file whose names, and whose broken lines, carry the hostile
/// corpus (`HostileNames`): nothing a terminal acts on comes out, whatever the format or the stream.
@Suite("Output safety (the binary)", .timeLimit(.minutes(5)))
struct OutputSafetyCLITests {
    typealias CLI = SummaryCommandTests

    static func hostileFile() throws -> String {
        var lines: [String] = []
        for (i, name) in HostileNames.all.enumerated() {
            let quoted = String(data: try JSONSerialization.data(withJSONObject: [name], options: []), encoding: .utf8)!
                .dropFirst().dropLast()
            lines.append(
                #"{"name":\#(quoted),"id":"00000000000001\#(String(format: "%02x", i))","trace_id":"1-6b003640-0000000000000000000000\#(String(format: "%02x", i))","start_time":1795176000,"end_time":1795176000.5,"fault":true,"annotations":{"k":\#(quoted)},"http":{"request":{"url":\#(quoted)},"response":{"status":500}}}"#
            )
            // A broken line whose raw bytes carry the name too: its rejection is printed on stderr.
            lines.append("{\"name\": \"\(name)\", \"id\": ")
        }
        return try CLI.temporaryFile(lines.joined(separator: "\n") + "\n")
    }

    @Test(arguments: ["text", "markdown", "json", "junit"])
    func everyFormatAndStderrAreInert(_ format: String) throws {
        let file = try Self.hostileFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try CLI.run(["summary", file, "--format", format, "--assert", "traces: fault_rate == 0"])
        #expect(r.status == 1, "\(r.stderr.suffix(500))")
        let out = HostileNames.unsafeScalar(in: r.stdout)
        let err = HostileNames.unsafeScalar(in: r.stderr)
        #expect(out == nil, "stdout (\(format)) carried U+\(String(out?.value ?? 0, radix: 16))")
        #expect(err == nil, "stderr carried U+\(String(err?.value ?? 0, radix: 16))")
        #expect(r.stderr.contains("rejected") || r.stderr.contains("invalid"), "\(r.stderr.suffix(500))")
    }
}
