#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ImageEngine
import PreflightJSON

/// One HTML file that shows what the other reports say: the verdict and summary, the
/// labels as a chart, and every flagged line with its image and its boxes drawn where they
/// fall. It opens offline: pictures are embedded, and its Content-Security-Policy forbids
/// any request. The page is made from Templates/report.html (see `HTMLTemplate`).
///
/// Flagged lines are read again from their manifest (only those), to draw every box of the
/// line, kept and dropped; their images are decoded again, at reduced scale, for their
/// picture (`Thumbnail`), a chunk of lines at a time on every thread, so memory stays
/// bounded. At most `maxCards` lines are drawn; the rest are counted.
public enum HTMLReport: Reporter {
    public static let name = "html"
    /// Flagged lines drawn, with their pictures; about 10 KB each.
    public static let maxCards = 2000
    /// Pairs of images with the same bytes, or nearly the same picture, shown side by side.
    public static let maxPairs = 200
    /// Labels drawn in the chart.
    static let maxChartLabels = 300
    /// Lines whose pictures are made together (on every thread) before they are written.
    static let chunk = 64

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        let page = HTMLPage(result: result, context: context)
        var out = ChunkedText<Sink>()
        var rest = Substring(HTMLTemplate.text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            out.append(String(rest[..<open.lowerBound]), to: &sink)
            page.fill(String(rest[open.upperBound..<close.lowerBound]), into: &out, sink: &sink)
            rest = rest[close.upperBound...]
        }
        out.append(String(rest) + "\n", to: &sink)
        out.flush(to: &sink)
    }
}

/// Text made safe for HTML content and attribute values: a label named `<script>` is shown
/// as those characters. Control characters HTML does not allow become U+FFFD.
func htmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value): out += "\u{FFFD}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// What one page needs, gathered from the result once.
struct HTMLPage {
    /// The findings of one flagged line (or one image of a folder dataset), in report order.
    struct Group {
        var role: DatasetRole
        var file: String
        var line: Int
        var findings: [Int]
    }

    /// An image's picture, or why there is none.
    struct Picture: Sendable {
        var thumbnail: Thumbnail?
        var facts: ImageFacts?
        var why: String?
    }

    let result: CheckResult
    let context: ReportContext
    let groups: [Group]
    /// Findings on no line: the manifest or dataset as a whole.
    let wholeFindings: [Int]
    /// Every label the page names, in order; cards refer to them by index.
    let labels: [String]
    let labelIndex: [String: Int]
    /// Labels a finding names (a label the service would reject, one auto-split would empty), with the codes.
    let markedLabels: [String: [String]]
    let codes: [String]

    init(result: CheckResult, context: ReportContext) {
        self.result = result
        self.context = context
        var groups: [Group] = []
        var at: [String: Int] = [:]
        var whole: [Int] = []
        var marked: [String: [String]] = [:]
        var codes = Set(result.omittedFindings.keys)
        for (index, finding) in result.findings.enumerated() {
            codes.insert(finding.code)
            for label in Self.labelsNamed(by: finding) where marked[label]?.contains(finding.code) != true {
                marked[label, default: []].append(finding.code)
            }
            guard let line = finding.line else {
                whole.append(index)
                continue
            }
            let key = "\(finding.role.rawValue)\u{0}\(finding.file)\u{0}\(line)"
            if let existing = at[key] {
                groups[existing].findings.append(index)
            } else {
                at[key] = groups.count
                groups.append(Group(role: finding.role, file: finding.file, line: line, findings: [index]))
            }
        }
        var labelSet = Set(marked.keys)
        for stats in result.stats { labelSet.formUnion(stats.allLabels) }
        let labels = labelSet.sorted()
        self.groups = groups
        self.wholeFindings = whole
        self.labels = labels
        self.labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        self.markedLabels = marked
        self.codes = codes.sorted()
    }

    private static func labelsNamed(by finding: Finding) -> [String] {
        var names: [String] = []
        if let list = finding.details["labels"]?.arrayValue { names += list.compactMap(\.stringValue) }
        if let one = finding.details["label"]?.stringValue { names.append(one) }
        return names
    }

