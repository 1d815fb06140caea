import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a training manifest (and optionally a test manifest) and the images it names.",
        discussion: """
            Every check the service makes, in the service's own error codes, judged against the \
            decoded images, plus checks of Preflight's own (codes PREFLIGHT_*). `preflight rules` \
            lists them all.

            Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 the check \
            could not run (usage error, unreadable manifest). The report is written whenever the \
            check ran.
            """
    )

    @Argument(help: "The training manifest (JSON Lines, SageMaker Ground Truth format).")
    var training: String

    @Option(help: "The test manifest. Without one, the service's 20% auto-split is checked instead.")
    var test: String?

    @Option(help: ArgumentHelp("Read every source-ref s3://BUCKET/KEY from DIR/KEY.", valueName: "DIR"))
    var root: String?

    @Option(name: .customLong("map"),
            help: ArgumentHelp("Read s3://BUCKET[/PREFIX]/REST from DIR/REST (repeatable; the longest prefix wins).",
                               valueName: "s3://BUCKET[/PREFIX]=DIR"))
    var maps: [String] = []

    @Option(help: "full: decode every pixel (finds corruption). header: read headers only (fast).")
    var mode: ProbeMode = .full

    @Option(help: "Images examined at once (default: the number of cores).")
    var jobs: Int = ProcessInfoCores.count

    @Option(help: "Report format on standard output (or in --output).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the report to FILE instead of standard output (atomically).", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Exit with 1 when there are findings at or above this severity.")
    var failOn: FailOn = .error

    @Option(name: .customLong("ignore"), help: ArgumentHelp("Switch a check off by its code (repeatable).", valueName: "CODE"))
    var ignored: [String] = []

    @Option(help: "The AWS region, for its dataset quotas (ap-south-1 and eu-west-2 have smaller ones).")
    var region: String?

    @Option(help: "Never decode an image whose header declares more pixels than this.")
    var maxPixels: UInt64 = ProbeOptions.defaultMaxPixels

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case error, warning, never
        var severity: Severity? {
            switch self {
            case .error: .error
            case .warning: .warning
            case .never: nil
            }
        }
    }

    func validate() throws {
        for code in ignored where RuleCatalogue.definition(code: code) == nil {
            throw ValidationError("--ignore \(code): no such check (`preflight rules` lists them)")
        }
        for map in maps where SourceRefResolver.parseMapping(map) == nil {
            throw ValidationError("--map \(map): expected s3://BUCKET[/PREFIX]=DIR")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    mutating func run() throws {
        var options = CheckOptions()
        options.mode = mode
        options.jobs = jobs
        options.resolver = SourceRefResolver(mappings: maps.compactMap(SourceRefResolver.parseMapping), root: root)
        options.ignored = Set(ignored.map { $0.uppercased() })
        options.region = region
        options.maxPixels = maxPixels

        var inputs = [ManifestInput(path: training, role: .training)]
        if let test { inputs.append(ManifestInput(path: test, role: .testing)) }
        let result = CheckEngine(options: options).run(inputs)

        let report: String
        switch format {
        case .json:
            report = JSONReport.serialize(result, failOn: failOn.severity)
        case .text:
            let color = output == nil && isatty(1) != 0 && getenv("NO_COLOR") == nil
            report = TextReport.render(result, style: ReportStyle(color: color), failOn: failOn.severity)
        }
        if let output {
            do {
                try AtomicFile.write(Array(report.utf8), to: output)
            } catch {
                printToStandardError("preflight: \(error.description)")
                throw ExitCode(ExitStatus.couldNotRun)
            }
        } else {
            var out = StandardOutput()
            out.write(report)
            out.flush()
        }

        for path in result.unreadableManifests {
            printToStandardError("preflight: cannot read the manifest \(path): " +
                (result.findings.first { $0.file == path }?.details["reason"]?.stringValue ?? "unreadable"))
        }
        if !result.unreadableManifests.isEmpty { throw ExitCode(ExitStatus.couldNotRun) }
        if Verdict.of(result, failOn: failOn.severity) == .fail { throw ExitCode(ExitStatus.findings) }
    }
}

enum ProcessInfoCores {
    static var count: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
