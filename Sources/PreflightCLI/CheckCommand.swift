import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightKit
import PreflightStore
import Synchronization

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

    @Argument(help: "The training manifest (JSON Lines, SageMaker Ground Truth format), or a folder whose child folders are the labels; either may be in S3 (s3://BUCKET/KEY, s3://BUCKET/PREFIX/).")
    var training: String

    @Option(help: ArgumentHelp("For a folder: label by the child folders of DIR/SUBDIR instead.", valueName: "SUBDIR"))
    var location: String?

    @Option(help: "The test manifest. Without one, the service's 20% auto-split is checked instead.")
    var test: String?

    @OptionGroup var images: ImageLocationOptions

    @Option(help: "full: check all image data, as a decoder reads it (finds corruption). header: read headers only (fast).")
    var mode: ProbeMode = .full

    @Option(help: "Report format on standard output (or in --output): text, json, sarif, junit, github or html.")
    var format: String = "text"

    @Option(help: ArgumentHelp("Write the --format report to FILE instead of standard output (atomically).", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("report"),
            help: ArgumentHelp("Also write a report in FORMAT to PATH (repeatable): text, json, sarif, junit, github, html.",
                               valueName: "FORMAT=PATH"))
    var reports: [String] = []

    @Option(name: .customLong("rekognition-dir"),
            help: ArgumentHelp("Write the service's own validation files (manifest_summary.json and the validation manifests) into DIR.",
                               valueName: "DIR"))
    var rekognitionDirectory: String?

    @Option(name: .customLong("fail-on"), help: "Exit with 1 when there are findings at or above this severity.")
    var failOn: FailOn = .error

    @Option(name: .customLong("ignore"), help: ArgumentHelp("Switch a check off by its code (repeatable).", valueName: "CODE"))
    var ignored: [String] = []

    @Option(name: .customLong("threshold"),
            help: ArgumentHelp("Set a quality check's threshold, e.g. min-sharpness=0.1 (repeatable; `preflight rules --thresholds` lists them).",
                               valueName: "NAME=VALUE"))
    var thresholds: [String] = []

    @Option(help: "The AWS region, for its dataset quotas (ap-south-1 and eu-west-2 have smaller ones).")
    var region: String?

    @Option(help: "Colour in the text report: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never.")
    var color: ColorChoice = .auto

    @Option(help: "Never decode an image whose header declares more pixels than this.")
    var maxPixels: UInt64 = ProbeOptions.defaultMaxPixels

    @Flag(name: .customLong("cache-verify"),
          help: "Trust a cached result only when the file's content hash still matches (reads every file; no decoding).")
    var cacheVerify = false

    @Flag(name: .shortAndLong, help: "No progress line on standard error.")
    var quiet = false

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

    enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never

        /// Whether the text report on standard output is coloured (no-color.org: only a
        /// non-empty NO_COLOR switches colour off; a dumb terminal has none).
        var enabled: Bool {
            switch self {
            case .always: return true
            case .never: return false
            case .auto:
                func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
                if let noColor = env("NO_COLOR"), !noColor.isEmpty { return false }
                if env("TERM") == "dumb" { return false }
                return isatty(1) != 0
            }
        }
    }

    func validate() throws {
        if let region, ServiceLimits.region(named: region) == nil {
            throw ValidationError("--region \(region): Amazon Rekognition Custom Labels does not run there; "
                + "expected one of \(ServiceLimits.regions.joined(separator: ", "))")
        }
        for code in ignored where RuleCatalogue.definition(code: code) == nil {
            throw ValidationError("--ignore \(code): no such check (`preflight rules` lists them)")
        }
        var settings = QualityThresholds()
        for setting in thresholds {
            if let problem = settings.set(setting) { throw ValidationError("--threshold \(setting): \(problem)") }
        }
        if ReportFormats.named(format) == nil {
            throw ValidationError("--format \(format): expected one of \(ReportFormats.all.map { $0.name }.joined(separator: ", "))")
        }
        for report in reports where parseReport(report) == nil {
            throw ValidationError("--report \(report): expected FORMAT=PATH with FORMAT one of \(ReportFormats.all.map { $0.name }.joined(separator: ", "))")
        }
    }

    func parseReport(_ argument: String) -> (any Reporter.Type, String)? {
        guard let equals = argument.firstIndex(of: "="), let reporter = ReportFormats.named(String(argument[..<equals])) else { return nil }
        let path = String(argument[argument.index(after: equals)...])
        return path.isEmpty ? nil : (reporter, path)
    }

    mutating func run() throws {
        // A folder is checked as the service imports it: labelled by folder name.
        let isFolder = { (path: String) in FolderWalker.isFolder(path) || FolderWalker.isStoreFolder(path) }
        if rekognitionDirectory != nil, isFolder(training) || test.map(isFolder) == true {
            throw ValidationError("--rekognition-dir needs manifests; write the folder's with `preflight manifest from-folder`")
        }
        for argument in [training] + (test.map { [$0] } ?? []) where S3Access.names(argument) && ObjectLocation(argument)?.bucket == nil {
            throw ValidationError("\(argument): expected s3://BUCKET/KEY for a manifest or s3://BUCKET/PREFIX/ for a folder")
        }
        // Every output is checked before any image is read: a typo costs nothing, and no
        // output may land on an input.
        let reportFiles = reports.compactMap(parseReport)
        let plan = OutputPlan(files: (output.map { [("--output", $0)] } ?? []) + reportFiles.map { ("--report", $0.1) },
                              rekognitionDirectory: rekognitionDirectory,
                              inputs: ([training] + (test.map { [$0] } ?? [])).filter { !S3Access.names($0) })
        do { try plan.approve(roles: test == nil ? [.training] : [.training, .testing]) } catch {
            throw CommandFailure(error.description)
        }

        // S3 is opened only when an argument names it; the manifests in it are read once, here.
        let inS3 = S3Access.names(training) || S3Access.names(test)
        let s3 = inS3 || images.imagesFromS3 ? try S3Access.open() : nil
        defer { s3?.close() }
        let inputs = try [(training, DatasetRole.training)] .appending(test.map { ($0, .testing) })
            .map { name, role in try s3.map { try $0.input(name, role: role) } ?? ManifestInput(path: name, role: role) }

        var options = images.checkOptions(mode: mode, maxPixels: maxPixels, s3: s3, manifestInS3: inS3,
                                          ignored: Set(ignored.map { $0.uppercased() }))
        for setting in thresholds { _ = options.thresholds.set(setting) }
        options.region = region.flatMap(ServiceLimits.region(named:))
        // The quotas of the region the dataset's bucket is in, unless --region says otherwise.
        if options.region == nil, let s3, let bucket = [training, test].compactMap({ $0.flatMap(ObjectLocation.init)?.bucket }).first {
            options.region = s3.serviceRegion(of: bucket)
        }
        options.verifyCache = cacheVerify
        let progressLine: ProgressLine? = !quiet && isatty(2) != 0 ? ProgressLine(cache: options.cache) : nil
        if let progressLine {
            options.progress = { @Sendable done, total in progressLine.update(done: done, total: total) }
        }

        let result: CheckResult
        do { result = try FolderCheck(options: options).run(inputs, location: location) } catch {
            throw CommandFailure(error.description)
        }
        progressLine?.finish()
        if let s3, !quiet { printToStandardError("preflight: \(s3.usage)") }
        if let undelivered = result.countsByCode[ImageUnavailable.definition.code], undelivered > 0 {
            printToStandardError("preflight: \(undelivered) line\(undelivered == 1 ? "'s image was" : "s' images were") not delivered by the store after every retry "
                + "(\(ImageUnavailable.definition.code)): those images were not checked; run the check again")
        }
        if let failure = options.cache?.saveFailure {
            printToStandardError("preflight: \(failure)")
        }
        if result.interrupted {
            printToStandardError("preflight: interrupted before the lines were judged: no report was written. "
                + (options.cache == nil ? "" : "The images examined so far are kept in the result cache; the next run goes on from there."))
            throw ExitCode(ExitStatus.interrupted)
        }

        let context = ReportContext(failOn: failOn.severity)
        let reporter = ReportFormats.named(format)!
        var writeFailed = false
        func write(_ reporter: any Reporter.Type, to path: String) {
            do {
                try AtomicFile.write(to: path) { sink in reporter.write(result, context: context, to: &sink) }
            } catch {
                printToStandardError("preflight: \(error.description)")
                writeFailed = true
            }
        }
        if let output {
            write(reporter, to: output)
        } else {
            var terminal = context
            terminal.color = reporter == TextReport.self && color.enabled
            var out = StandardOutput()
            reporter.write(result, context: terminal, to: &out)
            out.flush()
        }
        for (extra, path) in reportFiles {
            write(extra, to: path)
        }
        let wantsGitHub = reporter == GitHubReport.self || reportFiles.contains { $0.0 == GitHubReport.self }
        if wantsGitHub, let summaryPath = getenv("GITHUB_STEP_SUMMARY").map({ String(cString: $0) }), !summaryPath.isEmpty {
            appendJobSummary(GitHubReport.jobSummary(result, context: context), to: summaryPath)
        }
        if let rekognitionDirectory {
            do {
                try RekognitionFiles.write(result, to: rekognitionDirectory)
            } catch {
                printToStandardError("preflight: \(error.description)")
                writeFailed = true
            }
        }
        if writeFailed { throw ExitCode(ExitStatus.couldNotRun) }

        for path in result.unreadableManifests {
            printToStandardError("preflight: cannot read the manifest \(path): " +
                (result.findings.first { $0.file == path }?.details["reason"]?.stringValue ?? "unreadable"))
        }
        if !result.unreadableManifests.isEmpty { throw ExitCode(ExitStatus.couldNotRun) }
        if Verdict.of(result, failOn: failOn.severity) == .fail { throw ExitCode(ExitStatus.findings) }
    }
}

