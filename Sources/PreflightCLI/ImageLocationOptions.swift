import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightKit

/// Where the images are and how to examine them: the options every command that reads
/// images shares.
struct ImageLocationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read every source-ref s3://BUCKET/KEY from DIR/KEY.", valueName: "DIR"))
    var root: String?

    @Option(name: .customLong("map"),
            help: ArgumentHelp("Read s3://BUCKET[/PREFIX]/REST from DIR/REST (repeatable; the longest prefix wins).",
                               valueName: "s3://BUCKET[/PREFIX]=DIR"))
    var maps: [String] = []

    @Flag(name: .customLong("images-from-s3"),
          help: "Read the images from S3 itself, by their source-ref (the default for a manifest in S3 without --map or --root).")
    var imagesFromS3 = false

    @Option(name: .customLong("s3-requests"), help: "Requests to S3 in flight at once.")
    var s3Requests = 32

    // No default in the declaration: the parser would print this machine's core count as
    // a second "(default: ...)" after the help's own.
    @Option(help: "Images examined at once (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .customLong("no-cache"), help: "Examine every image again instead of reusing facts from earlier runs.")
    var noCache = false

    func validate() throws {
        for map in maps {
            guard let mapping = SourceRefResolver.parseMapping(map) else {
                throw ValidationError("--map \(map): expected s3://BUCKET[/PREFIX]=DIR")
            }
            try Self.requireFolder(mapping.directory, option: "--map \(map)")
        }
        if let root { try Self.requireFolder(root, option: "--root \(root)") }
        if imagesFromS3 && root != nil {
            throw ValidationError("--images-from-s3 and --root: --root maps every image to a folder, so none would be read from S3")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if s3Requests < 1 || s3Requests > 256 { throw ValidationError("--s3-requests must be from 1 to 256") }
    }

    /// A folder that does not exist is a mistake in the command, not a dataset whose every
    /// image is missing: it is refused before anything is read.
    static func requireFolder(_ path: String, option: String) throws {
        guard FolderWalker.isFolder(path) else {
            let what = access(path, F_OK) == 0 ? "is not a folder" : "does not exist"
            throw ValidationError("\(option): the folder \(path) \(what); name the folder that holds the images")
        }
    }

    /// The options of a run that reads images. Call once per run. With `s3`, images no --map
    /// or --root covers are read from S3 when `--images-from-s3` says so or `manifestInS3`.
    /// `ignored` comes before the cache is opened: it decides whether pixels are measured, and
    /// so which cache file holds the run's facts.
    func checkOptions(mode: ProbeMode, maxPixels: UInt64 = ProbeOptions.defaultMaxPixels, s3: S3Access? = nil,
                      manifestInS3: Bool = false, ignored: Set<String> = []) -> CheckOptions {
        var options = CheckOptions()
        options.mode = mode
        options.ignored = ignored
        options.maxPixels = maxPixels
        options.jobs = jobs ?? ProcessInfoCores.count
        let readsS3 = s3 != nil && (imagesFromS3 || (manifestInS3 && maps.isEmpty && root == nil))
        options.resolver = SourceRefResolver(mappings: maps.compactMap(SourceRefResolver.parseMapping), root: root, readsStore: readsS3)
        options.store = s3?.store
        options.storeJobs = s3Requests
        // A cache folder that cannot be used is said once; the run goes on without it.
        switch noCache ? nil : ResultCache.defaultLocation() {
        case .success(let directory)?: options.cache = ResultCache(directory: directory, options: options.probeOptions)
        case .failure(let problem)?: printToStandardError("preflight: \(problem.description)")
        case nil: break
        }
        return options
    }
}
