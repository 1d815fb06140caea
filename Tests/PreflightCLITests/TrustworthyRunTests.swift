import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport

/// A run never writes over what it reads, refuses a mistaken command before reading any
/// image, and every statement of its reports is true and the same in every report.
@Suite("Trustworthy runs")
struct TrustworthyRunTests {
    static let exampleTrain = "Fixtures/example/train.manifest"
    static let map = ["--map", "s3://example-bucket=Fixtures/example"]

    /// A copy of the example's manifests in a folder of the test's own.
    static func exampleCopy(_ purpose: String) throws -> URL {
        let folder = try makeTemporaryFolder(purpose)
        for name in ["train.manifest", "test.manifest"] {
            try FileManager.default.copyItem(at: Preflight.repository.appendingPathComponent("Fixtures/example/\(name)"),
                                            to: folder.appendingPathComponent(name))
        }
        return folder
    }

    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    static func json(_ run: Preflight.Run) throws -> JSONValue { try JSONParser.parse(run.stdout) }

    static func findings(_ report: JSONValue, _ code: String) -> [JSONValue] {
        (report["findings"]?.arrayValue ?? []).filter { $0["code"]?.stringValue == code }
    }

    /// Runs with a result cache of its own and says whether any image reached it.
    static func runReadingNothing(_ arguments: [String]) throws -> (Preflight.Run, readImages: Bool) {
        let cache = try makeTemporaryFolder("cache")
        defer { try? FileManager.default.removeItem(at: cache) }
        let run = try Preflight.run(arguments, environment: ["PREFLIGHT_CACHE_DIR": cache.path])
        let files = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        return (run, !files.isEmpty)
    }

    // MARK: Inputs are never written over

    @Test func anOutputNamingAnInputIsRefusedBeforeAnyImageIsRead() throws {
        let folder = try Self.exampleCopy("overwrite")
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = folder.appendingPathComponent("train.manifest"), test = folder.appendingPathComponent("test.manifest")
        let before = try Self.bytes(train), beforeTest = try Self.bytes(test)
        let base = ["check", train.path, "--test", test.path] + Self.map
        for extra in [["--output", train.path],
                      ["--report", "json=\(train.path)"],
                      ["--report", "sarif=\(folder.path)/./test.manifest"],
                      ["--format", "json", "--output", folder.appendingPathComponent("r.json").path,
                       "--report", "text=\(folder.path)/r.json"]] {
            let (run, read) = try Self.runReadingNothing(base + extra)
            #expect(run.status == 2, "\(extra)")
            #expect(run.stderr.hasPrefix("preflight: "), "\(extra): \(run.stderr)")
            #expect(!read, "\(extra): an image was read before the refusal")
        }
        #expect(try Self.bytes(train) == before)
        #expect(try Self.bytes(test) == beforeTest)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.json").path))
    }

    @Test func aHardLinkToTheManifestIsTheManifest() throws {
        let folder = try Self.exampleCopy("hardlink")
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = folder.appendingPathComponent("train.manifest"), link = folder.appendingPathComponent("report.txt")
        try FileManager.default.linkItem(at: train, to: link)
        let before = try Self.bytes(train)
        let run = try Preflight.run(["check", train.path, "--output", link.path] + Self.map)
        #expect(run.status == 2)
        #expect(run.stderr.contains("input manifest"))
        #expect(try Self.bytes(train) == before)
    }

