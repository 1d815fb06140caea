import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightKit
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

    @Argument(help: "The training manifest (JSON Lines, SageMaker Ground Truth format), or a folder whose child folders are the labels.")
    var training: String

    @Option(help: ArgumentHelp("For a folder: label by the child folders of DIR/SUBDIR instead.", valueName: "SUBDIR"))
    var location: String?

    @Option(help: "The test manifest. Without one, the service's 20% auto-split is checked instead.")
    var test: String?

    @OptionGroup var images: ImageLocationOptions

    @Option(help: "full: check all image data, as a decoder reads it (finds corruption). header: read headers only (fast).")
    var mode: ProbeMode = .full

    @Option(help: "Report format on standard output (or in --output): text, json, sarif, junit or github.")
    var format: String = "text"

    @Option(help: ArgumentHelp("Write the --format report to FILE instead of standard output (atomically).", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("report"),
            help: ArgumentHelp("Also write a report in FORMAT to PATH (repeatable): text, json, sarif, junit, github.",
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

    @Option(help: "The AWS region, for its dataset quotas (ap-south-1 and eu-west-2 have smaller ones).")
    var region: String?

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

    func validate() throws {
        for code in ignored where RuleCatalogue.definition(code: code) == nil {
            throw ValidationError("--ignore \(code): no such check (`preflight rules` lists them)")
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
        var options = images.checkOptions(mode: mode, maxPixels: maxPixels)
        options.ignored = Set(ignored.map { $0.uppercased() })
        options.region = region
        options.verifyCache = cacheVerify
        let progressLine: ProgressLine? = !quiet && isatty(2) != 0 ? ProgressLine() : nil
        if let progressLine {
            options.progress = { @Sendable done, total in progressLine.update(done: done, total: total) }
        }

        // A folder is checked as the service imports it: labelled by folder name.
        if rekognitionDirectory != nil, FolderWalker.isFolder(training) || test.map(FolderWalker.isFolder) == true {
            throw ValidationError("--rekognition-dir needs manifests; write the folder's with `preflight manifest from-folder`")
        }
        let result: CheckResult
        do { result = try FolderCheck(options: options).run(training: training, test: test, location: location) } catch {
            throw ValidationError(error.description)
        }
        progressLine?.finish()

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
            terminal.color = reporter == TextReport.self && isatty(1) != 0 && getenv("NO_COLOR") == nil
            var out = StandardOutput()
            reporter.write(result, context: terminal, to: &out)
            out.flush()
        }
        for (extra, path) in reports.compactMap(parseReport) {
            write(extra, to: path)
        }
        let wantsGitHub = reporter == GitHubReport.self || reports.compactMap(parseReport).contains { $0.0 == GitHubReport.self }
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

/// "examined 1234/5000 images  85/s  about 44 s left" on standard error, redrawn at most
/// four times a second; only on a terminal.
final class ProgressLine: Sendable {
    private struct State { var started = 0.0; var lastDrawn = 0.0; var drawn = false }
    private let state = Mutex(State())

    init() { state.withLock { $0.started = Self.now() } }

    func update(done: Int, total: Int) {
        let now = Self.now()
        let line: String? = state.withLock { state in
            guard now - state.lastDrawn >= 0.25 || done == total else { return nil }
            state.lastDrawn = now
            state.drawn = true
            let elapsed = max(now - state.started, 0.001)
            let rate = Double(done) / elapsed
            let left = rate > 0 ? Double(total - done) / rate : 0
            return "\rexamined \(done)/\(total) images  \(Int(rate.rounded()))/s  about \(Int(left.rounded())) s left\u{1B}[K"
        }
        if let line { writeToStandardError(line) }
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
