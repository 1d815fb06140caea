/// GitHub Actions workflow commands: one `::error` or `::warning` annotation per finding,
/// shown on the manifest line in the pull request.
public enum GitHubReport: Reporter {
    public static let name = "github"

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        var out = ChunkedText<Sink>()
        for finding in result.findings {
            let command = finding.severity == .error ? "error" : (finding.severity == .warning ? "warning" : "notice")
            var properties = "file=\(property(finding.file))"
            if let line = finding.line { properties += ",line=\(line)" }
            properties += ",title=\(property(finding.code))"
            var message = finding.message
            if let reason = finding.details["reason"]?.stringValue { message += " (\(reason))" }
            if let attribute = finding.attribute { message += " [\(attribute)\(finding.annotationIndex.map { " box \($0 + 1)" } ?? "")]" }
            out.append("::\(command) \(properties)::\(data(message))\n", to: &sink)
        }
        out.flush(to: &sink)
    }

    /// A Markdown job summary: the verdict and the findings counted by code.
    public static func jobSummary(_ result: CheckResult, context: ReportContext) -> String {
        let verdict = Verdict.of(result, context: context)
        var out = "## Preflight: \(verdict == .pass ? "pass" : "fail")\n\n"
        out += "\(result.count(.error)) errors, \(result.count(.warning)) warnings; \(result.imagesExamined) images examined"
        out += result.options.mode == .full ? " (all image data checked).\n\n" : " (headers only).\n\n"
        for stats in result.stats {
            out += "- **\(stats.role.rawValue)** `\(stats.file)`: \(stats.totalLines) lines, \(stats.validLines) valid, \(stats.invalidLines) invalid, \(stats.ignoredLines) ignored; \(stats.useCase.rawValue)\n"
        }
        var counts: [String: (severity: Severity, count: Int)] = [:]
        for finding in result.findings { counts[finding.code, default: (finding.severity, 0)].count += 1 }
        if !counts.isEmpty {
            out += "\n| code | severity | findings |\n| --- | --- | --- |\n"
            for (code, entry) in counts.sorted(by: { ($0.value.severity, $1.key) > ($1.value.severity, $0.key) }) {
                out += "| `\(code)` | \(entry.severity.rawValue) | \(entry.count) |\n"
            }
        }
        return out
    }

    /// Escapes a workflow command's message.
    static func data(_ text: String) -> String {
        text.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    /// Escapes a workflow command's property value.
    static func property(_ text: String) -> String {
        data(text).replacingAll(":", "%3A").replacingAll(",", "%2C")
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