    @Test func anImageOrAFolderDatasetIsNeverAnOutput() throws {
        let folder = try makeTemporaryFolder("image-output")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("photo.jpg")
        try FileManager.default.copyItem(at: Preflight.repository.appendingPathComponent("Fixtures/images/jpeg-baseline.jpg"), to: image)
        let before = try Self.bytes(image)
        let overImage = try Preflight.run(["check", Self.exampleTrain, "--output", image.path] + Self.map)
        #expect(overImage.status == 2)
        #expect(overImage.stderr.contains("is an image"))
        #expect(try Self.bytes(image) == before)

        // A report inside a folder dataset would become part of the dataset.
        let dataset = folder.appendingPathComponent("dataset")
        try FileManager.default.createDirectory(at: dataset.appendingPathComponent("cat"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: image, to: dataset.appendingPathComponent("cat/a.jpg"))
        let inside = try Preflight.run(["check", dataset.path, "--report", "json=\(dataset.path)/cat/report.json"])
        #expect(inside.status == 2)
        #expect(inside.stderr.contains("dataset folder"))
        #expect(!FileManager.default.fileExists(atPath: dataset.appendingPathComponent("cat/report.json").path))
    }

    @Test func rekognitionFilesMayNotLandOnAnInput() throws {
        let folder = try makeTemporaryFolder("rekognition-clash")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A manifest named as the service names its validation manifest, in the folder given.
        let train = folder.appendingPathComponent("training_manifest_with_validation.json")
        try FileManager.default.copyItem(at: Preflight.repository.appendingPathComponent(Self.exampleTrain), to: train)
        let before = try Self.bytes(train)
        let run = try Preflight.run(["check", train.path, "--rekognition-dir", folder.path] + Self.map)
        #expect(run.status == 2)
        #expect(try Self.bytes(train) == before)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest_summary.json").path))
    }

    @Test func manifestOperationsNeverWriteOverAnImageOrIntoTheirFolder() throws {
        let folder = try makeTemporaryFolder("operation-outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("photo.jpg")
        try FileManager.default.copyItem(at: Preflight.repository.appendingPathComponent("Fixtures/images/jpeg-baseline.jpg"), to: image)
        let before = try Self.bytes(image)
        let fix = try Preflight.run(["manifest", "fix", Self.exampleTrain, "-o", image.path] + Self.map)
        #expect(fix.status == 2)
        #expect(fix.stderr.contains("is an image"))
        #expect(try Self.bytes(image) == before)

        let dataset = folder.appendingPathComponent("dataset")
        try FileManager.default.createDirectory(at: dataset.appendingPathComponent("cat"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: image, to: dataset.appendingPathComponent("cat/a.jpg"))
        let fromFolder = try Preflight.run(["manifest", "from-folder", dataset.path, "--s3-uri", "s3://b/d", "-o", dataset.path + "/out.manifest"])
        #expect(fromFolder.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dataset.appendingPathComponent("out.manifest").path))

        let split = try Preflight.run(["manifest", "split", Self.exampleTrain, "-o", folder.path + "/no-such/train.manifest",
                                       "-o", folder.path + "/test.manifest"])
        #expect(split.status == 2)
        #expect(split.stderr.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("test.manifest").path))
    }

    // MARK: Mistakes in the command cost nothing

    @Test func anOutputThatCannotBeWrittenIsRefusedBeforeAnyImageIsRead() throws {
        let (run, read) = try Self.runReadingNothing(Preflight.example + ["--report", "json=no-such-folder/r.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no-such-folder"))
        #expect(run.stderr.contains("does not exist"))
        #expect(!read)
        let folder = try makeTemporaryFolder("output-folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (intoFolder, _) = try Self.runReadingNothing(Preflight.example + ["--output", folder.path])
        #expect(intoFolder.status == 2)
        #expect(intoFolder.stderr.contains("is a folder") || intoFolder.stderr.contains("that is a folder"))
    }

    @Test func rekognitionDirIsMadeAsMkdirPWould() throws {
        let folder = try makeTemporaryFolder("rekognition-dir")
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("a/b/c")
        let run = try Preflight.run(Preflight.example + ["--rekognition-dir", nested.path, "--quiet"])
        #expect(run.status == 1)
        #expect(FileManager.default.fileExists(atPath: nested.appendingPathComponent("manifest_summary.json").path))
        let file = folder.appendingPathComponent("file")
        try Data().write(to: file)
        let (onFile, read) = try Self.runReadingNothing(Preflight.example + ["--rekognition-dir", file.path + "/sub"])
        #expect(onFile.status == 2)
        #expect(!read)
    }

    @Test func aMapOrRootFolderThatDoesNotExistIsAUsageError() throws {
        for arguments in [["--map", "s3://example-bucket=Fixtures/no-such-folder"], ["--root", "Fixtures/no-such-folder"],
                          ["--root", Self.exampleTrain]] {
            let (run, read) = try Self.runReadingNothing(["check", Self.exampleTrain] + arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains(arguments[1].split(separator: "=").last.map(String.init) ?? ""), "\(arguments)")
            #expect(!run.stdout.contains("ERROR_INVALID_IMAGE"))
            #expect(!read)
        }
    }

    @Test func aMappingOneLevelOffIsSaidOnceWithTheMappingThatWorks() throws {
        // The images are in Fixtures/example/images; keys start with images/.
        let run = try Preflight.run(["check", Self.exampleTrain, "--map", "s3://example-bucket=Fixtures/example/images",
                                     "--format", "json", "--quiet"])
        #expect(run.status == 1)
        let report = try Self.json(run)
        let said = Self.findings(report, "PREFLIGHT_IMAGES_MOSTLY_MISSING")
        #expect(said.count == 1)
        #expect(said.first?["details"]?["suggested_map"]?.stringValue == "s3://example-bucket=Fixtures/example")
        #expect(said.first?["details"]?["example_source_ref"]?.stringValue == "s3://example-bucket/images/train-01.jpg")
        #expect(said.first?["details"]?["searched_folder"]?.stringValue == "Fixtures/example/images")
        // One level too shallow: the key's first folder is found one folder down.
        let shallow = try Self.json(Preflight.run(["check", Self.exampleTrain, "--map", "s3://example-bucket=Fixtures",
                                                   "--format", "json", "--quiet"]))
        #expect(Self.findings(shallow, "PREFLIGHT_IMAGES_MOSTLY_MISSING").first?["details"]?["suggested_map"]?.stringValue
                == "s3://example-bucket=Fixtures/example")
        // The right mapping: one missing image of 21 is a broken dataset, not a wrong mapping.
        let right = try Self.json(Preflight.run(Preflight.example + ["--format", "json", "--quiet"]))
        #expect(Self.findings(right, "PREFLIGHT_IMAGES_MOSTLY_MISSING").isEmpty)
    }

    @Test func regionsAreTheServicesInAnyCase() throws {
        for bad in ["eu-west2", "mars-1", ""] {
            let (run, read) = try Self.runReadingNothing(Preflight.example + ["--region", bad])
            #expect(run.status == 2, "\(bad)")
            #expect(run.stderr.contains("eu-west-2"), "the list of regions is given")
            #expect(!read)
        }
        let upper = try Self.json(Preflight.run(Preflight.example + ["--region", "EU-WEST-2", "--format", "json", "--quiet"]))
        #expect(upper["inputs"]?["region"]?.stringValue == "eu-west-2")
    }

    // MARK: Every statement true

    @Test func imagesOverTheDecodingLimitAreCountedAsNotChecked() throws {
        let run = try Preflight.run(Preflight.example + ["--max-pixels", "100000", "--format", "json", "--quiet"])
        let report = try Self.json(run)
        let summary = report["summary"]
        #expect(summary?["integrity_checked"]?.boolValue == false)
        let notDecoded = summary?["images_not_decoded"]?.numberValue?.int64 ?? 0
        #expect(notDecoded > 0)
        #expect(!Self.findings(report, "PREFLIGHT_IMAGE_NOT_DECODED").isEmpty)
        let text = try Preflight.run(Preflight.example + ["--max-pixels", "100000", "--quiet"]).stdout
        #expect(!text.contains("all their image data checked"))
        #expect(text.contains("not in \(notDecoded)"))

        let whole = try Self.json(Preflight.run(Preflight.example + ["--format", "json", "--quiet"]))["summary"]
        // One image of the example is missing: its data was not checked either.
        #expect(whole?["integrity_checked"]?.boolValue == false)
        #expect(whole?["images_unreadable"]?.numberValue?.int64 == 1)
        #expect(whole?["images_not_decoded"]?.numberValue?.int64 == 0)
    }

    @Test func withNoImagesReadTheReportSaysSoAndCountsWhatTheManifestsName() throws {
        let run = try Preflight.run(["check", Self.exampleTrain, "--test", "Fixtures/example/test.manifest"])
        #expect(run.stdout.contains("28 distinct images named; none read"))
        #expect(!run.stdout.contains("image data checked"))
        #expect(run.stdout.contains("distinct images: 21"))
        let summary = try Self.json(Preflight.run(["check", Self.exampleTrain, "--test", "Fixtures/example/test.manifest",
                                                   "--format", "json"]))["summary"]
        #expect(summary?["images_named"]?.numberValue?.int64 == 28)
        #expect(summary?["images_examined"]?.numberValue?.int64 == 0)
        #expect(summary?["integrity_checked"]?.boolValue == false)
        #expect(summary?["datasets"]?.arrayValue?.first?["distinct_images"]?.numberValue?.int64 == 21)
    }

    @Test func anIgnoredCheckIsAbsentFromEveryOutput() throws {
        let folder = try makeTemporaryFolder("ignore")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Preflight.run(Preflight.example + ["--ignore", "ERROR_INVALID_JSON_LINE", "--rekognition-dir", folder.path,
                                                         "--report", "json=\(folder.path)/r.json", "--quiet"])
        // Text: listed as switched off; no finding; line 16 counted as the other outputs count it.
        #expect(run.stdout.contains("checks switched off (--ignore): ERROR_INVALID_JSON_LINE"))
        #expect(!run.stdout.contains("error   ERROR_INVALID_JSON_LINE"))
        #expect(run.stdout.contains("22 total, 20 valid, 2 invalid"))
        let summary = try JSONParser.parse(Array(Data(contentsOf: folder.appendingPathComponent("manifest_summary.json"))))
        let training = summary["statistics"]?["training"]
        #expect(training?["valid_json_lines"]?.numberValue?.int64 == 20)
        #expect(!(training?["error_json_line_indices"]?.arrayValue ?? []).contains { $0.numberValue?.int64 == 16 })
        let validation = try String(contentsOf: folder.appendingPathComponent("training_manifest_with_validation.json"), encoding: .utf8)
        #expect(!validation.contains("ERROR_INVALID_JSON_LINE"))
        let original = try String(contentsOf: Preflight.repository.appendingPathComponent(Self.exampleTrain), encoding: .utf8)
        #expect(validation.split(separator: "\n")[15] == original.split(separator: "\n")[15], "line 16 written as it is")
        let json = try JSONParser.parse(Array(Data(contentsOf: folder.appendingPathComponent("r.json"))))
        #expect(Self.findings(json, "ERROR_INVALID_JSON_LINE").isEmpty)
        #expect(json["summary"]?["datasets"]?.arrayValue?.first?["lines"]?["valid"]?.numberValue?.int64 == 20)
    }

    @Test func failOnNeverChangesTheExitCodeOnly() throws {
        let text = try Preflight.run(Preflight.example + ["--fail-on", "never", "--quiet"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("FAIL: 9 errors"))
        #expect(!text.stdout.contains("PASS"))
        let json = try Self.json(Preflight.run(Preflight.example + ["--fail-on", "never", "--format", "json"]))
        #expect(json["summary"]?["verdict"]?.stringValue == "fail")
    }

    @Test func errorLineIndicesListEveryLineWithAnError() throws {
        let folder = try makeTemporaryFolder("indices")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Preflight.run(Preflight.example + ["--rekognition-dir", folder.path, "--quiet"])
        let summary = try JSONParser.parse(Array(Data(contentsOf: folder.appendingPathComponent("manifest_summary.json"))))
        let indices = (summary["statistics"]?["training"]?["error_json_line_indices"]?.arrayValue ?? []).compactMap { $0.numberValue?.int64 }
        // Lines 5 and 8 keep their line but lose a box: the error is on the box.
        #expect(indices == [5, 8, 13, 16, 19])
        #expect(summary["statistics"]?["training"]?["invalid_json_lines"]?.numberValue?.int64 == 3)
    }

    @Test func datasetFindingsOnLinesNameTheirSourceRef() throws {
        let report = try Self.json(Preflight.run(Preflight.example + ["--format", "json", "--quiet"]))
        let overlap = Self.findings(report, "PREFLIGHT_TRAIN_TEST_OVERLAP")
        #expect(overlap.count == 1)
        #expect(overlap.first?["source_ref"]?.stringValue == "s3://example-bucket/images/test-03.jpg")
        for finding in report["findings"]?.arrayValue ?? [] where finding["line"]?.numberValue != nil {
            #expect(finding["source_ref"]?.stringValue != nil || finding["code"]?.stringValue == "ERROR_INVALID_JSON_LINE",
                    "\(finding["code"]?.stringValue ?? "")")
        }
    }

    @Test func theSameSourceRefTwiceIsFoundWithoutImages() throws {
        let folder = try makeTemporaryFolder("same-ref")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = try String(contentsOf: Preflight.repository.appendingPathComponent(Self.exampleTrain), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let train = folder.appendingPathComponent("train.manifest"), test = folder.appendingPathComponent("test.manifest")
        try Data((lines + [lines[0]]).joined(separator: "\n").utf8).write(to: train)
        try Data((lines[1] + "\n").utf8).write(to: test)
        let report = try Self.json(Preflight.run(["check", train.path, "--test", test.path, "--format", "json"]))
        let repeated = Self.findings(report, "PREFLIGHT_DUPLICATE_IMAGE")
        #expect(repeated.count == 1)
        #expect(repeated.first?["line"]?.numberValue?.int64 == Int64(lines.count + 1))
        #expect(repeated.first?["details"]?["first_line"]?.numberValue?.int64 == 1)
        let leaked = Self.findings(report, "PREFLIGHT_TRAIN_TEST_OVERLAP")
        #expect(leaked.count == 1)
        #expect(leaked.first?["details"]?["training_line"]?.numberValue?.int64 == 2)
        #expect(leaked.first?["source_ref"]?.stringValue == "s3://example-bucket/images/train-02.jpg")
    }

    // MARK: Colour, cache, progress

    @Test func colourFollowsTheOptionNoColorAndTerm() throws {
        let escape = "\u{1B}["
        #expect(try Preflight.run(Preflight.example + ["--color", "always"]).stdout.contains(escape))
        // no-color.org: an empty NO_COLOR does not switch colour off.
        #expect(try Preflight.run(Preflight.example + ["--color", "always"], environment: ["NO_COLOR": ""]).stdout.contains(escape))
        #expect(!(try Preflight.run(Preflight.example + ["--color", "never"]).stdout.contains(escape)))
        // auto: standard output here is a pipe, so no colour whatever the variables.
        #expect(!(try Preflight.run(Preflight.example, environment: ["NO_COLOR": "", "TERM": "xterm"]).stdout.contains(escape)))
        #expect(try Preflight.run(Preflight.example + ["--color", "sometimes"]).status == 2)
    }

    @Test func anUnwritableCacheFolderIsSaidOnce() throws {
        let folder = try makeTemporaryFolder("cache-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("not-a-folder")
        try Data().write(to: file)
        let run = try Preflight.run(Preflight.example + ["--quiet"], environment: ["PREFLIGHT_CACHE_DIR": file.path + "/cache"])
        #expect(run.status == 1)
        #expect(run.stderr.components(separatedBy: "result cache folder").count == 2, "said once: \(run.stderr)")
        #expect(run.stderr.contains(file.path))
    }

    @Test func ctrlCWhileImagesAreExaminedKeepsWhatWasLearnt() throws {
        let folder = try makeTemporaryFolder("interrupt-cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let source = Preflight.repository.appendingPathComponent("Fixtures/images/png-2560x1440.png")
        var lines: [String] = []
        for i in 0..<250 {
            try FileManager.default.copyItem(at: source, to: images.appendingPathComponent("\(i).png"))
            lines.append(#"{"source-ref":"s3://b/\#(i).png","label":1,"label-metadata":{"class-name":"cat","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z"}}"#)
        }
        let manifest = folder.appendingPathComponent("m.manifest")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: manifest)
        let arguments = ["check", manifest.path, "--root", images.path, "--jobs", "1", "--format", "json"]

        let process = Process()
        process.executableURL = Preflight.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["PREFLIGHT_CACHE_DIR": cache.path]) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        Thread.sleep(forTimeInterval: 1.0)
        process.interrupt()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted"))
        #expect(stderr.contains("kept in the result cache"))

        let again = try Preflight.run(arguments, environment: ["PREFLIGHT_CACHE_DIR": cache.path])
        let fromCache = try JSONParser.parse(again.stdout)["summary"]?["images_from_cache"]?.numberValue?.int64 ?? 0
        #expect(fromCache > 0, "the next run goes on from the images examined before the interruption")
        #expect(fromCache < 250)
    }
}
