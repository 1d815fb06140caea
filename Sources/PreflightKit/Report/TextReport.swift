import ImageEngine

/// The report a person reads in a terminal: findings grouped by manifest line, then a summary.
public enum TextReport: Reporter {
    public static let name = "text"

    public static func render(_ result: CheckResult, context: ReportContext) -> String {
        let paint = Paint(enabled: context.color)
        var out = ""
        var currentFile: String?
        var currentLine: Int?? = .none
        for finding in result.findings {
            if finding.file != currentFile {
                currentFile = finding.file
                currentLine = .none
                out += "\n" + paint.bold("\(finding.file) (\(finding.role.rawValue))") + "\n"
            }
            if currentLine != .some(finding.line) {
                currentLine = .some(finding.line)
                if let line = finding.line {
                    var heading = "  line \(line)"
                    if let ref = finding.sourceRef { heading += "  \(ref)" }
                    if let image = finding.image { heading += paint.dim("  → \(image)") }
                    out += heading + "\n"
                } else {
                    out += "  " + (finding.scope == .manifestFile ? "manifest file" : "dataset") + "\n"
                }
            }
            var where_ = ""
            if let attribute = finding.attribute { where_ += "\(attribute)" }
            if let index = finding.annotationIndex { where_ += " box \(index)" }
            if !where_.isEmpty { where_ = "[\(where_)] " }
            let reason = finding.details["reason"]?.stringValue.map { " (\($0))" } ?? ""
            out += "    \(paint.severity(finding.severity)) \(finding.code)  \(where_)\(finding.message)\(reason)\n"
        }
        if result.findings.isEmpty { out += "\nNo findings.\n" }

        out += "\n" + paint.bold("Summary") + "\n"
        for stats in result.stats {
            out += "  \(stats.role.rawValue): \(stats.file)\n"
            out += "    lines: \(stats.totalLines) total, \(stats.validLines) valid, \(stats.invalidLines) invalid, \(stats.ignoredLines) ignored\n"
            out += "    use case: \(stats.useCase.rawValue); distinct images: \(stats.distinctImages)\n"
            for (kind, labels) in [("image-level labels", stats.classificationLabels), ("object labels", stats.detectionLabels)] where !labels.isEmpty {
                let list = labels.sorted { $0.key < $1.key }.map { name, count in
                    kind == "object labels" ? "\(name) (\(count.images) images, \(count.boxes) boxes)" : "\(name) (\(count.images) images)"
                }
                out += "    \(kind): " + list.joined(separator: ", ") + "\n"
            }
        }
        let mode = result.options.mode == .full ? "every pixel decoded" : "headers only; corruption not checked"
        let cached = result.imagesFromCache > 0 ? ", \(result.imagesFromCache) unchanged since an earlier run" : ""
        out += "  images examined: \(result.imagesExamined) (\(mode)\(cached))\n"
        let errors = result.count(.error), warnings = result.count(.warning)
        let verdict = Verdict.of(result, failOn: context.failOn)
        let text = "\(verdict == .pass ? "PASS" : "FAIL"): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        out += "  " + (verdict == .pass ? paint.green(text) : paint.red(text)) + "\n"
        return out
    }
}

/// ANSI styling that disappears when disabled.
struct Paint {
    var enabled: Bool
    private func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { wrap("1", text) }
    func dim(_ text: String) -> String { wrap("2", text) }
    func red(_ text: String) -> String { wrap("31", text) }
    func green(_ text: String) -> String { wrap("32", text) }
    func yellow(_ text: String) -> String { wrap("33", text) }
    func severity(_ severity: Severity) -> String {
        let label = severity.rawValue.padding(toLength: 7)
        switch severity {
        case .error: return red(label)
        case .warning: return yellow(label)
        case .info: return dim(label)
        }
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
