import PreflightStore

/// The classification manifest the service would create for a folder dataset uploaded
/// under `s3URI`: the folder's labelled images in path order, labelled by folder name.
/// `preflight check` on it with `--map s3URI=FOLDER` sees exactly what `preflight check FOLDER` sees.
public struct FromFolderOperation {
    public var folder: String
    /// `s3://BUCKET[/PREFIX]`: where the folder is (or will be) uploaded.
    public var s3URI: String
    /// `--location SUBDIR`: label by the child folders of SUBDIR instead.
    public var location: String?
    /// Where a folder in S3 (`s3://BUCKET/PREFIX/`) is listed; nil for a local folder.
    public var store: (any ObjectStore)?

    public init(folder: String, s3URI: String, location: String? = nil, store: (any ObjectStore)? = nil) {
        self.folder = folder
        self.s3URI = s3URI
        self.location = location
        self.store = store
    }

    public struct Outcome: Sendable {
        public var listing: FolderListing
        /// The manifest's lines, without line ends.
        public var lines: [String]
        public var log: [LogLine]
    }

    public func run() throws(OperationError) -> Outcome {
        guard let prefix = FolderManifest.prefix(s3URI) else {
            throw OperationError("--s3-uri \(s3URI): expected s3://BUCKET[/PREFIX]")
        }
        let listing: FolderListing
        do {
            // A folder in S3 is known from its listing alone (and the first bytes of what is not named as an image).
            if let store, FolderWalker.isStoreFolder(folder) {
                listing = try FolderWalker.list(folder, location: location, store: store)
            } else {
                listing = try FolderWalker.walk(folder, location: location)
            }
        } catch {
            throw OperationError(error.description)
        }
        let lines = FolderManifest.lines(for: listing, prefix: prefix)

        var log: [LogLine] = []
        let counts = listing.labelCounts.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        if lines.isEmpty {
            log.append(LogLine("no image lies in a label folder of \(listing.locationPath): the manifest is empty", problem: true))
        } else {
            log.append(LogLine("\(lines.count) image\(lines.count == 1 ? "" : "s") in \(counts.count) label\(counts.count == 1 ? "" : "s"): "
                + counts.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")))
        }
        let unlabelled = listing.images.count - lines.count
        if unlabelled > 0 {
            log.append(LogLine("\(unlabelled) image\(unlabelled == 1 ? "" : "s") directly in \(listing.locationPath) \(unlabelled == 1 ? "has" : "have") no label and \(unlabelled == 1 ? "is" : "are") left out"))
        }
        if !listing.skipped.isEmpty {
            log.append(LogLine("\(listing.skipped.count) other file\(listing.skipped.count == 1 ? "" : "s") or folder\(listing.skipped.count == 1 ? "" : "s") left out; `preflight check \(folder)\(location.map { " --location \($0)" } ?? "")` says why"))
        }
        return Outcome(listing: listing, lines: lines, log: log)
    }
}
