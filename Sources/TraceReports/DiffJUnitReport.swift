import TraceAnalysis
import TraceModel

/// A diff's gates as JUnit XML, one test case per gate and target; the significant regressions ride along as
/// properties. With no gates, one passing case says what was compared, so the suite is never empty.
public enum DiffJUnitReport {
    public static func render(_ d: RunDiff) -> String {
        let failures = d.gates.filter { $0.status == .fail }.count
        let errors = d.gates.filter { !$0.passed && $0.status != .fail }.count
        let tests = max(1, d.gates.count)
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        out.append("<testsuites name=\"tracescope\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">")
        out.append(
            "  <testsuite name=\"tracescope.diff\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">")
        out.append("    <properties>")
        out.append("      <property name=\"base_traces\" value=\"\(d.base.traces.requests)\"/>")
        out.append("      <property name=\"current_traces\" value=\"\(d.current.traces.requests)\"/>")
        out.append("      <property name=\"significant_regressions\" value=\"\(d.significantRegressions)\"/>")
        out.append("      <property name=\"significant_improvements\" value=\"\(d.significantImprovements)\"/>")
        for (i, c) in DiffFormatting.significant(d).filter(\.isRegression).prefix(20).enumerated() {
            let text =
                "\(c.subject.scope) \(c.subject.description) \(c.metric): \(DiffFormatting.value(c.base, c.unit))"
                + " → \(DiffFormatting.value(c.current, c.unit)) (\(DiffFormatting.change(c)))"
            out.append("      <property name=\"regression.\(i + 1)\" value=\"\(JUnitReport.xml(text))\"/>")
        }
        out.append("    </properties>")
        if d.gates.isEmpty {
            out.append(
                "    <testcase classname=\"tracescope\" name=\"diff (\(d.base.traces.requests) → "
                    + "\(d.current.traces.requests) traces)\"/>")
        }
        out += JUnitReport.testcases(d.gates)
        out.append("  </testsuite>")
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }
}
