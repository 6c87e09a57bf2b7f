import TraceAnalysis
import TraceModel

/// The gates as a JUnit XML report, one test case per gate and target, for CI systems that show test results.
/// A run with no gates still reports one passing case, so the suite is never empty.
public enum JUnitReport {
    public static func render(_ s: Summary) -> String {
        let failures = s.gates.filter { $0.status == .fail }.count
        let errors = s.gates.filter { !$0.passed && $0.status != .fail }.count
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let tests = max(1, s.gates.count)
        out.append("<testsuites name=\"tracescope\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">")
        out.append(
            "  <testsuite name=\"tracescope.gates\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" "
                + "time=\"\(Formatting.fixed(s.window.seconds, 3))\">")
        out.append("    <properties>")
        out.append("      <property name=\"traces\" value=\"\(s.traces.requests)\"/>")
        out.append("      <property name=\"faults\" value=\"\(s.traces.faults)\"/>")
        out.append("      <property name=\"rejected\" value=\"\(s.rejected.count)\"/>")
        out.append("    </properties>")
        if s.gates.isEmpty {
            out.append("    <testcase classname=\"tracescope\" name=\"summary (\(s.traces.requests) traces)\"/>")
        }
        out += testcases(s.gates)
        out.append("  </testsuite>")
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }

    /// One test case per gate and target; shared with `diff`.
    static func testcases(_ gates: [GateResult]) -> [String] {
        var out: [String] = []
        for g in gates {
            let name = xml(g.gate + (g.target.map { " [" + $0 + "]" } ?? ""))
            switch g.status {
            case .pass:
                out.append("    <testcase classname=\"tracescope.gates\" name=\"\(name)\"/>")
            case .fail:
                out.append("    <testcase classname=\"tracescope.gates\" name=\"\(name)\">")
                out.append(
                    "      <failure message=\"\(xml(g.message))\" type=\"threshold\">\(xml(detail(g)))</failure>")
                out.append("    </testcase>")
            default:
                out.append("    <testcase classname=\"tracescope.gates\" name=\"\(name)\">")
                out.append(
                    "      <error message=\"\(xml(g.status.rawValue + ": " + g.message))\" type=\"\(g.status.rawValue)\">"
                        + "\(xml(detail(g)))</error>")
                out.append("    </testcase>")
            }
        }
        return out
    }

    private static func detail(_ g: GateResult) -> String {
        var parts = [
            "gate: \(g.gate)", "target: \(g.target ?? "none")", "samples: \(g.samples) (need \(g.requiredSamples))",
        ]
        if let o = g.observed { parts.append("observed: \(Formatting.number(o)) \(g.unit)") }
        if let t = g.threshold { parts.append("threshold: \(Formatting.number(t)) \(g.unit)") }
        if let b = g.baseline { parts.append("baseline: \(Formatting.number(b)) \(g.unit)") }
        return parts.joined(separator: "\n")
    }

    /// XML-escapes text and replaces characters XML 1.0 forbids (control characters) with visible escapes.
    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                if TerminalSafe.needsEscape(scalar) {
                    out += TerminalSafe.escape(String(scalar))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
