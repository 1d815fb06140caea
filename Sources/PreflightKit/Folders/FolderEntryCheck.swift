import PreflightJSON

/// The working state of the folder rules over one walked folder: rules read the listing
/// and report findings on its files and folders.
public final class FolderEntryCheck {
    public let listing: FolderListing
    /// The folder as given on the command line: the `file` of every finding.
    public let file: String
    public let role: DatasetRole
    public let options: CheckOptions
    public private(set) var findings: [Finding] = []

    public init(listing: FolderListing, role: DatasetRole, options: CheckOptions) {
        self.listing = listing
        self.file = listing.folder
        self.role = role
        self.options = options
    }

    /// Records a finding for `rule` on the file or folder at `path`, unless the rule is switched off.
    public func report(_ rule: RuleDefinition, path: String, message: String? = nil, details: JSONObject = JSONObject()) {
        guard !options.ignored.contains(rule.code) else { return }
        findings.append(Finding(rule: rule, message: message, file: file, role: role, image: path, details: details))
    }

    /// The entries left out of the dataset for one kind of reason.
    public func skipped(where matches: (FolderListing.Skip) -> Bool) -> [FolderListing.Skipped] {
        listing.skipped.filter { matches($0.skip) }
    }
}

/// A rule judged on the files and folders of a folder dataset (`preflight check DIR`).
public protocol FolderRule: Sendable {
    static var definition: RuleDefinition { get }
    static func check(_ folder: FolderEntryCheck)
}
