import ImageEngine

/// The report a person reads in a terminal: findings grouped by manifest line, a count per
/// check, then a summary. It summarises where the other formats list everything: a finding
/// that repeats on many lines is listed on the first few and the rest are named in one line,
/// and each finding gives its specific reason rather than the check's general sentence
/// (`preflight rules CODE` has that). Rows are at most 100 columns wide.
public enum TextReport: Reporter {
    public static let name = "text"

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        let paint = Paint(enabled: context.color)
        let repeats = RepeatedFindings(result.findings)
        var listing = ChunkedText<Sink>()
        var currentFile: String?
        var currentGroup: String?
        // The "and N more lines" rows due once the current line's findings are listed.
        var closing: [Int] = []
        func closeGroup(_ sink: inout Sink) {
            for shape in closing { listing.append(repeats.moreLines(shape), to: &sink) }
            closing.removeAll()
        }
        for (index, finding) in result.findings.enumerated() where !repeats.isHidden(index) {
            if finding.file != currentFile {
                closeGroup(&sink)
                currentFile = finding.file
                currentGroup = nil
                var header = WrappedLine()
                header.whole(finding.file, paint: paint.bold)
                header.whole("(\(finding.role.rawValue))", paint: paint.bold)
                listing.append("\n" + header.rendered(indent: 0, hangingIndent: 2), to: &sink)
            }
            let group = finding.line.map { "line \($0)" } ?? (finding.scope == .manifestFile ? "manifest file"
                : finding.scope == .folderEntry ? "files and folders" : "dataset")
            if group != currentGroup {
                closeGroup(&sink)
                currentGroup = group
                var heading = WrappedLine()
                heading.whole(group)
                if finding.line != nil {
                    // From any finding of the line: the one that has them may be left out as a repeat.
                    let line = sameLine(result.findings, around: index)
                    if let ref = line.lazy.compactMap(\.sourceRef).first { heading.whole(ref, gap: 2) }
                    if let image = line.lazy.compactMap(\.image).first { heading.whole("→ \(image)", gap: 2, paint: paint.dim) }
                }
                listing.append(heading.rendered(indent: 2, hangingIndent: 8), to: &sink)
            }
            listing.append(findingRow(finding, paint: paint), to: &sink)
            if let shape = repeats.closes(index), !closing.contains(shape) { closing.append(shape) }
        }
        closeGroup(&sink)
        listing.flush(to: &sink)
        var out = result.findings.isEmpty ? "\nNo findings.\n" : ""
        out += countsByCode(result, paint: paint)

        out += "\n" + paint.bold("Summary") + "\n"
        for stats in result.stats {
            var manifest = WrappedLine()
            manifest.text("\(stats.role.rawValue):")
            manifest.whole(stats.file)
            out += manifest.rendered(indent: 2, hangingIndent: 4)
            var lines = WrappedLine()
            lines.text("lines: \(stats.totalLines) total, \(stats.validLines) valid, \(stats.invalidLines) invalid, \(stats.ignoredLines) ignored"
                + (stats.uncheckedLines > 0 ? ", \(stats.uncheckedLines) past the line limit not checked" : ""))
            out += lines.rendered(indent: 4, hangingIndent: 6)
            out += "    use case: \(stats.useCase.rawValue); distinct images: \(stats.distinctImages)\n"
            for (kind, labels) in [("image-level labels", stats.classificationLabels), ("object labels", stats.detectionLabels)] where !labels.isEmpty {
                let list = labels.sorted { $0.key < $1.key }.map { name, count in
                    kind == "object labels" ? "\(name) (\(counted(count.images, "image")), \(counted(count.boxes, "box", "boxes")))"
                        : "\(name) (\(counted(count.images, "image")))"
                }
                out += listRow("\(kind):", list)
            }
            out += folderSummary(result, stats)
        }
        var images = WrappedLine()
        images.text("images: \(result.imagesStatement)")
        out += images.rendered(indent: 2, hangingIndent: 4)
        if !result.options.ignored.isEmpty {
            var ignored = WrappedLine()
            ignored.text("checks switched off (--ignore): \(result.options.ignored.sorted().joined(separator: ", ")); "
                + "every count, file and verdict here is as if they did not exist")
            out += ignored.rendered(indent: 2, hangingIndent: 4)
        }
        if !result.omittedFindings.isEmpty {
            let list = result.omittedFindings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            out += "  not listed above (over \(result.options.maxStoredFindings) findings): \(list)\n"
        }
        let errors = result.count(.error), warnings = result.count(.warning)
        let verdict = Verdict.of(result, context: context)
        let text = "\(verdict == .pass ? "PASS" : "FAIL"): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        var verdictLine = WrappedLine()
        verdictLine.painted(verdict == .pass ? paint.green(text) : paint.red(text), columns: text.count)
        if context.failOn == nil { verdictLine.text("(--fail-on never: the exit code is 0 whatever the findings)") }
        out += verdictLine.rendered(indent: 2, hangingIndent: 4)
        sink.write(out)
    }
}

