import ImageEngine
import PreflightJSON

/// Writes the manifest the service would actually use: the whole check runs on the input,
/// and every effect its findings describe is applied. Lines the service leaves out
/// (invalid or ignored) are dropped, so are invalid label attributes (with their metadata)
/// and invalid boxes (with their `objects` confidence entries), and lines with an error no
/// edit removes (an image that was never read). Where `image_size` differs from the decoded
/// image by one scale factor, the boxes are scaled by it; on an image an EXIF orientation
/// turns, boxes drawn on the displayed picture are moved to the stored pixels (once
/// `boxesDrawnOn` says which frame they were drawn on); `image_size` is set to the decoded
/// size. A line whose boxes no edit can place (the sides changed by different factors, the
/// boxes fit neither frame, the EXIF frame not stated) is left as it was and reported. With
/// `clipBoxes`, a box off the decoded image is cut to the image instead of dropped. Moved and
/// cut boxes are checked again, so a box that is then off the image or too small still goes.
/// The input is never changed; the output is written atomically.
public struct FixOperation {
    public var input: String
    public var output: String
    /// Cut boxes off the decoded image to the image instead of dropping them.
    public var clipBoxes = false
    /// The frame boxes on EXIF-turned images were drawn on; nil when not stated (such lines are not fixed).
    public var boxesDrawnOn: BoxFrame?
    /// How to check: where the images are (--root, --map), mode, jobs, cache.
    public var options: CheckOptions
    /// The input as messages name it, when that is not its path (a copy of a manifest in S3).
    public var inputName: String?

    /// The two frames of an image an EXIF orientation turns.
    public enum BoxFrame: String, Sendable, CaseIterable {
        /// The picture as viewers and labelling tools show it, turned by the orientation.
        case displayed
        /// The stored pixel grid, which the service reads and boxes are judged against.
        case stored
    }

    public init(input: String, output: String, clipBoxes: Bool = false, boxesDrawnOn: BoxFrame? = nil,
                options: CheckOptions = CheckOptions()) {
        self.input = input
        self.output = output
        self.clipBoxes = clipBoxes
        self.boxesDrawnOn = boxesDrawnOn
        self.options = options
    }

