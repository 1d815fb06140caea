/// JUnit XML for Jenkins and GitLab: one test suite per manifest, one test case per line
/// that has findings plus one for the manifest's file- and dataset-level checks. A case
/// fails when it has an error; warnings go to its system-out.
public enum JUnitReport: Reporter {
    public static let name = "junit"

    struct Case {
        var name: String
        var line: Int?
        var findings: [Finding]
        var errors: [Finding] { findings.filter { $0.severity == .error } }
    }

    public static func render(_ result: CheckResult, context: ReportContext) -> String {
        var suites: [(input: ManifestInput, cases: [Case])] = []
        for input in result.inputs {
            let mine = result.findings.filter { $0.file == input.path && $0.role == input.role }
            var cases: [Case] = []
            var byLine: [Int: Int] = [:]
            for finding in mine {
                guard let line = finding.line else { continue }
                if let index = byLine[line] {
                    cases[index].findings.append(finding)
                } else {
                    byLine[line] = cases.count
                    cases.append(Case(name: "line \(line)", line: line, findings: [finding]))
                }
            }
            cases.append(Case(name: "dataset checks", line: nil, findings: mine.filter { $0.line == nil }))
            suites.append((input, cases))
        }
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.cases.filter { !$0.errors.isEmpty }.count }

        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"preflight\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">\n"
        for suite in suites {
            let suiteFailures = suite.cases.filter { !$0.errors.isEmpty }.count
            xml += "  <testsuite name=\"\(escape(suite.input.path))\" tests=\"\(suite.cases.count)\" failures=\"\(suiteFailures)\" errors=\"0\" skipped=\"0\">\n"
            xml += "    <properties><property name=\"dataset\" value=\"\(suite.input.role.rawValue)\"/></properties>\n"
            for testCase in suite.cases {
                var attributes = "name=\"\(escape(testCase.name))\" classname=\"\(escape(suite.input.path))\" file=\"\(escape(suite.input.path))\""
                if let line = testCase.line { attributes += " line=\"\(line)\"" }
                xml += "    <testcase \(attributes)>\n"
                if let first = testCase.errors.first {
                    let summary = testCase.errors.count == 1 ? "\(first.code): \(first.message)" : "\(testCase.errors.count) errors, first \(first.code): \(first.message)"
                    xml += "      <failure type=\"\(escape(first.code))\" message=\"\(escape(summary))\">"
                    xml += escape(testCase.errors.map(describe).joined(separator: "\n"))
                    xml += "</failure>\n"
                }
                let others = testCase.findings.filter { $0.severity != .error }
                if !others.isEmpty {
                    xml += "      <system-out>" + escape(others.map(describe).joined(separator: "\n")) + "</system-out>\n"
                }
                xml += "    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    static func describe(_ finding: Finding) -> String {
        var text = "\(finding.severity.rawValue) \(finding.code)"
        if let attribute = finding.attribute { text += " [\(attribute)\(finding.annotationIndex.map { " box \($0)" } ?? "")]" }
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
