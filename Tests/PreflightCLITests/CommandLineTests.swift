import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport

/// Runs the `preflight` binary built beside the tests.
struct Preflight {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        // The test bundle sits in the build products folder, beside the executable.
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("preflight").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("preflight")
    }

    /// A result cache of the test run's own, inside the build folder, so that nothing is left
    /// in the temporary folder: each test run empties the caches of the runs before it.
    static let cacheDirectory: URL = {
        let caches = binary.deletingLastPathComponent().appendingPathComponent("preflight-test-caches")
        try? FileManager.default.removeItem(at: caches)
        return caches.appendingPathComponent(UUID().uuidString)
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repository
        var env = ProcessInfo.processInfo.environment
        // Never touch the user's own result cache from a test.
        env["PREFLIGHT_CACHE_DIR"] = cacheDirectory.path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    static let example = ["check", "Fixtures/example/train.manifest", "--test", "Fixtures/example/test.manifest",
                          "--map", "s3://example-bucket=Fixtures/example"]
}

@Suite("The preflight command line")
struct CommandLineTests {
    @Test func exampleDatasetFailsWithItsDeliberateFaults() throws {
        let run = try Preflight.run(Preflight.example + ["--format", "json"])
        #expect(run.status == 1)
        let report = try JSONParser.parse(run.stdout)
        #expect(report["schema_version"]?.stringValue == "1.3")
        let findings = report["findings"]?.arrayValue ?? []
        func has(_ code: String, line: Int, dataset: String = "training") -> Bool {
            findings.contains { $0["code"]?.stringValue == code && $0["line"]?.numberValue?.int64 == Int64(line) && $0["dataset"]?.stringValue == dataset }
        }
        // The faults Fixtures/example/README.md lists.
        #expect(has("ERROR_INVALID_BOUNDING_BOX", line: 5))
        #expect(has("PREFLIGHT_IMAGE_SIZE_MISMATCH", line: 8))
        #expect(has("PREFLIGHT_FORMAT_EXTENSION_MISMATCH", line: 11))
        #expect(has("ERROR_INVALID_IMAGE", line: 13))
        #expect(has("ERROR_INVALID_JSON_LINE", line: 16))
        #expect(has("ERROR_INVALID_IMAGE", line: 19))
        #expect(has("PREFLIGHT_TRAIN_TEST_OVERLAP", line: 3, dataset: "testing"))
        #expect(has("ERROR_MISSING_BOUNDING_BOX_CONFIDENCE", line: 5, dataset: "testing"))
        let datasets = report["summary"]?["datasets"]?.arrayValue ?? []
        #expect(datasets.first?["lines"]?["total"]?.numberValue?.int64 == 22)
        #expect(datasets.first?["lines"]?["invalid"]?.numberValue?.int64 == 3)
        #expect(datasets.first?["use_case"]?.stringValue == "OBJECT_LOCALIZATION")
    }

    @Test func headerModeMissesTheTruncatedImage() throws {
        let run = try Preflight.run(Preflight.example + ["--format", "json", "--mode", "header"])
        let findings = try JSONParser.parse(run.stdout)["findings"]?.arrayValue ?? []
        #expect(!findings.contains { $0["code"]?.stringValue == "ERROR_INVALID_IMAGE" && $0["line"]?.numberValue?.int64 == 19 })
        #expect(findings.contains { $0["code"]?.stringValue == "ERROR_INVALID_IMAGE" && $0["line"]?.numberValue?.int64 == 13 })
    }

    @Test func failOnControlsTheExitCode() throws {
        #expect(try Preflight.run(Preflight.example + ["--fail-on", "never"]).status == 0)
        #expect(try Preflight.run(Preflight.example + ["--fail-on", "warning"]).status == 1)
        let ignoredAll = try Preflight.run(Preflight.example + ["--ignore", "ERROR_INVALID_BOUNDING_BOX"])
        #expect(!ignoredAll.stdout.contains("error   ERROR_INVALID_BOUNDING_BOX"))
        #expect(ignoredAll.stdout.contains("checks switched off (--ignore): ERROR_INVALID_BOUNDING_BOX"))
    }

