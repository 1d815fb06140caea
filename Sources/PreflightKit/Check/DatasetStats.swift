/// What one manifest adds up to after every line has been checked: the figures the
/// dataset-level rules and the summary need, and nothing per line beyond image identity.
public struct DatasetStats: Sendable {
    public struct LabelCount: Sendable, Equatable {
        public var images = 0
        public var boxes = 0
    }

    public var file: String
    public var role: DatasetRole
    public var fileSize = 0
    public var totalLines = 0
    public var invalidLines = 0
    public var ignoredLines = 0
    /// Lines past the service's 250,000-line limit: counted, not checked.
    public var uncheckedLines = 0
    public var validLines: Int { totalLines - invalidLines - ignoredLines - uncheckedLines }
    /// 1-based numbers of the invalid lines, in order.
    public var invalidLineNumbers: [Int] = []

    /// Usable lines with at least one valid attribute of each kind.
    public var classificationLines = 0
    public var detectionLines = 0
    /// Labels per use case: images (lines) and boxes.
    public var classificationLabels: [String: LabelCount] = [:]
    public var detectionLabels: [String: LabelCount] = [:]
    /// Buckets named by valid `source-ref`s, with the first line naming each.
    public var buckets: [String: Int] = [:]
    /// Detection class ids and every label name given to them, with the first line of each.
    public var classIDNames: [Int: [String: Int]] = [:]
    /// 1-based numbers of the lines with any error of the service's own codes, wherever it
    /// sits on the line (a dropped box included): the service's `error_json_line_indices`.
    public var errorLineNumbers: [Int] = []
    /// Lines whose image was looked for in a mapped folder, and of those, the lines whose
    /// file does not exist there, with the first such line.
    public var linesLookedUp = 0
    public var linesMissingImage = 0
    public var firstMissingImage: (line: Int, sourceRef: String, path: String)?
    /// Distinct `source-ref`s the manifest names (whether or not images are read).
    public var distinctImages = 0

    public init(file: String, role: DatasetRole) {
        self.file = file
        self.role = role
    }

    /// The use case the service would choose: the kind with more usable lines.
    public var useCase: UseCase {
        if classificationLines == 0 && detectionLines == 0 { return .notDetermined }
        return classificationLines > detectionLines ? .imageLevelLabels : .objectLocalization
    }

    /// Labels of the chosen use case.
    public var usableLabels: [String: LabelCount] {
        switch useCase {
        case .imageLevelLabels: classificationLabels
        case .objectLocalization: detectionLabels
        case .notDetermined: [:]
        }
    }

    /// Labels of every use case.
    public var allLabels: Set<String> { Set(classificationLabels.keys).union(detectionLabels.keys) }

    /// Adds one checked line.
    mutating func add(_ check: LineCheck) {
        totalLines += 1
        if check.isInvalid {
            invalidLines += 1
            invalidLineNumbers.append(check.line.number)
        } else if check.isIgnored {
            ignoredLines += 1
        }
        if let uri = check.line.sourceRef.uri, buckets[uri.bucket] == nil {
            buckets[uri.bucket] = check.line.number
        }
        if let path = check.imagePath {
            linesLookedUp += 1
            if check.image?.hasProblem(.fileMissing) == true {
                linesMissingImage += 1
                if firstMissingImage == nil, let reference = check.line.sourceRef.uri?.description {
                    firstMissingImage = (check.line.number, reference, path)
                }
            }
        }
        if check.findings.contains(where: { $0.origin == .service && $0.severity == .error }) {
            errorLineNumbers.append(check.line.number)
        }
        guard check.isUsable else { return }
        var classification = Set<String>()
        var detection: [String: Int] = [:]
        for attribute in check.validAttributes {
            switch attribute.kind {
            case .classification:
                if let name = attribute.className { classification.insert(name) }
            case .detection:
                for box in check.keptBoxes(of: attribute) {
                    if let name = attribute.labelName(ofClass: box.classID) { detection[name, default: 0] += 1 }
                }
                for entry in attribute.classMap {
                    guard let id = Int(entry.id) else { continue }
                    if classIDNames[id]?[entry.name] == nil { classIDNames[id, default: [:]][entry.name] = check.line.number }
                }
            default:
                break
            }
        }
        if !classification.isEmpty { classificationLines += 1 }
        if !detection.isEmpty { detectionLines += 1 }
        for name in classification { classificationLabels[name, default: LabelCount()].images += 1 }
        for (name, boxes) in detection {
            detectionLabels[name, default: LabelCount()].images += 1
            detectionLabels[name, default: LabelCount()].boxes += boxes
        }
    }
}
