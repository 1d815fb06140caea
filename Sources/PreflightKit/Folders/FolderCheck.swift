/// Checks a folder dataset exactly as the service would import it (label by folder name):
/// walks the folder, builds the classification manifest `preflight manifest from-folder`
/// writes, runs the whole check on it with the folder mapped back in, and adds the folder
/// rules' findings on files and folders that are left out.
///
/// Findings point at the folder: `file` is the folder as given, `image` the image's local
/// path, and `line` the image's line in that manifest (labelled images in path order).
/// Manifests and folders can be mixed: either of training and test may be a folder.
public struct FolderCheck: Sendable {
    /// The bucket the folder's manifest names; it is mapped back to the folder.
    public static let bucket = "preflight-local-folder"

    public let options: CheckOptions

    public init(options: CheckOptions) { self.options = options }

    /// Checks `training` and, when given, `test`; each is a manifest or a folder. `location`
    /// (`--location SUBDIR`) labels a training folder by the child folders of SUBDIR.
    public func run(training: String, test: String? = nil, location: String? = nil) throws(FolderError) -> CheckResult {
        var sources = [ManifestInput(path: training, role: .training)]
        if let test { sources.append(ManifestInput(path: test, role: .testing)) }
        return try run(sources, location: location)
    }

    /// As `run(training:test:location:)`, for inputs already located (a manifest read from a
    /// store is a local copy with the name the user gave).
    public func run(_ sources: [ManifestInput], location: String? = nil) throws(FolderError) -> CheckResult {
        let training = sources[0].name
        let isFolder = sources.map { FolderWalker.isFolder($0.path) || FolderWalker.isStoreFolder($0.path) }
        if location != nil && !isFolder[0] {
            throw FolderError("--location applies to a folder dataset; \(training) is not a folder")
        }
        guard isFolder.contains(true) else { return CheckEngine(options: options).run(sources) }

        let scratch: ScratchFolder
        do { scratch = try ScratchFolder() } catch { throw FolderError(error.description) }
        var inputs: [ManifestInput] = []
        var mappings = options.resolver.mappings
        var listings: [(role: DatasetRole, listing: FolderListing)] = []
        var folderOf: [String: String] = [:]   // the folder's manifest in the scratch folder -> the folder
        var readsStore = options.resolver.readsStore
        for (source, folder) in zip(sources, isFolder) {
            guard folder else { inputs.append(source); continue }
            // A folder in S3 is listed there and its images read from there, under their own names.
            let inStore = FolderWalker.isStoreFolder(source.path)
            let listing: FolderListing
            if inStore {
                guard let store = options.store else { throw FolderError("\(source.path): no S3 store to read it from") }
                listing = try FolderWalker.list(source.path, location: source.role == .training ? location : nil, store: store)
                readsStore = true
            } else {
                listing = try FolderWalker.walk(source.path, location: source.role == .training ? location : nil)
            }
            let prefix = inStore ? listing.folder : "s3://\(Self.bucket)/\(source.role.rawValue)"
            let manifest: String
            do {
                manifest = try scratch.write("\(source.role.rawValue).manifest", lines: FolderManifest.lines(for: listing, prefix: prefix + "/"))
            } catch {
                throw FolderError(error.description)
            }
            if !inStore { mappings.append(SourceRefResolver.Mapping(prefix: prefix, directory: source.path)) }
            inputs.append(ManifestInput(path: manifest, role: source.role))
            listings.append((source.role, listing))
            folderOf[manifest] = source.path
        }
        var engineOptions = options
        engineOptions.resolver = SourceRefResolver(mappings: mappings, root: options.resolver.root, readsStore: readsStore)
        var result = withExtendedLifetime(scratch) { CheckEngine(options: engineOptions).run(inputs) }

        // Point everything at the folders, as the user named them.
        result.options = options
        result.inputs = sources
        for index in result.stats.indices {
            guard let folder = folderOf[result.stats[index].file] else { continue }
            result.stats[index].file = folder
            result.stats[index].fileSize = 0
            result.stats[index].buckets = [:]
        }
        result.unreadableManifests = result.unreadableManifests.map { folderOf[$0] ?? $0 }
        let engineFindings = result.findings.map { finding -> Finding in
            guard let folder = folderOf[finding.file] else { return finding }
            var moved = finding
            moved.file = folder
            if moved.sourceRef?.hasPrefix("s3://\(Self.bucket)/") == true { moved.sourceRef = nil }
            if moved.code == EmptyManifest.definition.code {
                moved.details["reason"] = .string("no image lies in a label folder, so the dataset has no line")
            }
            return moved
        }

        // Report order: manifest-file findings; then per dataset its files and folders, its lines, its dataset findings.
        var findings = engineFindings.filter { $0.scope == .manifestFile }
        for role in [DatasetRole.training, .testing] {
            for (listingRole, listing) in listings where listingRole == role {
                let check = FolderEntryCheck(listing: listing, role: role, options: options)
                for rule in RuleCatalogue.folderRules { rule.check(check) }
                findings += check.findings.enumerated().sorted { a, b in
                    let (x, y) = (a.element.image ?? "", b.element.image ?? "")
                    return x == y ? a.offset < b.offset : x.utf8.lexicographicallyPrecedes(y.utf8)
                }.map(\.element)
            }
            findings += engineFindings.filter { $0.role == role && $0.scope != .manifestFile }
        }
        result.findings = findings
        return result
    }
}
