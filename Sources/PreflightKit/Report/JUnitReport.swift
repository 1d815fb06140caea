/// JUnit XML for Jenkins and GitLab: one test suite per manifest, one test case per line
/// that has findings plus one for the manifest's file- and dataset-level checks. A case
/// fails when it has an error; warnings go to its system-out.
public enum JUnitReport: Reporter {
    public static let name = "junit"

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        // Counted first, since the counts head the document; then written case by case.
        let counts = result.inputs.map { input in
            var tests = 1, failures = 0  // the dataset case
            forEachCase(of: input, in: result) { _, errors, _ in
                if errors > 0 { failures += 1 }
                tests += 1
            }
            if result.findings.contains(where: { belongs($0, to: input) && $0.line == nil && $0.severity == .error }) { failures += 1 }
            return (tests: tests, failures: failures)
        }
        var out = ChunkedText<Sink>()
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", to: &sink)
        out.append("<testsuites name=\"preflight\" tests=\"\(counts.map(\.tests).reduce(0, +))\" failures=\"\(counts.map(\.failures).reduce(0, +))\" errors=\"0\" skipped=\"0\">\n", to: &sink)
        for (input, count) in zip(result.inputs, counts) {
            let path = escape(input.name)
            out.append("  <testsuite name=\"\(path)\" tests=\"\(count.tests)\" failures=\"\(count.failures)\" errors=\"0\" skipped=\"0\">\n", to: &sink)
            out.append("    <properties><property name=\"dataset\" value=\"\(input.role.rawValue)\"/></properties>\n", to: &sink)
            forEachCase(of: input, in: result) { line, _, findings in
                out.append(testCase("line \(line)", line: line, path: path, findings: findings), to: &sink)
            }
            let datasetFindings = result.findings.filter { belongs($0, to: input) && $0.line == nil }
            out.append(testCase("dataset checks", line: nil, path: path, findings: datasetFindings), to: &sink)
            out.append("  </testsuite>\n", to: &sink)
        }
        out.append("</testsuites>\n", to: &sink)
        out.flush(to: &sink)
    }

    private static func belongs(_ finding: Finding, to input: ManifestInput) -> Bool {
        finding.file == input.name && finding.role == input.role
    }

    /// Calls `body` once per line with findings, in order: the line, its error count and its findings.
    /// A manifest's line findings are consecutive and ordered by line in a result.
    private static func forEachCase(of input: ManifestInput, in result: CheckResult, _ body: (Int, Int, ArraySlice<Finding>) -> Void) {
        let findings = result.findings
        var start = findings.startIndex
        while start < findings.endIndex {
            guard let line = findings[start].line, belongs(findings[start], to: input) else {
                start += 1
                continue
            }
            var end = start + 1
            while end < findings.endIndex, findings[end].line == line, belongs(findings[end], to: input) { end += 1 }
            let slice = findings[start..<end]
            body(line, slice.filter { $0.severity == .error }.count, slice)
            start = end
        }
    }

    private static func testCase(_ name: String, line: Int?, path: String, findings: some Collection<Finding>) -> String {
        var attributes = "name=\"\(escape(name))\" classname=\"\(path)\" file=\"\(path)\""
        if let line { attributes += " line=\"\(line)\"" }
        var xml = "    <testcase \(attributes)>\n"
        let errors = findings.filter { $0.severity == .error }
        if let first = errors.first {
            let summary = errors.count == 1 ? "\(first.code): \(first.message)" : "\(errors.count) errors, first \(first.code): \(first.message)"
            xml += "      <failure type=\"\(escape(first.code))\" message=\"\(escape(summary))\">"
            xml += escape(errors.map(describe).joined(separator: "\n"))
            xml += "</failure>\n"
        }
        let others = findings.filter { $0.severity != .error }
        if !others.isEmpty {
            xml += "      <system-out>" + escape(others.map(describe).joined(separator: "\n")) + "</system-out>\n"
        }
        return xml + "    </testcase>\n"
    }

    static func describe(_ finding: Finding) -> String {
        var text = "\(finding.severity.rawValue) \(finding.code)"
        if let attribute = finding.attribute { text += " [\(attribute)\(finding.annotationIndex.map { " box \($0 + 1)" } ?? "")]" }
        text += ": \(finding.message)"
        if let reason = finding.details["reason"]?.stringValue { text += " (\(reason))" }
        if let image = finding.image { text += " image: \(image)" }
        return text
    }

    /// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
