import PreflightJSON

/// Lines whose images have the same bytes, found by content hash.
public struct ContentGroups: Sendable {
    /// For each (role, line) whose image shares its bytes with an earlier line: that earlier line.
    public var duplicates: [(role: DatasetRole, line: Int, path: String, firstRole: DatasetRole, firstLine: Int, firstPath: String)] = []
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
    public func report(_ rule: RuleDefinition, message: String? = nil, line: Int? = nil, image: String? = nil,
                       details: @autoclosure () -> JSONObject = JSONObject()) {
        guard !options.ignored.contains(rule.code) else { return }
        // Findings about the whole dataset are few and always kept; those on lines (one per
        // duplicate image, say) count against the room left.
        guard line == nil || findings.count < room else {
            omitted[rule.code, default: 0] += 1
            return
        }
        findings.append(Finding(rule: rule, message: message, file: stats.file, role: stats.role,
                                line: line, image: image, details: details()))
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