    /// One change to one line, in the words of the change log.
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case lineDropped, attributeDropped, boxDropped, boxClipped, imageSizeSet, boxesScaled, boxesMoved
        }
        public var line: Int
        public var kind: Kind
        public var text: String
        /// How many things the change covers (boxes, for boxesScaled and boxesMoved).
        public var count = 1
        public var description: String { "line \(line): \(text)" }
    }

    /// A line left as it was because no edit can place its boxes, and why.
    public struct NotFixed: Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    public struct Outcome: Sendable {
        public var linesIn = 0
        public var linesOut = 0
        /// In line order.
        public var changes: [Change] = []
        /// Lines copied unchanged because fixing them needs a decision or new labels, in line order.
        public var notFixed: [NotFixed] = []
        /// Errors a fix cannot remove (dataset-level conditions, errors that leave a line in
        /// place): they need a decision of yours.
        public var remaining: [Finding] = []
        public var log: [LogLine] = []

        public func count(_ kind: Change.Kind) -> Int { changes.filter { $0.kind == kind }.reduce(0) { $0 + $1.count } }
    }

    public func run() throws(OperationError) -> Outcome {
        try OperationFiles.refuseOverwriting([input], with: [output])
        var outcome = Outcome()
        let first = try check(input)
        let geometry = Geometry(first, clipping: clipBoxes)
        let plans = try plan(geometry)
        let keep = Set(plans.notFixed.keys)
        // Boxes about to move are clipped only where they land; lines left as they were, never.
        let clips = geometry.clips.filter { plans.transforms[$0.key] == nil && !keep.contains($0.key) }

        var source = input
        var final = first
        var sizes = plans.sizes
        var scratch: ScratchFolder?
        if !clips.isEmpty || !plans.transforms.isEmpty {
            // Move, clip and resize first, then judge the boxes again where they now are.
            let folder = try ScratchFolder()
            scratch = folder
            source = folder.path + "/moved.manifest"
            let edits = Edits(sizes: plans.sizes, clips: clips, transforms: plans.transforms, keep: keep)
            outcome.linesIn = try copy(input, to: source) { line, number, sink in
                edits.apply(to: line, number: number, into: &sink, changes: &outcome.changes)
            }
            final = try check(source)
            sizes = [:]
            let moved = clipBoxes ? Geometry(final, clipping: true).clips.filter { plans.transforms[$0.key] != nil } : [:]
            if !moved.isEmpty {
                // Moved boxes still off the stored image are cut to it, and judged once more.
                let clipped = folder.path + "/clipped.manifest"
                let edits = Edits(sizes: [:], clips: moved, transforms: [:], keep: keep)
                _ = try copy(source, to: clipped) { line, number, sink in
                    edits.apply(to: line, number: number, into: &sink, changes: &outcome.changes)
                }
                source = clipped
                final = try check(source)
            }
        }
        let edits = Edits(result: final, sizes: sizes, tooLongLines: geometry.tooLongLines, keep: keep)
        var written = 0
        let lines = try copy(source, to: output) { line, number, sink in
            if edits.apply(to: line, number: number, into: &sink, changes: &outcome.changes) { written += 1 }
        }
        withExtendedLifetime(scratch) {}
        if outcome.linesIn == 0 { outcome.linesIn = lines }
        outcome.linesOut = written
        outcome.changes = outcome.changes.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        outcome.notFixed = plans.notFixed.sorted { $0.key < $1.key }.map { NotFixed(line: $0.key, reason: $0.value) }

        let dropped = Set(outcome.changes.filter { $0.kind == .lineDropped }.map(\.line))
        outcome.remaining = final.findings.filter { finding in
            finding.severity == .error && !Edits.appliedEffects.contains(finding.effect)
                && finding.code != TooManyInvalidRows.definition.code
                && !(finding.line.map { dropped.contains($0) || keep.contains($0) } ?? false)
        }
        outcome.log = log(outcome, imagesRead: !final.findings.contains { $0.code == ImagesNotChecked.definition.code })
        return outcome
    }

    /// Decides, for each line whose image_size or EXIF orientation moves its boxes, how to move
    /// them or why they cannot be moved. Reads the input once, only when some line needs it.
    private func plan(_ geometry: Geometry) throws(OperationError) -> Plans {
        var plans = Plans(sizes: geometry.sizes)
        guard !geometry.frames.isEmpty else { return plans }
        try OperationFiles.forEachLine(of: input) { number, line in
            guard let frame = geometry.frames[number], !geometry.droppedLines.contains(number),
                  case .bytes(let bytes) = line else { return }
            let parsed = LineInterpreter.interpret(bytes, number: number)
            switch frame.plan(for: parsed, skipping: geometry.invalidAttributes[number] ?? [], drawnOn: boxesDrawnOn) {
            case .nothing:
                break
            case .notFixed(let reason):
                plans.notFixed[number] = reason
                plans.sizes[number] = nil
            case .move(let transforms):
                plans.transforms[number] = transforms
                for attribute in transforms.keys { plans.sizes[number]?[attribute] = nil }
            }
        }
        return plans
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
            throw OperationError("\(inputName ?? input): \(stop.details["reason"]?.stringValue ?? stop.message)")
        }
        return result
    }

    private func log(_ outcome: Outcome, imagesRead: Bool) -> [LogLine] {
        var log = outcome.changes.map { LogLine($0.description) }
        var summary = "\(inputName ?? input): \(outcome.linesIn) line\(outcome.linesIn == 1 ? "" : "s"); wrote \(outcome.linesOut) to \(output)"
        let counts = [(Change.Kind.lineDropped, "line dropped", "lines dropped"), (.attributeDropped, "attribute dropped", "attributes dropped"),
                      (.boxDropped, "box dropped", "boxes dropped"), (.boxesScaled, "box scaled", "boxes scaled"),
                      (.boxesMoved, "box moved to the stored frame", "boxes moved to the stored frame"),
                      (.boxClipped, "box clipped", "boxes clipped"), (.imageSizeSet, "image_size set", "image_size values set")]
            .compactMap { kind, one, many in outcome.count(kind) == 0 ? nil : "\(outcome.count(kind)) \(outcome.count(kind) == 1 ? one : many)" }
        var parts = counts
        if !outcome.notFixed.isEmpty {
            parts.append("\(outcome.notFixed.count) line\(outcome.notFixed.count == 1 ? "" : "s") not fixed")
        }
        summary += parts.isEmpty ? "; nothing to change" : " (" + parts.joined(separator: ", ") + ")"
        log.append(LogLine(summary))
        if !imagesRead {
            log.append(LogLine("no --root or --map: images were not read, so only the manifest's own errors were fixed"))
        }
        for entry in outcome.notFixed {
            log.append(LogLine("not fixed, line \(entry.line) (written as it was): \(entry.reason)", problem: true))
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
    /// line -> its image's frames, where `image_size` differs from the image or an EXIF orientation turns it.
    var frames: [Int: FixOperation.ImageFrames] = [:]
    /// Lines the fix drops wherever their boxes are.
    var droppedLines: Set<Int> = []
    /// line -> attributes the fix drops wherever their boxes are.
    var invalidAttributes: [Int: Set<String>] = [:]

    init(_ result: CheckResult, clipping: Bool) {
        for finding in result.findings {
            guard let line = finding.line else { continue }
            if finding.code == ImageSizeMismatch.definition.code, let attribute = finding.attribute,
               let width = finding.details["decoded_width"]?.numberValue?.int64, let height = finding.details["decoded_height"]?.numberValue?.int64 {
                sizes[line, default: [:]][attribute] = (Int(width), Int(height))
                if frames[line] == nil {
                    let decoded = FixOperation.FrameSize(width: Int(width), height: Int(height))
                    frames[line] = FixOperation.ImageFrames(stored: decoded, displayed: decoded)
                }
            }
            if finding.code == EXIFOrientationTransform.definition.code,
               let value = finding.details["orientation"]?.numberValue?.int64, let orientation = EXIFOrientation(rawValue: Int(value)),
               let storedWidth = finding.details["stored_width"]?.numberValue?.int64, let storedHeight = finding.details["stored_height"]?.numberValue?.int64,
               let shownWidth = finding.details["displayed_width"]?.numberValue?.int64, let shownHeight = finding.details["displayed_height"]?.numberValue?.int64 {
                frames[line] = FixOperation.ImageFrames(
                    stored: FixOperation.FrameSize(width: Int(storedWidth), height: Int(storedHeight)),
                    displayed: FixOperation.FrameSize(width: Int(shownWidth), height: Int(shownHeight)), orientation: orientation,
                    boxesFitStored: finding.details["boxes_fit_stored"]?.boolValue, boxesFitDisplayed: finding.details["boxes_fit_displayed"]?.boolValue)
            }
            if clipping, finding.code == InvalidBoundingBox.definition.code, finding.details["frame"]?.stringValue == "decoded",
               let attribute = finding.attribute, let index = finding.annotationIndex,
               let width = finding.details["image_width"]?.numberValue?.int64, let height = finding.details["image_height"]?.numberValue?.int64 {
                clips[line, default: [:]][attribute, default: [:]][index] = (Int(width), Int(height))
            }
            if finding.code == InvalidJSONLine.definition.code, let reason = finding.details["reason"]?.stringValue, reason.contains("-byte limit") {
                tooLongLines[line] = reason
            }
            // A line or attribute left with no valid box may be valid once its boxes are moved,
            // so only what the boxes' place cannot change counts here.
            if Edits.dropsLine(finding), finding.code != NoValidLabelAttributes.definition.code { droppedLines.insert(line) }
            if finding.effect == .attributeInvalid, finding.code != NoValidAnnotations.definition.code, let attribute = finding.attribute {
                invalidAttributes[line, default: []].insert(attribute)
            }
        }
    }
}

/// The edits planned before any line is written.
private struct Plans {
    var sizes: [Int: [String: (width: Int, height: Int)]]
    /// line -> attribute -> how its boxes move.
    var transforms: [Int: [String: FixOperation.BoxTransform]] = [:]
    /// line -> why it is left as it was.
    var notFixed: [Int: String] = [:]
}

extension FixOperation {
    struct FrameSize: Equatable, CustomStringConvertible {
        var width: Int
        var height: Int
        var description: String { "\(width) x \(height)" }
    }

    /// The frames of one image: the stored pixels the service reads, and the picture as viewers
    /// show it (the same unless an EXIF orientation turns it).
    struct ImageFrames {
        var stored: FrameSize
        var displayed: FrameSize
        var orientation: EXIFOrientation = .normal
        var boxesFitStored: Bool?
        var boxesFitDisplayed: Bool?

        enum Plan: Equatable {
            case nothing
            case notFixed(String)
            case move([String: BoxTransform])
        }

        /// How the boxes of each detection attribute of `line` move into the stored frame, or why they cannot.
        func plan(for line: ManifestLine, skipping: Set<String>, drawnOn choice: FixOperation.BoxFrame?) -> Plan {
            let attributes = line.attributes.filter { attribute in
                attribute.kind == .detection && !skipping.contains(attribute.key) && !attribute.boxes.isEmpty
                    && attribute.declaredWidth != nil && attribute.declaredHeight != nil
            }
            guard !attributes.isEmpty else { return .nothing }
            let turned = orientation.transformsImage
            if turned && choice == nil { return .notFixed(undecided) }
            let onDisplayed = turned && choice == .displayed
            let drawn = onDisplayed ? displayed : stored
            let frameName = onDisplayed ? "picture as displayed" : "decoded image"
            var transforms: [String: BoxTransform] = [:]
            for attribute in attributes {
                let declared = FrameSize(width: attribute.declaredWidth!, height: attribute.declaredHeight!)
                var scaleX = 1.0, scaleY = 1.0
                // On a turned image, image_size naming either frame tells nothing of a resize.
                if declared != drawn && !(turned && (declared == stored || declared == displayed)) {
                    scaleX = Double(drawn.width) / Double(declared.width)
                    scaleY = Double(drawn.height) / Double(declared.height)
                    let said = "[\(attribute.key)] image_size says \(declared), the \(frameName) is \(drawn)"
                    guard Self.oneFactor(scaleX, scaleY) else {
                        return .notFixed("\(said): the sides changed by different factors (\(format(scaleX)) and \(format(scaleY))), "
                            + "so the image was cropped or distorted after labelling and no scaling puts the boxes back; redraw them on the image as it is")
                    }
                    if !Self.fit(attribute.boxes, declared) {
                        guard Self.fit(attribute.boxes, drawn) else {
                            return .notFixed("\(said), and the boxes fit neither, so what they were drawn on cannot be told; redraw them on the image as it is")
                        }
                        // The boxes are on the image as it is already: only image_size is stale.
                        scaleX = 1
                        scaleY = 1
                    }
                }
                guard scaleX != 1 || scaleY != 1 || onDisplayed else { continue }
                transforms[attribute.key] = BoxTransform(scaleX: scaleX, scaleY: scaleY, orientation: onDisplayed ? orientation : .normal,
                                                         declared: declared, drawn: drawn, stored: stored, boxes: attribute.boxes.count)
            }
            return transforms.isEmpty ? .nothing : .move(transforms)
        }

        private var undecided: String {
            var text = "EXIF orientation \(orientation.rawValue) (viewers show the image \(orientation.description)): the boxes may have been "
                + "drawn on the \(displayed) picture as displayed or on the stored \(stored) pixels the service reads"
            switch (boxesFitStored, boxesFitDisplayed) {
            case (true?, false?): text += "; they fit the stored pixels only"
            case (false?, true?): text += "; they fit the displayed picture only"
            case (true?, true?): text += "; they fit both"
            case (false?, false?): text += "; they fit neither"
            default: break
            }
            return text + "; say which with --boxes-drawn-on displayed or --boxes-drawn-on stored"
        }

        /// Width and height changed by one factor, within the tolerance PREFLIGHT_IMAGE_SIZE_MISMATCH uses.
        static func oneFactor(_ scaleX: Double, _ scaleY: Double) -> Bool {
            abs(scaleX - scaleY) <= 0.01 * max(scaleX, scaleY)
        }

        static func fit(_ boxes: [BoundingBox], _ frame: FrameSize) -> Bool {
            boxes.allSatisfy { $0.left >= 0 && $0.top >= 0 && $0.right <= Double(frame.width) && $0.bottom <= Double(frame.height) }
        }
    }

    /// Moves boxes from the frame they were drawn on to the stored pixels: scaled from the
    /// declared size to the drawn frame, then turned back by the EXIF orientation.
    struct BoxTransform: Equatable {
        var scaleX: Double
        var scaleY: Double
        /// The orientation that turns the stored pixels into the drawn frame (normal: no turn).
        var orientation: EXIFOrientation
        var declared: FrameSize
        var drawn: FrameSize
        var stored: FrameSize
        var boxes: Int

        /// The box in stored pixels. Edges, not sizes, are rounded to whole pixels, as Ground
        /// Truth writes boxes: a box inside the frame stays inside. Nil for a box with a negative
        /// size, which no move makes valid (it stays, and is dropped as invalid).
        func apply(left: Double, top: Double, width: Double, height: Double) -> (left: Double, top: Double, width: Double, height: Double)? {
            guard width >= 0, height >= 0 else { return nil }
            let a = orientation.storedPoint(x: left * scaleX, y: top * scaleY, stored: stored)
            let b = orientation.storedPoint(x: (left + width) * scaleX, y: (top + height) * scaleY, stored: stored)
            let x0 = min(a.x, b.x).rounded(), x1 = max(a.x, b.x).rounded()
            let y0 = min(a.y, b.y).rounded(), y1 = max(a.y, b.y).rounded()
            return (x0, y0, x1 - x0, y1 - y0)
        }

        /// The change log's words, after "N boxes of ATTRIBUTE".
        var text: String {
            var parts: [String] = []
            if scaleX != 1 || scaleY != 1 {
                let factor = format(scaleX) == format(scaleY) ? format(scaleX) : "\(format(scaleX)) across and \(format(scaleY)) down"
                parts.append("scaled by \(factor) to the \(orientation == .normal ? "decoded" : "displayed") \(drawn)")
            }
            if orientation != .normal {
                parts.append("moved from the \(drawn) picture as displayed (EXIF orientation \(orientation.rawValue): \(orientation.description)) "
                    + "to the stored \(stored) pixels the service reads")
            }
            return parts.joined(separator: " and ") + (declared != stored ? "; image_size set" : "")
        }
    }
}

extension EXIFOrientation {
    /// The stored-pixel point that a viewer shows at (x, y) of the displayed picture, for an
    /// image whose stored pixels are `stored`. Coordinates are pixel edges, so a box maps by its corners.
    func storedPoint(x: Double, y: Double, stored: FixOperation.FrameSize) -> (x: Double, y: Double) {
        let width = Double(stored.width), height = Double(stored.height)
        switch self {
        case .normal: return (x, y)
        case .mirrorHorizontal: return (width - x, y)
        case .rotate180: return (width - x, height - y)
        case .mirrorVertical: return (x, height - y)
        case .transpose: return (y, x)
        case .rotate90CW: return (y, height - x)
        case .transverse: return (width - y, height - x)
        case .rotate270CW: return (width - y, x)
        }
    }
}

/// What to do to each line, and doing it.
private struct Edits {
    /// The effects a fix applies; findings with other effects stay.
    static let appliedEffects: Set<Effect> = [.lineInvalid, .lineIgnored, .attributeInvalid, .annotationDropped]

    /// True when the finding drops its whole line: the service leaves the line out, or the
    /// line carries an error no edit removes (an image never read, too many labels).
    static func dropsLine(_ finding: Finding) -> Bool {
        guard finding.line != nil, finding.scope != .dataset, finding.scope != .project else { return false }
        return finding.effect == .lineInvalid || finding.effect == .lineIgnored || (finding.severity == .error && finding.effect == .none)
    }

    var dropLine: [Int: Finding] = [:]
    var dropAttribute: [Int: [String: Finding]] = [:]
    var dropBox: [Int: [String: [Int: Finding]]] = [:]
    var sizes: [Int: [String: (width: Int, height: Int)]] = [:]
    var clips: [Int: [String: [Int: (width: Int, height: Int)]]] = [:]
    var transforms: [Int: [String: FixOperation.BoxTransform]] = [:]
    var tooLongLines: [Int: String] = [:]
    /// Lines copied as they were.
    var keep: Set<Int> = []

    init(sizes: [Int: [String: (width: Int, height: Int)]], clips: [Int: [String: [Int: (width: Int, height: Int)]]],
         transforms: [Int: [String: FixOperation.BoxTransform]], keep: Set<Int>) {
        self.sizes = sizes
        self.clips = clips
        self.transforms = transforms
        self.keep = keep
    }

    init(result: CheckResult, sizes: [Int: [String: (width: Int, height: Int)]], tooLongLines: [Int: String], keep: Set<Int>) {
        self.sizes = sizes
        self.tooLongLines = tooLongLines
        self.keep = keep
        for finding in result.findings {
            guard let line = finding.line, finding.scope != .dataset, finding.scope != .project else { continue }
            if Self.dropsLine(finding) {
                if dropLine[line] == nil { dropLine[line] = finding }
                continue
            }
            switch finding.effect {
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

    /// Why a line is dropped, in the change log's words.
    private func dropReason(_ finding: Finding, line: Int) -> String {
        if let reason = tooLongLines[line] { return "dropped (\(finding.code): \(reason))" }
        if finding.code == SourceRefEscapesRoot.definition.code {
            return "dropped (\(Self.why(finding))): its image was never read, so nothing vouches for the line"
        }
        if finding.effect == .none { return "dropped (\(Self.why(finding))): no edit of the line removes this error" }
        return "dropped (\(Self.why(finding)))"
    }

    /// Writes the line as changed (or as it was); returns false when it is dropped.
    @discardableResult
    func apply(to line: ManifestReader.Line, number: Int, into sink: inout AtomicFile.Sink, changes: inout [FixOperation.Change]) -> Bool {
        if let finding = dropLine[number], !keep.contains(number) {
            changes.append(.init(line: number, kind: .lineDropped, text: dropReason(finding, line: number)))
            return false
        }
        let edited = !keep.contains(number)
            && (dropAttribute[number] != nil || dropBox[number] != nil || sizes[number] != nil || clips[number] != nil || transforms[number] != nil)
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
        for (attribute, transform) in (transforms[number] ?? [:]).sorted(by: { $0.key < $1.key }) where object[attribute] != nil {
            move(&object, attribute: attribute, transform: transform)
            changes.append(.init(line: number, kind: transform.orientation == .normal ? .boxesScaled : .boxesMoved,
                                 text: "\(transform.boxes) box\(transform.boxes == 1 ? "" : "es") of \(attribute) \(transform.text)",
                                 count: transform.boxes))
        }
        for (attribute, frames) in (clips[number] ?? [:]).sorted(by: { $0.key < $1.key }) where object[attribute] != nil {
            for (index, frame) in frames.sorted(by: { $0.key < $1.key }) {
                if let text = clip(&object, attribute: attribute, index: index, frame: frame) {
                    changes.append(.init(line: number, kind: .boxClipped, text: "[\(attribute)] box \(index + 1) clipped to the \(frame.width) x \(frame.height) image: \(text)"))
                }
            }
        }
        for (attribute, boxes) in (dropBox[number] ?? [:]).sorted(by: { $0.key < $1.key }) where object[attribute] != nil {
            let indices = boxes.keys.sorted(by: >)
            remove(indices, from: &object, attribute: attribute)
            for index in indices.reversed() {
                changes.append(.init(line: number, kind: .boxDropped, text: "[\(attribute)] box \(index + 1) dropped with its confidence (\(Self.why(boxes[index]!)))"))
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

    /// Moves every box of the attribute into the stored frame and sets image_size to it.
    private func move(_ object: inout JSONObject, attribute: String, transform: FixOperation.BoxTransform) {
        guard case .object(var body)? = object[attribute] else { return }
        if case .array(var boxes)? = body["annotations"] {
            for index in boxes.indices {
                guard case .object(var box) = boxes[index],
                      let left = box["left"]?.numberValue?.double, let top = box["top"]?.numberValue?.double,
                      let width = box["width"]?.numberValue?.double, let height = box["height"]?.numberValue?.double,
                      let moved = transform.apply(left: left, top: top, width: width, height: height) else { continue }
                box["left"] = .number(Self.number(moved.left))
                box["top"] = .number(Self.number(moved.top))
                box["width"] = .number(Self.number(moved.width))
                box["height"] = .number(Self.number(moved.height))
                boxes[index] = .object(box)
            }
            body["annotations"] = .array(boxes)
        }
        object[attribute] = .object(body)
        setSize(&object, attribute: attribute, size: (transform.stored.width, transform.stored.height))
    }

    /// A whole number as an integer (as Ground Truth writes boxes), anything else as it is.
    private static func number(_ value: Double) -> JSONNumber {
        abs(value) < 1e15 && value == value.rounded() ? JSONNumber(Int(value)) : JSONNumber(value)
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
    @discardableResult
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