    @Test func textReportGroupsByLineAndHasNoColourWhenPiped() throws {
        let run = try Preflight.run(Preflight.example)
        #expect(run.stdout.contains("  line 5  s3://example-bucket/images/train-05.jpg"))
        #expect(run.stdout.contains("FAIL: 9 errors"))
        #expect(!run.stdout.contains("\u{1B}["))
    }

    @Test func outputFileIsWrittenAndStdoutStaysEmpty() throws {
        let folder = try makeTemporaryFolder("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("report.json").path
        let run = try Preflight.run(Preflight.example + ["--format", "json", "--output", path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(report["tool"]?["name"]?.stringValue == "preflight")
        let unwritable = try Preflight.run(Preflight.example + ["--output", "/nonexistent-dir/report.txt"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("/nonexistent-dir/report.txt"))
    }

    @Test func couldNotRunExitsWithTwo() throws {
        let missing = try Preflight.run(["check", "does-not-exist.manifest"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("does-not-exist.manifest"))
        #expect(try Preflight.run(["check", "Fixtures/example/train.manifest", "--ignore", "NO_SUCH_CODE"]).status == 2)
        #expect(try Preflight.run(["check", "Fixtures/example/train.manifest", "--map", "nonsense"]).status == 2)
        #expect(try Preflight.run(["probe", "--mode", "bogus", "x.jpg"]).status == 2)
        #expect(try Preflight.run(["probe"]).status == 2)
    }

    @Test func probePrintsOneJSONObjectPerFile() throws {
        let run = try Preflight.run(["probe", "--mode", "full", "Fixtures/images/jpeg-truncated.jpg", "Fixtures/images/png-rgb8.png", "missing.png"])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let objects = try lines.map { try JSONParser.parse($0) }
        #expect(objects[0]["integrity"]?.stringValue == "corrupt")
        #expect(objects[1]["integrity"]?.stringValue == "ok")
        #expect(objects[1]["width"]?.numberValue?.int64 == 96)
        #expect(objects[2]["integrity"]?.stringValue == "unreadable")
        for object in objects {
            for key in ["path", "format", "width", "height", "integrity", "problems"] { #expect(object[key] != nil, "\(key)") }
        }
    }

    @Test func rulesCatalogue() throws {
        let list = try Preflight.run(["rules"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("ERROR_INVALID_BOUNDING_BOX"))
        let one = try Preflight.run(["rules", "error_bounding_box_too_small"])
        #expect(one.stdout.contains("1280"))
        #expect(try Preflight.run(["rules", "NOPE"]).status == 2)
    }

    @Test func docsRulesPageIsCurrent() throws {
        let generated = try Preflight.run(["rules", "--format", "markdown"]).stdout
        let committed = try String(contentsOf: Preflight.repository.appendingPathComponent("docs/RULES.md"), encoding: .utf8)
        #expect(generated == committed, "docs/RULES.md is stale: run `swift run preflight rules --format markdown > docs/RULES.md`")
    }
}

@Suite("Interrupting a run")
struct InterruptTests {
    @Test func ctrlCStopsPromptlyAndKeepsThePreviousReport() throws {
        let folder = try makeTemporaryFolder("interrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A manifest long enough that the run is still going when interrupted.
        let line = #"{"source-ref":"s3://b/x.jpg","label":1,"label-metadata":{"class-name":"cat","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z"}}"#
        let manifest = folder.appendingPathComponent("big.manifest")
        try Data(String(repeating: line + "\n", count: 200_000).utf8).write(to: manifest)
        let report = folder.appendingPathComponent("report.json")
        try Data("previous report\n".utf8).write(to: report)

        let process = Process()
        process.executableURL = Preflight.binary
        process.arguments = ["check", manifest.path, "--format", "json", "--output", report.path, "--no-cache"]
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        let sent = Date()
        process.interrupt()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < timeBound(2), "stops promptly")
        #expect(process.terminationStatus == 130)
        #expect(stderr.contains("preflight: interrupted: stopped, no report written"))
        #expect(try String(contentsOf: report, encoding: .utf8) == "previous report\n")
        let litter = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(litter.isEmpty)
    }
}