/// The findings next to `index` on the same line of the same manifest, `index`'s own first.
private func sameLine(_ findings: [Finding], around index: Int) -> [Finding] {
    let finding = findings[index]
    func same(_ other: Finding) -> Bool { other.line == finding.line && other.file == finding.file && other.role == finding.role }
    let after = findings[index...].prefix(while: same)
    let before = findings[..<index].reversed().prefix(while: same)
    return Array(after) + Array(before)
}

/// One finding: severity, code, where in the line (label attribute and box), and the
/// specific reason when there is one, else the check's message.
private func findingRow(_ finding: Finding, paint: Paint) -> String {
    var row = WrappedLine()
    row.painted(paint.severity(finding.severity), columns: 7)
    row.whole(finding.code)
    // Boxes are counted from 1 here, as lines are; JSON keeps the 0-based `annotation_index`.
    let box = finding.annotationIndex.map { "box \($0 + 1)" }
    let place = [finding.attribute, box].compactMap { $0 }.joined(separator: " ")
    if !place.isEmpty { row.whole("[\(place)]", gap: 2) }
    row.text(finding.details["reason"]?.stringValue ?? finding.message, gap: place.isEmpty ? 2 : 1)
    return row.rendered(indent: 4, hangingIndent: 14)
}

/// A name and a list of items, broken between items.
private func listRow(_ name: String, _ items: [String]) -> String {
    var row = WrappedLine()
    row.text(name)
    for (index, item) in items.enumerated() { row.whole(index == items.count - 1 ? item : item + ",") }
    return row.rendered(indent: 4, hangingIndent: 6)
}

/// How many findings each check made, most first, the ones not listed included: what to
/// fix first on a large dataset.
private func countsByCode(_ result: CheckResult, paint: Paint) -> String {
    let counts = result.countsByCode
    guard !counts.isEmpty else { return "" }
    let rows = counts.map { code, count in
        let rule = RuleCatalogue.definition(code: code)
        return (code: code, count: count, severity: rule?.severity ?? .error, title: rule?.title ?? "")
    }.sorted { ($0.count, $1.code) > ($1.count, $0.code) }
    let countWidth = String(rows[0].count).count
    let codeWidth = rows.map(\.code.count).max()!
    let titleColumn = 2 + countWidth + 2 + 7 + 2 + codeWidth + 2
    var out = "\n" + paint.bold("Findings by code") + "\n"
    for row in rows {
        var line = WrappedLine()
        line.whole(String(repeating: " ", count: countWidth - String(row.count).count) + String(row.count))
        line.painted(paint.severity(row.severity), columns: 7, gap: 2)
        line.whole(row.code.padding(toLength: codeWidth), gap: 2)
        line.text(row.title, gap: 2)
        out += line.rendered(indent: 2, hangingIndent: titleColumn <= 60 ? titleColumn : 8)
    }
    return out
}

/// Findings that repeat: the same check with the same wording, numbers aside, on many lines
/// of one manifest. A wording on more than `listedUpTo` lines is listed on its first `listed`
/// lines only, followed by one row that names the other lines.
struct RepeatedFindings {
    static let listedUpTo = 5
    static let listed = 3
    /// Line numbers named in the row about the rest; past that, the count says how many.
    static let namedRanges = 20

