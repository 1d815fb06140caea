import PreflightJSON

/// Lines that name an image an earlier line names too: by the same `source-ref` (seen in
/// the manifests' text, with or without images), or by images with the same bytes.
public struct ContentGroups: Sendable {
    public enum Sameness: Sendable {
        /// The two lines' `source-ref`s are the same.
        case sourceRef
        /// The two lines name one file.
        case file
        /// Two files with identical bytes (found by content hash, compared byte for byte).
        case bytes
    }

    public struct Duplicate: Sendable {
        public var role: DatasetRole
        public var firstRole: DatasetRole
        public var sameness: Sameness
        // Line numbers fit 32 bits (the service reads at most 250,000 lines): a smaller entry,
        // of which a large dataset holds hundreds of thousands.
        private var storedLine: Int32
        private var storedFirstLine: Int32
        /// The line's `source-ref` (nil past the findings cap, where it is never listed).
        public var sourceRef: String?
        /// The local image, when images are read.
        public var path: String?
        public var firstPath: String?

        public var line: Int { Int(storedLine) }
        public var firstLine: Int { Int(storedFirstLine) }

        public init(role: DatasetRole, line: Int, sourceRef: String?, path: String?, firstRole: DatasetRole,
                    firstLine: Int, firstPath: String?, sameness: Sameness) {
            self.role = role
            self.firstRole = firstRole
            self.sameness = sameness
            storedLine = Int32(clamping: line)
            storedFirstLine = Int32(clamping: firstLine)
            self.sourceRef = sourceRef
            self.path = path
            self.firstPath = firstPath
        }

        /// "the same source-ref as training line 7", "same bytes as the image of line 3".
        public var reason: String {
            let first = (role == firstRole ? "" : "\(firstRole.rawValue) ") + "line \(firstLine)"
            switch sameness {
            case .sourceRef: return "the same source-ref as \(first)"
            case .file: return "the same image file as \(first)"
            case .bytes: return "same bytes as the image of \(first)"
            }
        }
    }

    /// Each line naming an image an earlier line names, with that earlier line; in line order per role.
    public var duplicates: [Duplicate] = []
    /// Each line whose image is nearly the same picture as an earlier line's, in line order per role.
    public var nearDuplicates: [NearDuplicates.Match] = []
    public init() {}
}

/// The working state of one manifest's dataset-level rules.
public final class DatasetCheck {
    public let stats: DatasetStats
    /// The training manifest's figures, when this is the test manifest.
    public let training: DatasetStats?
    /// True when the project has a test manifest (so no auto-split).
    public let hasTestManifest: Bool
    public let options: CheckOptions
    public let contentGroups: ContentGroups
    public private(set) var findings: [Finding] = []
    /// Line findings past `room`, counted by code but not kept (memory stays bounded).
    public private(set) var omitted: [String: Int] = [:]
    private let room: Int

    public init(stats: DatasetStats, training: DatasetStats?, hasTestManifest: Bool,
                options: CheckOptions, contentGroups: ContentGroups, room: Int = .max) {
        self.room = room
        self.stats = stats
        self.training = training
        self.hasTestManifest = hasTestManifest
        self.options = options
        self.contentGroups = contentGroups
    }

    /// Records a finding. `details` is only evaluated for a finding that is kept.
    public func report(_ rule: RuleDefinition, message: String? = nil, line: Int? = nil, sourceRef: String? = nil,
                       image: String? = nil, details: @autoclosure () -> JSONObject = JSONObject()) {
        guard !options.ignored.contains(rule.code) else { return }
        // Findings about the whole dataset are few and always kept; those on lines (one per
        // duplicate image, say) count against the room left.
        guard line == nil || findings.count < room else {
            omitted[rule.code, default: 0] += 1
            return
        }
        findings.append(Finding(rule: rule, message: message, file: stats.file, role: stats.role,
                                line: line, sourceRef: sourceRef, image: image, details: details()))
    }
}

/// A rule judged on a whole manifest (or, for project rules, on training and test together).
public protocol DatasetRule: Sendable {
    static var definition: RuleDefinition { get }
    static func check(_ dataset: DatasetCheck)
}

/// A rule judged on the manifest file before any line is read. A finding here is terminal:
/// the service reports nothing else.
public protocol ManifestFileRule: Sendable {
    static var definition: RuleDefinition { get }
    /// Returns the finding's message, or nil when the file passes.
    static func check(path: String, size: Int) -> String?
}