    func fill<Sink: ReportSink>(_ key: String, into out: inout ChunkedText<Sink>, sink: inout Sink) {
        switch key {
        case "version": out.append(htmlEscape(PreflightVersion.current), to: &sink)
        case "title": out.append(htmlEscape(title), to: &sink)
        case "subtitle": out.append(htmlEscape(subtitle), to: &sink)
        case "verdict": out.append(Verdict.of(result, context: context) == .pass ? "PASS" : "FAIL", to: &sink)
        case "verdict-class": out.append(Verdict.of(result, context: context).rawValue, to: &sink)
        case "summary": out.append(summary, to: &sink)
        case "codes": out.append(codeTable, to: &sink)
        case "labels": out.append(labelChart, to: &sink)
        case "dataset-findings": out.append(datasetFindings, to: &sink)
        case "filters": out.append(filters, to: &sink)
        case "cards": writeCards(into: &out, sink: &sink)
        case "pairs": writePairs(into: &out, sink: &sink)
        case "rules": out.append(rules, to: &sink)
        default: preconditionFailure("the HTML template names an unknown part {{\(key)}}")
        }
    }

    // MARK: Header and summary

    var title: String {
        let names = result.inputs.map { $0.name.split(separator: "/").last.map(String.init) ?? $0.name }
        return "Preflight report: " + (names.isEmpty ? "no manifest" : names.joined(separator: " + "))
    }

    /// "9 errors, 2 warnings, 0 info".
    var severityCounts: String {
        "\(counted(result.count(.error), "error")), \(counted(result.count(.warning), "warning")), \(result.count(.info)) info"
    }

    var subtitle: String {
        "\(severityCounts) · mode \(result.options.mode.rawValue) · preflight \(PreflightVersion.current)"
    }

    var summary: String {
        var html = "<div class=\"summary\">"
        for stats in result.stats {
            html += "<div><h3>\(stats.role.rawValue): <span class=\"mono\">\(htmlEscape(stats.file))</span></h3><dl>"
            var lines = "\(stats.totalLines) total, \(stats.validLines) valid, \(stats.invalidLines) invalid, \(stats.ignoredLines) ignored"
            if stats.uncheckedLines > 0 { lines += ", \(stats.uncheckedLines) past the line limit (not checked)" }
            html += "<dt>lines</dt><dd>\(lines)</dd>"
            html += "<dt>use case</dt><dd>\(stats.useCase.rawValue)</dd>"
            html += "<dt>distinct images</dt><dd>\(stats.distinctImages)</dd>"
            html += "<dt>labels</dt><dd>\(stats.usableLabels.count) usable of \(stats.allLabels.count)</dd>"
            html += "</dl></div>"
        }
        html += "</div>"
        html += "<p><b>Images:</b> \(htmlEscape(result.imagesStatement))</p>"
        if !result.unreadableManifests.isEmpty {
            html += "<p class=\"why\">Could not be read: " + result.unreadableManifests.map { "<code>\(htmlEscape($0))</code>" }.joined(separator: ", ") + "</p>"
        }
        let verdict = Verdict.of(result, context: context)
        html += "<p><b>\(verdict == .pass ? "PASS" : "FAIL")</b>: \(htmlEscape(severityCounts))"
        if !result.options.ignored.isEmpty {
            html += "; checks switched off: " + result.options.ignored.sorted().map { "<code>\(htmlEscape($0))</code>" }.joined(separator: ", ")
        }
        html += "</p>"
        return html
    }

    var codeTable: String {
        let counts = result.countsByCode
        guard !counts.isEmpty else { return "<p class=\"empty\">No findings.</p>" }
        var html = "<table><tr><th class=\"num\">count</th><th>severity</th><th>code</th><th>what</th></tr>"
        for code in counts.keys.sorted() {
            let rule = RuleCatalogue.definition(code: code)
            let severity = rule?.severity.rawValue ?? "error"
            html += "<tr><td class=\"num\">\(counts[code]!)</td><td><span class=\"sev \(severity)\">\(severity)</span></td>"
            html += "<td><a href=\"#rule-\(code)\"><code>\(htmlEscape(code))</code></a></td><td>\(htmlEscape(rule?.title ?? ""))</td></tr>"
        }
        let omitted = result.omittedFindings.values.reduce(0, +)
        html += "</table>"
        if omitted > 0 { html += "<p class=\"more\">\(omitted) findings past the stored limit are counted here but not listed.</p>" }
        return html
    }

