import ImageEngine

/// The report a person reads in a terminal: findings grouped by manifest line, then a summary.
public enum TextReport: Reporter {
    public static let name = "text"

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        let paint = Paint(enabled: context.color)
        var listing = ChunkedText<Sink>()
        var currentFile: String?
        var currentGroup: String?
        for finding in result.findings {
            if finding.file != currentFile {
                currentFile = finding.file
                currentGroup = nil
                listing.append("\n" + paint.bold("\(finding.file) (\(finding.role.rawValue))") + "\n", to: &sink)
            }
            let group = finding.line.map { "line \($0)" } ?? (finding.scope == .manifestFile ? "manifest file"
                : finding.scope == .folderEntry ? "files and folders" : "dataset")
            if group != currentGroup {
                currentGroup = group
                if finding.line != nil {
                    var heading = "  \(group)"
                    if let ref = finding.sourceRef { heading += "  \(ref)" }
                    if let image = finding.image { heading += paint.dim("  → \(image)") }
                    listing.append(heading + "\n", to: &sink)
                } else {
                    listing.append("  \(group)\n", to: &sink)
                }
            }
            var where_ = ""
            if let attribute = finding.attribute { where_ += "\(attribute)" }
            if let index = finding.annotationIndex { where_ += " box \(index)" }
            if !where_.isEmpty { where_ = "[\(where_)] " }
            let reason = finding.details["reason"]?.stringValue.map { " (\($0))" } ?? ""
            listing.append("    \(paint.severity(finding.severity)) \(finding.code)  \(where_)\(finding.message)\(reason)\n", to: &sink)
        }
        listing.flush(to: &sink)
        var out = result.findings.isEmpty ? "\nNo findings.\n" : ""

        out += "\n" + paint.bold("Summary") + "\n"
        for stats in result.stats {
            out += "  \(stats.role.rawValue): \(stats.file)\n"
            out += "    lines: \(stats.totalLines) total, \(stats.validLines) valid, \(stats.invalidLines) invalid, \(stats.ignoredLines) ignored"
                + (stats.uncheckedLines > 0 ? ", \(stats.uncheckedLines) past the line limit not checked" : "") + "\n"
            out += "    use case: \(stats.useCase.rawValue); distinct images: \(stats.distinctImages)\n"
            for (kind, labels) in [("image-level labels", stats.classificationLabels), ("object labels", stats.detectionLabels)] where !labels.isEmpty {
                let list = labels.sorted { $0.key < $1.key }.map { name, count in
                    kind == "object labels" ? "\(name) (\(count.images) images, \(count.boxes) boxes)" : "\(name) (\(count.images) images)"
                }
                out += "    \(kind): " + list.joined(separator: ", ") + "\n"
            }
            out += folderSummary(result, stats)
        }
        out += "  images: \(result.imagesStatement)\n"
        if !result.options.ignored.isEmpty {
            out += "  checks switched off (--ignore): \(result.options.ignored.sorted().joined(separator: ", ")); "
                + "every count, file and verdict here is as if they did not exist\n"
        }
        if !result.omittedFindings.isEmpty {
            let list = result.omittedFindings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            out += "  not listed above (over \(result.options.maxStoredFindings) findings): \(list)\n"
        }
        let errors = result.count(.error), warnings = result.count(.warning)
        let verdict = Verdict.of(result, context: context)
        let text = "\(verdict == .pass ? "PASS" : "FAIL"): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        out += "  " + (verdict == .pass ? paint.green(text) : paint.red(text))
            + (context.failOn == nil ? " (--fail-on never: the exit code is 0 whatever the findings)" : "") + "\n"
        sink.write(out)
    }
}

/// For a folder dataset: its unlabelled images, and the labels a deeper `--location` would give.
private func folderSummary(_ result: CheckResult, _ stats: DatasetStats) -> String {
    let mine = result.findings.filter { $0.file == stats.file && $0.role == stats.role && $0.scope == .folderEntry }
    var out = ""
    let unlabelled = mine.filter { $0.code == FolderUnlabeledImage.definition.code }.count
    if unlabelled > 0 { out += "    images without a label (not used): \(unlabelled)\n" }
    for nested in mine where nested.code == FolderNestedLabels.definition.code {
        let labels = (nested.details["labels_at_location"]?.arrayValue ?? []).map {
            "\($0["name"]?.stringValue ?? "?") (\($0["images"]?.numberValue?.int64 ?? 0) images)"
        }
        let left = nested.details["unlabeled_at_location"]?.numberValue?.int64 ?? 0
        out += "    with --location \(nested.details["location"]?.stringValue ?? "?"): " + labels.joined(separator: ", ")
            + (left > 0 ? "; \(left) image\(left == 1 ? "" : "s") without a label" : "") + "\n"
    }
    return out
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
