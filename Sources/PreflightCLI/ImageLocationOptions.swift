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
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    /// A folder that does not exist is a mistake in the command, not a dataset whose every
    /// image is missing: it is refused before anything is read.
    static func requireFolder(_ path: String, option: String) throws {
        guard FolderWalker.isFolder(path) else {
            let what = access(path, F_OK) == 0 ? "is not a folder" : "does not exist"
            throw ValidationError("\(option): the folder \(path) \(what); name the folder that holds the images")
        }
    }

    /// The options of a run that reads images. Call once per run.
    func checkOptions(mode: ProbeMode, maxPixels: UInt64 = ProbeOptions.defaultMaxPixels) -> CheckOptions {
        var options = CheckOptions()
        options.mode = mode
        options.maxPixels = maxPixels
        options.jobs = jobs ?? ProcessInfoCores.count
        options.resolver = SourceRefResolver(mappings: maps.compactMap(SourceRefResolver.parseMapping), root: root)
        // A cache folder that cannot be used is said once; the run goes on without it.
        switch noCache ? nil : ResultCache.defaultLocation() {
        case .success(let directory)?: options.cache = ResultCache(directory: directory, options: options.probeOptions)
        case .failure(let problem)?: printToStandardError("preflight: \(problem.description)")
        case nil: break
        }
        return options
    }
}
