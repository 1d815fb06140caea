/// How serious a finding is.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info
    case warning
    case error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Where in the dataset a finding sits, following the service's own scopes.
public enum Scope: String, Sendable, Codable, CaseIterable {
    /// The manifest file as a whole (missing, empty, too large).
    case manifestFile = "manifest_file"
    /// One JSON line.
    case line
    /// One label attribute of a line (the value of key `K`).
    case labelAttribute = "label_attribute"
    /// The `K-metadata` object of a label attribute.
    case metadata
    /// One bounding box (annotation) of a detection attribute.
    case annotation
    /// The dataset the manifest describes (label counts, buckets, invalid-line share).
    case dataset
    /// Training and test datasets together.
    case project
    /// One file or folder of a folder dataset (`preflight check DIR`).
    case folderEntry = "folder_entry"
}

/// What the service does about a finding.
public enum Effect: String, Sendable, Codable {
    /// Training cannot start.
    case stopsTraining = "stops_training"
    /// The line is invalid and is left out; it counts toward the invalid-line limit.
    case lineInvalid = "line_invalid"
    /// The line is valid but not used; it does not count toward the invalid-line limit.
    case lineIgnored = "line_ignored"
    /// The label attribute is left out; the line stays if another attribute is valid.
    case attributeInvalid = "attribute_invalid"
    /// The one bounding box is left out.
    case annotationDropped = "annotation_dropped"
    /// Nothing is left out; the finding is advice.
    case none
}

/// Who reports the condition: the service itself, or only Preflight.
public enum RuleOrigin: String, Sendable, Codable {
    /// Amazon Rekognition Custom Labels reports this code.
    case service
    /// The service does not report it; Preflight does, because it costs users training runs.
    case preflight
}

/// A manifest (and the images it names) that a rule's example runs against.
public struct RuleExample: Sendable {
    /// One line of the example's explanation.
    public var title: String
    /// True when the rule must fire on this example, false when it must not.
    public var triggers: Bool
    /// The training manifest's lines, as written.
    public var training: [String]
    /// The test manifest's lines, when the example needs one.
    public var test: [String]?
    /// Local files the example's `source-ref`s name, by key under `s3://example-bucket/`.
    public var images: [String: ExampleImage]
    /// Where the rule must fire, when it triggers: the line (1-based; nil for dataset-level)...
    public var line: Int?
    /// ...and the annotation index, for box rules.
    public var annotation: Int?
    /// Which manifest the finding is on, when it triggers.
    public var inTest: Bool
    /// Checks switched on for the example (header or full decoding).
    public var fullDecode: Bool
    /// The training manifest's file name (its extension matters to the service).
    public var trainingFileName = "train.manifest"
    /// How the training manifest's text is saved.
    public var trainingEncoding = ExampleEncoding.utf8
    /// When set, the training manifest is extended (sparsely) to this many bytes.
    public var trainingFileSize: Int?
    /// False for examples run with no --root or --map at all.
    public var mapsImages = true
    /// The AWS region the example is checked for.
    public var region: String?
    /// `--max-pixels` for the example, when not the default.
    public var maxPixels: UInt64?
    /// When set, the example is a folder dataset: this tree (paths relative to the folder)
    /// is checked as `preflight check DIR` checks it, instead of `training`.
    public var folder: [String: ExampleImage]?
    /// For folder examples: the `--location` inside the folder.
    public var location: String?
    /// For folder examples: the file or folder (relative to the folder) the finding must name.
    public var entry: String?
    /// The images are read as objects from a store (a bucket folder served as S3 would
    /// serve it), not through `--map`.
    public var readsStore = false
    /// `--threshold NAME=VALUE` settings.
    public var thresholds: [String] = []

    public init(_ title: String, triggers: Bool, training: [String], test: [String]? = nil,
                images: [String: ExampleImage] = [:], line: Int? = nil, annotation: Int? = nil,
                inTest: Bool = false, fullDecode: Bool = true) {
        self.title = title
        self.triggers = triggers
        self.training = training
        self.test = test
        self.images = images
        self.line = line
        self.annotation = annotation
        self.inTest = inTest
        self.fullDecode = fullDecode
    }
}