    /// Per finding, its wording (-1 for findings not on a line) and its line.
    private var shapeOf: [Int] = []
    private var lineOf: [Int] = []
    /// Per wording, its lines in order, and its code.
    private var lines: [[Int]] = []
    private var code: [String] = []

    init(_ findings: [Finding]) {
        var shapes: [String: Int] = [:]
        shapeOf.reserveCapacity(findings.count)
        lineOf.reserveCapacity(findings.count)
        for finding in findings {
            guard let line = finding.line else {
                shapeOf.append(-1)
                lineOf.append(0)
                continue
            }
            let key = [finding.file, finding.role.rawValue, finding.code, finding.attribute ?? "",
                       Self.withoutNumbers(finding.message), Self.withoutNumbers(finding.details["reason"]?.stringValue ?? "")]
                .joined(separator: "\u{0}")
            let shape = shapes[key] ?? {
                shapes[key] = lines.count
                lines.append([])
                code.append(finding.code)
                return lines.count - 1
            }()
            shapeOf.append(shape)
            lineOf.append(line)
            if lines[shape].last != line { lines[shape].append(line) }
        }
        for shape in lines.indices {
            lines[shape] = Array(Set(lines[shape])).sorted()
        }
    }

    private static func withoutNumbers(_ text: String) -> String {
        var out = "", inNumber = false
        for character in text {
            if character.isASCII && character.isNumber {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                out.append(character)
                inNumber = false
            }
        }
        return out
    }

    private func grouped(_ shape: Int) -> Bool { lines[shape].count > Self.listedUpTo }

    /// True for a finding on a line past the first few of its wording.
    func isHidden(_ index: Int) -> Bool {
        let shape = shapeOf[index]
        guard shape >= 0, grouped(shape) else { return false }
        return lineOf[index] > lines[shape][Self.listed - 1]
    }

    /// The wording whose last listed line this finding is on, when the rest are to be named.
    func closes(_ index: Int) -> Int? {
        let shape = shapeOf[index]
        guard shape >= 0, grouped(shape), lineOf[index] == lines[shape][Self.listed - 1] else { return nil }
        return shape
    }

    /// "… and 894 more lines with CODE as on line 3 (lines 4-897)".
    func moreLines(_ shape: Int) -> String {
        let rest = Array(lines[shape].dropFirst(Self.listed))
        var ranges: [String] = []
        var start = rest[0], end = rest[0]
        for line in rest.dropFirst() + [Int.min] {
            if line == end + 1 {
                end = line
                continue
            }
            ranges.append(start == end ? "\(start)" : "\(start)-\(end)")
            start = line
            end = line
        }
        var named = ranges.prefix(Self.namedRanges).joined(separator: ", ")
        if ranges.count > Self.namedRanges { named += ", …" }
        var row = WrappedLine()
        row.text("… and \(counted(rest.count, "more line")) with")
        row.whole(code[shape])
        row.text("as on line \(lines[shape][Self.listed - 1]) (\(rest.count == 1 ? "line" : "lines") \(named))")
        return row.rendered(indent: 2, hangingIndent: 4)
    }
}

/// For a folder dataset: its unlabelled images, and the labels a deeper `--location` would give.
private func folderSummary(_ result: CheckResult, _ stats: DatasetStats) -> String {
    let mine = result.findings.filter { $0.file == stats.file && $0.role == stats.role && $0.scope == .folderEntry }
    var out = ""
    let unlabelled = mine.filter { $0.code == FolderUnlabeledImage.definition.code }.count
    if unlabelled > 0 { out += "    images without a label (not used): \(unlabelled)\n" }
    for nested in mine where nested.code == FolderNestedLabels.definition.code {
        var labels = (nested.details["labels_at_location"]?.arrayValue ?? []).map {
            "\($0["name"]?.stringValue ?? "?") (\(counted(Int($0["images"]?.numberValue?.int64 ?? 0), "image")))"
        }
        let left = Int(nested.details["unlabeled_at_location"]?.numberValue?.int64 ?? 0)
        if left > 0 {
            let unlabelled = "\(counted(left, "image")) without a label"
            if labels.isEmpty { labels = [unlabelled] } else { labels[labels.count - 1] += "; " + unlabelled }
        }
        out += listRow("with --location \(nested.details["location"]?.stringValue ?? "?"):", labels)
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