/// GitHub reads the job summary file after the step; Preflight adds to it, never replaces it.
private func appendJobSummary(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
        printToStandardError("preflight: cannot append the job summary to \(path)")
        return
    }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
}

/// "images 1234/5000 (24%), 300 from the cache  85/s  0:12 elapsed, about 0:44 left" on
/// standard error, redrawn at most four times a second; only on a terminal. The rate counts
/// the images decoded, not those the cache answered.
final class ProgressLine: Sendable {
    private struct State { var started = 0.0; var lastDrawn = 0.0; var drawn = false }
    private let state = Mutex(State())
    private let cache: ResultCache?

    init(cache: ResultCache?) {
        self.cache = cache
        state.withLock { $0.started = Self.now() }
    }

    func update(done: Int, total: Int) {
        let now = Self.now()
        let cached = cache?.hits.load(ordering: .relaxed) ?? 0
        let line: String? = state.withLock { state in
            guard now - state.lastDrawn >= 0.25 || done == total else { return nil }
            state.lastDrawn = now
            state.drawn = true
            return Self.text(done: done, total: total, cached: cached, elapsed: now - state.started)
        }
        if let line { writeToStandardError("\r" + line + "\u{1B}[K") }
    }

    static func text(done: Int, total: Int, cached: Int, elapsed: Double) -> String {
        let percent = total > 0 ? done * 100 / total : 100
        var line = "images \(done)/\(total) (\(percent)%)"
        if cached > 0 { line += ", \(cached) from the cache" }
        let decoded = max(0, done - cached)
        if elapsed >= 1 && decoded > 0 { line += "  \(Int((Double(decoded) / elapsed).rounded()))/s" }
        line += "  \(clock(elapsed)) elapsed"
        if done > 0 && done < total && elapsed >= 1 {
            line += ", about \(clock(elapsed / Double(done) * Double(total - done))) left"
        }
        return line
    }

    /// 0:07, 12:30, 1:02:03.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }

    func finish() {
        if state.withLock({ $0.drawn }) { writeToStandardError("\r\u{1B}[K") }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

enum ProcessInfoCores {
    static var count: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

extension Array {
    func appending(_ element: Element?) -> [Element] { element.map { self + [$0] } ?? self }
}
