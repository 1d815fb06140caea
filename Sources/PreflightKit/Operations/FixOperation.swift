import PreflightJSON

/// Writes the manifest the service would actually use: the whole check runs on the input,
/// and every effect its findings describe is applied. Lines the service leaves out
/// (invalid or ignored) are dropped, so are invalid label attributes (with their metadata)
/// and invalid boxes (with their `objects` confidence entries); `image_size` is set to the
/// decoded size. With `clipBoxes`, a box off the decoded image is cut to the image instead
/// of dropped, and the result is checked again, so a box that is then too small still goes.
/// The input is never changed; the output is written atomically.
public struct FixOperation {
    public var input: String
    public var output: String
    /// Cut boxes off the decoded image to the image instead of dropping them.
    public var clipBoxes = false
    /// How to check: where the images are (--root, --map), mode, jobs, cache.
    public var options: CheckOptions

    public init(input: String, output: String, clipBoxes: Bool = false, options: CheckOptions = CheckOptions()) {
        self.input = input
        self.output = output
        self.clipBoxes = clipBoxes
        self.options = options
    }

    /// One change to one line, in the words of the change log.
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable { case lineDropped, attributeDropped, boxDropped, boxClipped, imageSizeSet }
        public var line: Int
        public var kind: Kind
        public var text: String
        public var description: String { "line \(line): \(text)" }
    }

    public struct Outcome: Sendable {
        public var linesIn = 0
        public var linesOut = 0
        /// In line order.
        public var changes: [Change] = []
        /// Errors a fix cannot remove (dataset-level conditions, errors that leave a line in
        /// place): they need a decision of yours.
        public var remaining: [Finding] = []
        public var log: [LogLine] = []

        public func count(_ kind: Change.Kind) -> Int { changes.filter { $0.kind == kind }.count }
    }

    public func run() throws(OperationError) -> Outcome {
        try OperationFiles.refuseOverwriting([input], with: [output])
        var outcome = Outcome()
        let first = try check(input)
        let geometry = Geometry(first, clipping: clipBoxes)

        var source = input
        var final = first
        var sizes = geometry.sizes
        var scratch: ScratchFolder?
        if !geometry.clips.isEmpty {
            // Clip and resize first, then judge the clipped boxes again.
            let folder = try ScratchFolder()
            scratch = folder
            source = folder.path + "/clipped.manifest"
            let edits = Edits(sizes: geometry.sizes, clips: geometry.clips)
            outcome.linesIn = try copy(input, to: source) { line, number, sink in
                edits.apply(to: line, number: number, into: &sink, changes: &outcome.changes)
            }
            final = try check(source)
            sizes = [:]
        }
        let edits = Edits(result: final, sizes: sizes, tooLongLines: geometry.tooLongLines)
        var written = 0
        let lines = try copy(source, to: output) { line, number, sink in
            if edits.apply(to: line, number: number, into: &sink, changes: &outcome.changes) { written += 1 }
        }
        withExtendedLifetime(scratch) {}
        if outcome.linesIn == 0 { outcome.linesIn = lines }
        outcome.linesOut = written
        outcome.changes = outcome.changes.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)

        let dropped = Set(outcome.changes.filter { $0.kind == .lineDropped }.map(\.line))
        outcome.remaining = final.findings.filter { finding in
            finding.severity == .error && !Edits.appliedEffects.contains(finding.effect)
                && finding.code != TooManyInvalidRows.definition.code
                && !(finding.line.map(dropped.contains) ?? false)
        }
        outcome.log = log(outcome, imagesRead: !final.findings.contains { $0.code == ImagesNotChecked.definition.code })
        return outcome
    }

    /// Streams `from` through `body` into `to`, written atomically; returns the number of lines read.
    private func copy(_ from: String, to: String,
                      _ body: (ManifestReader.Line, Int, inout AtomicFile.Sink) -> Void) throws(OperationError) -> Int {
        var count = 0
        var failure: OperationError?
        try OperationFiles.write(to) { sink in
            do throws(OperationError) {
                count = try OperationFiles.forEachLine(of: from) { number, line in body(line, number, &sink) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return count
    }

    private func check(_ path: String) throws(OperationError) -> CheckResult {
        var options = options
        options.maxStoredFindings = .max   // every finding is an edit to make
        let result = CheckEngine(options: options).run([ManifestInput(path: path, role: .training)])
        if let stop = result.findings.first(where: { $0.scope == .manifestFile }) {
            throw OperationError("\(input): \(stop.details["reason"]?.stringValue ?? stop.message)")
        }
        return result
    }

    private func log(_ outcome: Outcome, imagesRead: Bool) -> [LogLine] {
        var log = outcome.changes.map { LogLine($0.description) }
        var summary = "\(input): \(outcome.linesIn) line\(outcome.linesIn == 1 ? "" : "s"); wrote \(outcome.linesOut) to \(output)"
        let counts = [(Change.Kind.lineDropped, "line dropped", "lines dropped"), (.attributeDropped, "attribute dropped", "attributes dropped"),
                      (.boxDropped, "box dropped", "boxes dropped"), (.boxClipped, "box clipped", "boxes clipped"),
                      (.imageSizeSet, "image_size set", "image_size values set")]
            .compactMap { kind, one, many in outcome.count(kind) == 0 ? nil : "\(outcome.count(kind)) \(outcome.count(kind) == 1 ? one : many)" }
        summary += counts.isEmpty ? "; nothing to change" : " (" + counts.joined(separator: ", ") + ")"
        log.append(LogLine(summary))
        if !imagesRead {
            log.append(LogLine("no --root or --map: images were not read, so only the manifest's own errors were fixed"))
        }
        for finding in outcome.remaining {
            let place = finding.line.map { "line \($0)" } ?? "dataset"
            let reason = finding.details["reason"]?.stringValue.map { " (\($0))" } ?? ""
            log.append(LogLine("not fixed, \(place): \(finding.code) \(finding.message)\(reason)", problem: true))
        }
        return log
    }
}

/// Box and size corrections learnt from a check.
private struct Geometry {
    /// line -> attribute -> the decoded (width, height), where `image_size` differs from it.
    var sizes: [Int: [String: (width: Int, height: Int)]] = [:]
    /// line -> attribute -> box index -> the decoded frame, for boxes off the image.
    var clips: [Int: [String: [Int: (width: Int, height: Int)]]] = [:]
    /// Lines over the reader's length limit (they are dropped; their text cannot be copied).
    var tooLongLines: [Int: String] = [:]

    init(_ result: CheckResult, clipping: Bool) {
        for finding in result.findings {
            guard let line = finding.line else { continue }
            if finding.code == ImageSizeMismatch.definition.code, let attribute = finding.attribute,
               let width = finding.details["decoded_width"]?.numberValue?.int64, let height = finding.details["decoded_height"]?.numberValue?.int64 {
                sizes[line, default: [:]][attribute] = (Int(width), Int(height))
            }
            if clipping, finding.code == InvalidBoundingBox.definition.code, finding.details["frame"]?.stringValue == "decoded",
               let attribute = finding.attribute, let index = finding.annotationIndex,
               let width = finding.details["image_width"]?.numberValue?.int64, let height = finding.details["image_height"]?.numberValue?.int64 {
                clips[line, default: [:]][attribute, default: [:]][index] = (Int(width), Int(height))
            }
            if finding.code == InvalidJSONLine.definition.code, let reason = finding.details["reason"]?.stringValue, reason.contains("-byte limit") {
                tooLongLines[line] = reason
            }
        }
    }
}

/// What to do to each line, and doing it.
private struct Edits {
    /// The effects a fix applies; findings with other effects stay.
    static let appliedEffects: Set<Effect> = [.lineInvalid, .lineIgnored, .attributeInvalid, .annotationDropped]

    var dropLine: [Int: Finding] = [:]
    var dropAttribute: [Int: [String: Finding]] = [:]
    var dropBox: [Int: [String: [Int: Finding]]] = [:]
    var sizes: [Int: [String: (width: Int, height: Int)]] = [:]
    var clips: [Int: [String: [Int: (width: Int, height: Int)]]] = [:]
    var tooLongLines: [Int: String] = [:]

    init(sizes: [Int: [String: (width: Int, height: Int)]], clips: [Int: [String: [Int: (width: Int, height: Int)]]]) {
        self.sizes = sizes
        self.clips = clips
    }

    init(result: CheckResult, sizes: [Int: [String: (width: Int, height: Int)]], tooLongLines: [Int: String]) {
        self.sizes = sizes
        self.tooLongLines = tooLongLines
        for finding in result.findings {
            guard let line = finding.line, finding.scope != .dataset, finding.scope != .project else { continue }
            switch finding.effect {
            case .lineInvalid, .lineIgnored:
                if dropLine[line] == nil { dropLine[line] = finding }
            case .attributeInvalid:
                if let attribute = finding.attribute, dropAttribute[line]?[attribute] == nil {
                    dropAttribute[line, default: [:]][attribute] = finding
                }
            case .annotationDropped:
                if let attribute = finding.attribute, let index = finding.annotationIndex, dropBox[line]?[attribute]?[index] == nil {
                    dropBox[line, default: [:]][attribute, default: [:]][index] = finding
                }
            default:
                break
            }
        }
    }

    private static func why(_ finding: Finding) -> String {
        finding.code + (finding.details["reason"]?.stringValue.map { ": \($0)" } ?? ": \(finding.message)")
    }

    /// Writes the line as changed (or as it was); returns false when it is dropped.
    @discardableResult
    func apply(to line: ManifestReader.Line, number: Int, into sink: inout AtomicFile.Sink, changes: inout [FixOperation.Change]) -> Bool {
        if let finding = dropLine[number] {
            let reason = tooLongLines[number].map { "\(finding.code): \($0)" } ?? Self.why(finding)
            changes.append(.init(line: number, kind: .lineDropped, text: "dropped (\(reason))"))
            return false
        }
        let edited = dropAttribute[number] != nil || dropBox[number] != nil || sizes[number] != nil || clips[number] != nil
        guard edited, var object = OperationFiles.object(line) else {
            // Copied as written; a line too long to hold is replaced by an empty (invalid) line.
            sink.writeLine(OperationFiles.text(line) ?? "")
            return true
        }
        for (attribute, finding) in (dropAttribute[number] ?? [:]).sorted(by: { $0.key < $1.key }) {
            object[attribute] = nil
            object[attribute + "-metadata"] = nil
            changes.append(.init(line: number, kind: .attributeDropped, text: "[\(attribute)] attribute dropped (\(Self.why(finding)))"))
        }
        for (attribute, frames) in (clips[number] ?? [:]).sorted(by: { $0.key < $1.key }) where object[attribute] != nil {
            for (index, frame) in frames.sorted(by: { $0.key < $1.key }) {
                if let text = clip(&object, attribute: attribute, index: index, frame: frame) {
                    changes.append(.init(line: number, kind: .boxClipped, text: "[\(attribute)] box \(index) clipped to the \(frame.width) x \(frame.height) image: \(text)"))
                }
            }
        }
        for (attribute, boxes) in (dropBox[number] ?? [:]).sorted(by: { $0.key < $1.key }) where object[attribute] != nil {
            let indices = boxes.keys.sorted(by: >)
            remove(indices, from: &object, attribute: attribute)
            for index in indices.reversed() {
                changes.append(.init(line: number, kind: .boxDropped, text: "[\(attribute)] box \(index) dropped with its confidence (\(Self.why(boxes[index]!)))"))
            }
        }
        for (attribute, size) in (sizes[number] ?? [:]).sorted(by: { $0.key < $1.key }) where object[attribute] != nil {
            if let old = setSize(&object, attribute: attribute, size: size) {
                changes.append(.init(line: number, kind: .imageSizeSet, text: "[\(attribute)] image_size \(old) → \(size.width) x \(size.height), the decoded size"))
            }
        }
        sink.writeLine(object)
        return true
    }

    /// Removes boxes `indices` (descending) from the annotations and the matching `objects` entries.
    private func remove(_ indices: [Int], from object: inout JSONObject, attribute: String) {
        if case .object(var body)? = object[attribute], case .array(var boxes)? = body["annotations"] {
            for index in indices where boxes.indices.contains(index) { boxes.remove(at: index) }
            body["annotations"] = .array(boxes)
            object[attribute] = .object(body)
        }
        let metadataKey = attribute + "-metadata"
        if case .object(var metadata)? = object[metadataKey], case .array(var entries)? = metadata["objects"] {
            for index in indices where entries.indices.contains(index) { entries.remove(at: index) }
            metadata["objects"] = .array(entries)
            object[metadataKey] = .object(metadata)
        }
    }

    /// Cuts box `index` to the frame; returns the new box in words, or nil when nothing of it is on the image.
    private func clip(_ object: inout JSONObject, attribute: String, index: Int, frame: (width: Int, height: Int)) -> String? {
        guard case .object(var body)? = object[attribute], case .array(var boxes)? = body["annotations"],
              boxes.indices.contains(index), case .object(var box) = boxes[index],
              let left = box["left"]?.numberValue?.double, let top = box["top"]?.numberValue?.double,
              let width = box["width"]?.numberValue?.double, let height = box["height"]?.numberValue?.double,
              width >= 0, height >= 0 else { return nil }
        let (frameWidth, frameHeight) = (Double(frame.width), Double(frame.height))
        let newLeft = max(0, left), newTop = max(0, top)
        var newWidth = min(frameWidth, left + width) - newLeft
        var newHeight = min(frameHeight, top + height) - newTop
        guard newWidth > 0, newHeight > 0 else { return nil }
        while newLeft + newWidth > frameWidth { newWidth = newWidth.nextDown }
        while newTop + newHeight > frameHeight { newHeight = newHeight.nextDown }
        box["left"] = .number(JSONNumber(newLeft))
        box["top"] = .number(JSONNumber(newTop))
        box["width"] = .number(JSONNumber(newWidth))
        box["height"] = .number(JSONNumber(newHeight))
        boxes[index] = .object(box)
        body["annotations"] = .array(boxes)
        object[attribute] = .object(body)
        return "left \(format(newLeft)), top \(format(newTop)), width \(format(newWidth)), height \(format(newHeight))"
    }

    /// Sets `image_size` to the decoded size; returns the old size in words.
    private func setSize(_ object: inout JSONObject, attribute: String, size: (width: Int, height: Int)) -> String? {
        guard case .object(var body)? = object[attribute], case .array(var sizes)? = body["image_size"],
              let first = sizes.first, case .object(var entry) = first else { return nil }
        let old = "\(entry["width"].map(\.description) ?? "?") x \(entry["height"].map(\.description) ?? "?")"
        entry["width"] = .number(JSONNumber(size.width))
        entry["height"] = .number(JSONNumber(size.height))
        sizes[0] = .object(entry)
        body["image_size"] = .array(sizes)
        object[attribute] = .object(body)
        return old
    }
}