    // MARK: Labels

    var labelChart: String {
        let training = result.stats(for: .training), testing = result.stats(for: .testing)
        func count(_ stats: DatasetStats?, _ label: String) -> (images: Int, boxes: Int) {
            guard let stats else { return (0, 0) }
            let c = stats.classificationLabels[label], d = stats.detectionLabels[label]
            return ((c?.images ?? 0) + (d?.images ?? 0), d?.boxes ?? 0)
        }
        guard !labels.isEmpty else { return "<p class=\"empty\">No label in any usable line.</p>" }
        let shown = labels.prefix(HTMLReport.maxChartLabels)
        let rows = shown.map { ($0, count(training, $0), count(testing, $0)) }
        let most = max(1, rows.map { max($0.1.images, $0.2.images) }.max() ?? 1)
        let rowHeight = 30, nameWidth = 130, barWidth = 230
        let height = rows.count * rowHeight + 8
        var svg = "<svg class=\"chart\" viewBox=\"0 0 560 \(height)\" width=\"100%\" role=\"img\" aria-label=\"images per label\">"
        for (i, row) in rows.enumerated() {
            let (label, train, test) = row
            let y = 4 + i * rowHeight
            let codes = markedLabels[label] ?? []
            let name = label.count > 18 ? String(label.prefix(17)) + "…" : label
            svg += "<g><title>\(htmlEscape(label)): training \(train.images) images, \(train.boxes) boxes; test \(test.images) images, \(test.boxes) boxes"
            if !codes.isEmpty { svg += "; " + codes.joined(separator: ", ") }
            svg += "</title>"
            svg += "<text x=\"0\" y=\"\(y + 17)\"\(codes.isEmpty ? "" : " class=\"marked\"")>\(codes.isEmpty ? "" : "✕ ")\(htmlEscape(name))</text>"
            let trainWidth = train.images * barWidth / most, testWidth = test.images * barWidth / most
            svg += "<rect x=\"\(nameWidth)\" y=\"\(y + 3)\" width=\"\(max(trainWidth, train.images > 0 ? 2 : 0))\" height=\"10\" fill=\"#1c64f2\"/>"
            svg += "<rect x=\"\(nameWidth)\" y=\"\(y + 14)\" width=\"\(max(testWidth, test.images > 0 ? 2 : 0))\" height=\"10\" fill=\"#0e9f6e\"/>"
            let note = "\(train.images) / \(test.images) images" + (train.boxes + test.boxes > 0 ? " · \(train.boxes) / \(test.boxes) boxes" : "")
            svg += "<text class=\"figures\" x=\"\(nameWidth + barWidth + 8)\" y=\"\(y + 17)\">\(note)</text></g>"
        }
        svg += "</svg>"
        var html = "<div class=\"legend\"><span><i style=\"border-color:#1c64f2\"></i>training</span><span><i style=\"border-color:#0e9f6e\"></i>test</span>"
        html += "<span>figures: training / test</span><span style=\"color:var(--error)\">✕ named by a finding</span></div>" + svg
        if labels.count > shown.count { html += "<p class=\"more\">\(labels.count - shown.count) more labels are not drawn.</p>" }
        let marked = markedLabels.keys.sorted()
        if !marked.isEmpty {
            html += "<table><tr><th>label</th><th>named by</th></tr>"
            for label in marked {
                html += "<tr><td>\(htmlEscape(label))</td><td>" + markedLabels[label]!.map { "<a href=\"#rule-\($0)\"><code>\($0)</code></a>" }.joined(separator: " ") + "</td></tr>"
            }
            html += "</table>"
        }
        return html
    }

    var datasetFindings: String {
        guard !wholeFindings.isEmpty else { return "" }
        var html = "<section class=\"panel\" id=\"dataset-findings\"><h2>The manifests and datasets as a whole</h2><table><tr><th>dataset</th><th>severity</th><th>code</th><th>what</th></tr>"
        for index in wholeFindings {
            let finding = result.findings[index]
            html += "<tr data-codes=\"\(finding.code)\" data-severity=\"\(finding.severity.rawValue)\" data-dataset=\"\(finding.role.rawValue)\" data-labels=\"\(labelTokens(Self.labelsNamed(by: finding)))\">"
            html += "<td>\(finding.role.rawValue)</td><td><span class=\"sev \(finding.severity.rawValue)\">\(finding.severity.rawValue)</span></td>"
            html += "<td><a href=\"#rule-\(finding.code)\"><code>\(htmlEscape(finding.code))</code></a></td><td>\(htmlEscape(Self.reason(finding)))</td></tr>"
        }
        return html + "</table></section>"
    }

    static func reason(_ finding: Finding) -> String { finding.details["reason"]?.stringValue ?? finding.message }

    func labelTokens(_ names: some Sequence<String>) -> String {
        Set(names.compactMap { labelIndex[$0] }).sorted().map { "l\($0)" }.joined(separator: " ")
    }

    // MARK: Filters

    var filters: String {
        func select(_ name: String, _ title: String, _ options: [(value: String, text: String)]) -> String {
            var html = "<label>\(title) <select name=\"\(name)\"><option value=\"\">all</option>"
            for option in options { html += "<option value=\"\(htmlEscape(option.value))\">\(htmlEscape(option.text))</option>" }
            return html + "</select></label>"
        }
        let severities = Severity.allCases.reversed().filter { s in result.findings.contains { $0.severity == s } }
        let roles = result.stats.map(\.role)
        var html = select("codes", "code", codes.map { ($0, $0) })
        html += select("severity", "severity", severities.map { ($0.rawValue, $0.rawValue) })
        html += select("labels", "label", labels.enumerated().map { ("l\($0.offset)", $0.element) })
        html += select("dataset", "dataset", roles.map { ($0.rawValue, $0.rawValue) })
        let drawn = min(groups.count, HTMLReport.maxCards)
        html += "<span class=\"legend\"><span><b id=\"shown\">\(drawn)</b> of \(drawn) lines shown</span></span>"
        return html
    }

    // MARK: Cards

    func writeCards<Sink: ReportSink>(into out: inout ChunkedText<Sink>, sink: inout Sink) {
        let shown = Array(groups.prefix(HTMLReport.maxCards))
        guard !shown.isEmpty else {
            out.append("<p class=\"empty\">No line has a finding.</p>", to: &sink)
            return
        }
        let lines = readLines(of: shown)
        out.append("<div class=\"cards\">", to: &sink)
        var start = 0
        while start < shown.count {
            let part = shown[start..<min(start + HTMLReport.chunk, shown.count)]
            let paths = part.compactMap { group in group.findings.lazy.compactMap { result.findings[$0].image }.first }
            let pictures = pictures(of: paths)
            for group in part {
                let path = group.findings.lazy.compactMap { result.findings[$0].image }.first
                out.append(card(group, line: lines[group.role]?[group.line], path: path, picture: path.flatMap { pictures[$0] }), to: &sink)
            }
            start += HTMLReport.chunk
        }
        out.append("</div>", to: &sink)
        if groups.count > shown.count {
            out.append("<p class=\"more\">\(groups.count - shown.count) more flagged lines are not drawn here (at most \(HTMLReport.maxCards) are); the JSON report lists every finding.</p>", to: &sink)
        }
    }

    /// The flagged lines of each manifest, read again and interpreted (only those lines).
    private func readLines(of shown: [Group]) -> [DatasetRole: [Int: ManifestLine]] {
        var wanted: [String: (role: DatasetRole, numbers: Set<Int>)] = [:]
        for group in shown { wanted[group.file, default: (group.role, [])].numbers.insert(group.line) }
        var lines: [DatasetRole: [Int: ManifestLine]] = [:]
        for (file, want) in wanted {
            guard let input = result.inputs.first(where: { $0.name == file && $0.role == want.role }) else { continue }
            var found: [Int: ManifestLine] = [:]
            // A folder, or a manifest gone since the check: the cards show the findings alone.
            _ = ManifestReader(path: input.path).forEachLine { number, line in
                guard want.numbers.contains(number), case .bytes(let bytes) = line else { return }
                found[number] = LineInterpreter.interpret(bytes, number: number)
            }
            lines[want.role] = found
        }
        return lines
    }

    /// Pictures of the images at `paths`, made on every thread.
    func pictures(of paths: [String]) -> [String: Picture] {
        let distinct = Array(Set(paths)).sorted()
        let maxPixels = result.options.maxPixels
        let probe = ImageProbe(options: ProbeOptions(mode: .header, maxPixels: maxPixels))
        let source = ImageSource(options: result.options)
        let made = Parallel.mapOnThreads(distinct, threads: source.threads(jobs: result.options.jobs)) { path -> Picture in
            let (facts, read) = source.examine(path, probe: probe)
            if facts.integrity == .unreadable {
                return Picture(facts: facts, why: facts.problems.first?.message ?? "the file cannot be read")
            }
            guard let bytes = source.wholeBytes(path, first: read) else {
                return Picture(facts: facts, why: "no picture: the image could not be read again")
            }
            switch Thumbnail.make(bytes, maxPixels: maxPixels) {
            case .success(let thumbnail): return Picture(thumbnail: thumbnail, facts: facts, why: thumbnail.note)
            case .failure(let failure): return Picture(facts: facts, why: "no picture: " + failure.message)
            }
        }
        return Dictionary(uniqueKeysWithValues: zip(distinct, made))
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String((value * 100).rounded() / 100)
    }

    static func dataURL(_ jpeg: [UInt8]) -> String { "data:image/jpeg;base64," + Data(jpeg).base64EncodedString() }

    private struct DrawnBox {
        var id: String
        var attribute: String
        var box: BoundingBox
        var label: String
        var status: String
        var kept: Bool
        var reasons: [String]
    }

    func card(_ group: Group, line: ManifestLine?, path: String?, picture: Picture?) -> String {
        let findings = group.findings.map { result.findings[$0] }
        let lineInvalid = findings.contains { $0.effect == .lineInvalid }
        let lineIgnored = findings.contains { $0.effect == .lineIgnored }
        let invalidAttributes = Set(findings.filter { $0.effect == .attributeInvalid }.compactMap(\.attribute))
        var dropped: Set<String> = []
        var boxReasons: [String: [String]] = [:]
        for finding in findings {
            guard let attribute = finding.attribute, let index = finding.annotationIndex else { continue }
            let key = "\(attribute)\u{0}\(index)"
            if finding.effect == .annotationDropped { dropped.insert(key) }
            boxReasons[key, default: []].append("\(finding.code): \(Self.reason(finding))")
        }

        // Every box of the line, kept or not, and the labels the line gives.
        var boxes: [DrawnBox] = []
        var lineLabels: [String] = []
        var declared: (width: Int, height: Int)?
        for (a, attribute) in (line?.attributes ?? []).enumerated() {
            if let name = attribute.className { lineLabels.append(name) }
            if declared == nil, let w = attribute.declaredWidth, let h = attribute.declaredHeight { declared = (w, h) }
            for box in attribute.boxes {
                let key = "\(attribute.key)\u{0}\(box.index)"
                let label = attribute.labelName(ofClass: box.classID)
                if let label { lineLabels.append(label) }
                let status: String
                if lineInvalid { status = "line invalid" } else if lineIgnored { status = "line ignored" }
                else if invalidAttributes.contains(attribute.key) { status = "attribute invalid" }
                else if dropped.contains(key) { status = "dropped" } else { status = "kept" }
                boxes.append(DrawnBox(id: "b\(a)-\(box.index)", attribute: attribute.key, box: box,
                                      label: label ?? box.classID.map { "class \($0)" } ?? "no class",
                                      status: status, kept: status == "kept", reasons: boxReasons[key] ?? []))
            }
        }
        var seenLabels = Set<String>()
        lineLabels = lineLabels.filter { seenLabels.insert($0).inserted }

        let codes = Array(Set(findings.map(\.code))).sorted()
        let severities = Array(Set(findings.map(\.severity.rawValue))).sorted()
        var html = "<article class=\"card\" id=\"\(group.role.rawValue)-\(group.line)\" data-codes=\"\(codes.joined(separator: " "))\""
        html += " data-severity=\"\(severities.joined(separator: " "))\" data-labels=\"\(labelTokens(lineLabels))\" data-dataset=\"\(group.role.rawValue)\">"
        html += "<figure>" + drawing(boxes: boxes, declared: declared, picture: picture, path: path, line: group.line)
        if let facts = picture?.facts, let width = picture?.thumbnail?.imageWidth ?? facts.width, let height = picture?.thumbnail?.imageHeight ?? facts.height {
            var caption = "\(facts.format?.displayName ?? "image") \(width) × \(height) as stored"
            if let declared, (declared.width, declared.height) != (width, height) { caption += "; image_size says \(declared.width) × \(declared.height)" }
            if let orientation = facts.orientation, orientation.transformsImage {
                caption += "; EXIF orientation \(orientation.rawValue) (\(orientation.description))"
                if orientation.swapsDimensions { caption += ", displayed \(height) × \(width)" }
            }
            html += "<figcaption>\(htmlEscape(caption))</figcaption>"
        }
        if let why = picture?.why { html += "<p class=\"why\">\(htmlEscape(why))</p>" }
        else if picture == nil { html += "<p class=\"why\">\(path == nil ? "No image was read for this line." : "No picture.")</p>" }
        html += "</figure><div>"
        html += "<h3><span class=\"chip\">\(group.role.rawValue)</span><span>line \(group.line)</span>"
        for label in lineLabels { html += "<span class=\"chip\">\(htmlEscape(label))</span>" }
        html += "</h3><div class=\"where mono\">\(htmlEscape(group.file))"
        if let reference = findings.lazy.compactMap(\.sourceRef).first { html += "<br>\(htmlEscape(reference))" }
        if let path { html += "<br>→ \(htmlEscape(path))" }
        html += "</div><ul class=\"findings\">"
        for finding in findings {
            let place = [finding.attribute, finding.annotationIndex.map { "box \($0 + 1)" }].compactMap { $0 }.joined(separator: " ")
            html += "<li><span class=\"sev \(finding.severity.rawValue)\">\(finding.severity.rawValue)</span> "
            html += "<a href=\"#rule-\(finding.code)\"><code>\(htmlEscape(finding.code))</code></a> "
            if !place.isEmpty { html += "<span class=\"place\">[\(htmlEscape(place))]</span> " }
            html += htmlEscape(Self.reason(finding)) + "</li>"
        }
        html += "</ul></div>"
        if !boxes.isEmpty {
            html += "<table class=\"boxes\"><tr><th>attribute</th><th class=\"num\">box</th><th>label</th><th class=\"num\">left</th><th class=\"num\">top</th><th class=\"num\">width</th><th class=\"num\">height</th><th>status</th></tr>"
            for drawn in boxes {
                html += "<tr data-box=\"\(drawn.id)\"\(drawn.kept ? "" : " class=\"dropped\"")><td>\(htmlEscape(drawn.attribute))</td><td class=\"num\">\(drawn.box.index + 1)</td><td>\(htmlEscape(drawn.label))</td>"
                for value in [drawn.box.left, drawn.box.top, drawn.box.width, drawn.box.height] { html += "<td class=\"num\">\(Self.number(value))</td>" }
                html += "<td>\(drawn.status)</td></tr>"
            }
            html += "</table>"
        }
        return html + "</article>\n"
    }

    /// The picture in the stored frame (what the service reads boxes against), every box
    /// where it falls, and the canvas grown so that what lies outside the image shows.
    private func drawing(boxes: [DrawnBox], declared: (width: Int, height: Int)?, picture: Picture?, path: String?, line: Int) -> String {
        let stored: (width: Int, height: Int)? = picture?.thumbnail.map { ($0.imageWidth, $0.imageHeight) }
            ?? picture?.facts.flatMap { facts in facts.width.flatMap { w in facts.height.map { (w, $0) } } }
        let orientation = picture?.facts?.orientation
        let frame = stored ?? declared
        // Values no image has (infinite, or past a billion pixels) are listed in the table, not drawn.
        let drawable = boxes.filter { [$0.box.left, $0.box.top, $0.box.width, $0.box.height].allSatisfy { $0.isFinite && abs($0) < 1e9 } }
        guard frame != nil || !drawable.isEmpty else { return "" }
        let width = Double(frame?.width ?? 0), height = Double(frame?.height ?? 0)
        var minX = 0.0, minY = 0.0, maxX = width, maxY = height
        for drawn in drawable {
            let b = drawn.box
            minX = min(minX, b.left, b.left + b.width); maxX = max(maxX, b.left, b.left + b.width)
            minY = min(minY, b.top, b.top + b.height); maxY = max(maxY, b.top, b.top + b.height)
        }
        if let declared { maxX = max(maxX, Double(declared.width)); maxY = max(maxY, Double(declared.height)) }
        if let stored, orientation?.swapsDimensions == true { maxX = max(maxX, Double(stored.height)); maxY = max(maxY, Double(stored.width)) }
        // Boxes far off the image would shrink it to a dot: the canvas reaches at most one
        // image size past each edge.
        if width > 0 && height > 0 {
            minX = max(minX, -width); minY = max(minY, -height)
            maxX = min(maxX, 2 * width); maxY = min(maxY, 2 * height)
        }
        let span = max(maxX - minX, maxY - minY, 1)
        let pad = span * 0.03
        let view = [minX - pad, minY - pad, maxX - minX + 2 * pad, maxY - minY + 2 * pad].map(Self.number).joined(separator: " ")
        var svg = "<svg class=\"pic\" viewBox=\"\(view)\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"line \(line) with \(boxes.count) boxes\">"
        if let frame {
            let size = "width=\"\(frame.width)\" height=\"\(frame.height)\""
            if let thumbnail = picture?.thumbnail {
                svg += "<image href=\"\(Self.dataURL(thumbnail.jpeg))\" x=\"0\" y=\"0\" \(size) preserveAspectRatio=\"none\"/>"
            } else {
                svg += "<rect class=\"nopic\" x=\"0\" y=\"0\" \(size)/>"
            }
            let what = stored != nil ? "image as stored (the frame the service reads)" : "image_size as declared (no image decoded)"
            svg += "<rect class=\"frame\(stored == nil ? " declared" : "")\" x=\"0\" y=\"0\" \(size)><title>\(what): \(frame.width) × \(frame.height)</title></rect>"
        }
        if let declared, let stored, (declared.width, declared.height) != (stored.width, stored.height) {
            svg += "<rect class=\"frame declared\" x=\"0\" y=\"0\" width=\"\(declared.width)\" height=\"\(declared.height)\"><title>image_size declared: \(declared.width) × \(declared.height)</title></rect>"
        }
        if let stored, let orientation, orientation.swapsDimensions {
            svg += "<rect class=\"frame displayed\" x=\"0\" y=\"0\" width=\"\(stored.height)\" height=\"\(stored.width)\"><title>as displayed, EXIF orientation \(orientation.rawValue) (\(htmlEscape(orientation.description))): \(stored.height) × \(stored.width)</title></rect>"
        }
        for drawn in drawable {
            let b = drawn.box
            let x = min(b.left, b.left + b.width), y = min(b.top, b.top + b.height)
            var tip = "\(drawn.attribute) box \(b.index + 1) · \(drawn.label) · left \(Self.number(b.left)), top \(Self.number(b.top)), width \(Self.number(b.width)), height \(Self.number(b.height)) · \(drawn.status)"
            for reason in drawn.reasons { tip += "\n" + reason }
            svg += "<rect class=\"box \(drawn.kept ? "kept" : "dropped")\" data-box=\"\(drawn.id)\" x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(abs(b.width)))\" height=\"\(Self.number(abs(b.height)))\"><title>\(htmlEscape(tip))</title></rect>"
        }
        return svg + "</svg>"
    }

    // MARK: Same images

    private struct Pair {
        var finding: Finding
        var otherRole: DatasetRole
        var otherLine: Int?
        var otherPath: String
        var path: String
    }

    func writePairs<Sink: ReportSink>(into out: inout ChunkedText<Sink>, sink: inout Sink) {
        var pairs: [Pair] = []
        var total = 0
        for finding in result.findings {
            let other: (role: DatasetRole, line: String, path: String)
            switch finding.code {
            case DuplicateImage.definition.code: other = (finding.role, "first_line", "first_image")
            case TrainTestOverlap.definition.code: other = (.training, "training_line", "training_image")
            case NearDuplicateImage.definition.code: other = (finding.role, "first_line", "first_image")
            case TrainTestNearDuplicate.definition.code: other = (.training, "training_line", "training_image")
            default: continue
            }
            // The same file named twice needs no second look; different files with the same bytes do.
            guard let path = finding.image, let otherPath = finding.details[other.path]?.stringValue, otherPath != path else { continue }
            total += 1
            guard pairs.count < HTMLReport.maxPairs else { continue }
            let line = finding.details[other.line]?.numberValue.flatMap { Int($0.description) }
            pairs.append(Pair(finding: finding, otherRole: other.role, otherLine: line, otherPath: otherPath, path: path))
        }
        guard !pairs.isEmpty else { return }
        out.append("<section class=\"panel\" id=\"same-images\"><h2>The same picture twice</h2><p class=\"cap\">Images with the same bytes, and near-duplicates: the same picture resized, re-encoded, brightened or cropped a little. Each pair shows the earlier line first.</p><div class=\"pairs\">", to: &sink)
        var start = 0
        while start < pairs.count {
            let part = pairs[start..<min(start + HTMLReport.chunk, pairs.count)]
            let pictures = pictures(of: part.flatMap { [$0.otherPath, $0.path] })
            for pair in part {
                let f = pair.finding
                var html = "<div class=\"pair\" data-codes=\"\(f.code)\" data-severity=\"\(f.severity.rawValue)\" data-dataset=\"\(f.role.rawValue)\" data-labels=\"\">"
                html += "<h3><span class=\"sev \(f.severity.rawValue)\">\(f.severity.rawValue)</span> <a href=\"#rule-\(f.code)\"><code>\(f.code)</code></a></h3><div class=\"two\">"
                let sides = [(pair.otherRole, pair.otherLine, pair.otherPath), (f.role, f.line, pair.path)]
                for (role, line, path) in sides {
                    html += "<figure>"
                    if let thumbnail = pictures[path]?.thumbnail {
                        html += "<img alt=\"\(role.rawValue) line \(line.map(String.init) ?? "?")\" src=\"\(Self.dataURL(thumbnail.jpeg))\">"
                    } else {
                        html += "<p class=\"why\">\(htmlEscape(pictures[path]?.why ?? "no picture"))</p>"
                    }
                    html += "<div class=\"cap\">\(role.rawValue) line \(line.map(String.init) ?? "?")<br><span class=\"mono\">\(htmlEscape(path))</span></div></figure>"
                }
                out.append(html + "</div><p class=\"cap\">\(htmlEscape(Self.reason(f)))</p></div>\n", to: &sink)
            }
            start += HTMLReport.chunk
        }
        out.append("</div>", to: &sink)
        if total > pairs.count { out.append("<p class=\"more\">\(total - pairs.count) more pairs are not shown.</p>", to: &sink) }
        out.append("</section>", to: &sink)
    }

    // MARK: Rules

    var rules: String {
        var html = ""
        for code in codes {
            guard let rule = RuleCatalogue.definition(code: code) else { continue }
            html += "<section id=\"rule-\(rule.code)\"><h3><code>\(htmlEscape(rule.code))</code> \(htmlEscape(rule.title))</h3>"
            html += "<pre>\(htmlEscape(RuleDocs.text(rule)))</pre></section>"
        }
        return html.isEmpty ? "<p class=\"empty\">None.</p>" : html
    }
}
