import ArgumentParser
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
        for map in maps where SourceRefResolver.parseMapping(map) == nil {
            throw ValidationError("--map \(map): expected s3://BUCKET[/PREFIX]=DIR")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func checkOptions(mode: ProbeMode, maxPixels: UInt64 = ProbeOptions.defaultMaxPixels) -> CheckOptions {
        var options = CheckOptions()
        options.mode = mode
        options.maxPixels = maxPixels
        options.jobs = jobs ?? ProcessInfoCores.count
        options.resolver = SourceRefResolver(mappings: maps.compactMap(SourceRefResolver.parseMapping), root: root)
        if !noCache, let directory = ResultCache.defaultDirectory() {
            options.cache = ResultCache(directory: directory, options: options.probeOptions)
        }
        return options
    }
}