/// Variations on an example, so that an example is one expression in its rule's list.
extension RuleExample {
    /// The training manifest saved under another file name.
    public func manifestNamed(_ name: String) -> RuleExample { with { $0.trainingFileName = name } }
    /// The training manifest saved in another encoding.
    public func manifestEncoded(_ encoding: ExampleEncoding) -> RuleExample { with { $0.trainingEncoding = encoding } }
    /// The training manifest extended (sparsely) to `size` bytes.
    public func manifestSized(_ size: Int) -> RuleExample { with { $0.trainingFileSize = size } }
    /// Run with no `--map` or `--root`.
    public func withoutImageMaps() -> RuleExample { with { $0.mapsImages = false } }
    /// Run with `--region`.
    public func inRegion(_ region: String) -> RuleExample { with { $0.region = region } }
    /// Run with `--max-pixels`.
    public func withMaxPixels(_ pixels: UInt64) -> RuleExample { with { $0.maxPixels = pixels } }
    /// Run in header mode.
    public func headersOnly() -> RuleExample { with { $0.fullDecode = false } }
    /// Run with the images read as objects from a store, by their own `s3://` names.
    public func readFromStore() -> RuleExample { with { $0.readsStore = true } }
    /// Run with `--threshold SETTING` (NAME=VALUE).
    public func withThreshold(_ setting: String) -> RuleExample { with { $0.thresholds.append(setting) } }

    private func with(_ change: (inout RuleExample) -> Void) -> RuleExample {
        var copy = self
        change(&copy)
        return copy
    }
}

/// How an example's manifest text is written to its file.
public enum ExampleEncoding: Sendable, Equatable {
    case utf8
    case utf16LittleEndian(byteOrderMark: Bool)
    case utf16BigEndian(byteOrderMark: Bool)

    /// The bytes of `text` in this encoding.
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(text.utf8)
        case .utf16LittleEndian(let mark), .utf16BigEndian(let mark):
            let bigEndian = if case .utf16BigEndian = self { true } else { false }
            var bytes: [UInt8] = []
            for unit in (mark ? [0xFEFF] : []) + Array(text.utf16) {
                let high = UInt8(unit >> 8), low = UInt8(unit & 0xFF)
                bytes += bigEndian ? [high, low] : [low, high]
            }
            return bytes
        }
    }
}

/// An image file an example needs, made from the committed fixtures.
public enum ExampleImage: Sendable, Equatable {
    /// A copy of `Fixtures/images/NAME`.
    case fixture(String)
    /// A copy of `Fixtures/images/NAME` with bytes appended until the file has `size` bytes.
    case padded(String, size: Int)
    /// A copy of `Fixtures/images/NAME` holding `tag` in a comment (a JPEG COM segment after the
    /// start marker, or a PNG tEXt chunk after IHDR): still valid, same pixels, different bytes.
    case tagged(String, tag: Int)
    /// A file holding this text (not an image).
    case text(String)
    /// A symbolic link to this target (relative to the link's folder, or absolute).
    case symlink(String)
    /// A copy of `Fixtures/images/NAME` that grants nobody read permission: read from a
    /// store (`readFromStore()`), an object access to which is denied.
    case denied(String)
}

/// Everything there is to know about one check: the single source for the engine's
/// findings, `preflight rules`, the documentation and the generated tests.
public struct RuleDefinition: Sendable {
    public var code: String
    public var severity: Severity
    public var scope: Scope
    public var effect: Effect
    public var origin: RuleOrigin
    /// A short name: "Bounding box off the image".
    public var title: String
    /// The message a finding carries (for service codes, the service's own words).
    public var message: String
    /// Why it matters and exactly when it fires.
    public var explanation: String
    /// What to do about it.
    public var fix: String
    public var examples: [RuleExample]

    public init(code: String, severity: Severity, scope: Scope, effect: Effect, origin: RuleOrigin,
                title: String, message: String, explanation: String, fix: String, examples: [RuleExample]) {
        self.code = code
        self.severity = severity
        self.scope = scope
        self.effect = effect
        self.origin = origin
        self.title = title
        self.message = message
        self.explanation = explanation
        self.fix = fix
        self.examples = examples
    }
}
