import Foundation
import PreflightJSON
import PreflightKit
import PreflightTestSupport
import Testing

/// The pixel checks from the command line: `--threshold`, the statement of what was measured,
/// and the result cache.
@Suite("Pixel checks on the command line")
struct PixelChecksCLITests {
    static let quality = Preflight.repository.appendingPathComponent("Fixtures/images/quality").path
    static let names = QualityThresholds.settings.map(\.name)

    static func line(_ image: String, _ label: String = "cat") -> String {
        #"{"source-ref":"s3://quality/\#(image)","label":1,"label-metadata":{"class-name":"\#(label)","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/example"}}"#
    }

    /// Every line 1-based: scene A (1), its half-size copy (2), blurred (3), dark (4), washed out
    /// (5), uniform (6), sharp (7), scene B (8).
    static let images = ["scene-a.jpg", "scene-a-half.jpg", "blur-6.jpg", "dark.jpg", "washed-out.jpg", "uniform.jpg", "sharp.jpg", "scene-b.jpg"]

    /// A manifest of the quality fixtures in a folder of its own, with the arguments that check it
    /// and a result cache of its own.
    struct Dataset {
        var folder: URL
        var arguments: [String]
        var cache: URL { folder.appendingPathComponent("cache") }

        init(_ purpose: String) throws {
            folder = try makeTemporaryFolder("pixel-cli-\(purpose)")
            let manifest = folder.appendingPathComponent("train.manifest")
            let lines = PixelChecksCLITests.images.enumerated().map { PixelChecksCLITests.line($0.element, $0.offset % 2 == 0 ? "cat" : "dog") }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: manifest)
            arguments = ["check", manifest.path, "--map", "s3://quality=\(PixelChecksCLITests.quality)", "--format", "json"]
        }

        func run(_ extra: [String] = []) throws -> (Preflight.Run, JSONValue?) {
            let run = try Preflight.run(arguments + extra, environment: ["PREFLIGHT_CACHE_DIR": cache.path])
            return (run, try? JSONParser.parse(run.stdout))
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    static func findings(_ report: JSONValue?, _ code: String) -> [Int64] {
        (report?["findings"]?.arrayValue ?? []).filter { $0["code"]?.stringValue == code }
            .compactMap { $0["line"]?.numberValue?.int64 }.sorted()
    }

    // MARK: --threshold

    @Test(arguments: ["sharpness-floor=0.1", "min-sharpness=11", "min-sharpness=-1", "min-sharpness=much",
                      "near-duplicate-distance=2.5", "min-sharpness", "=0.1"])
    func aBadThresholdStopsTheRunBeforeAnyImageIsRead(_ setting: String) throws {
        let dataset = try Dataset("bad-threshold")
        defer { dataset.remove() }
        let (run, _) = try dataset.run(["--threshold", setting])
        #expect(run.status == 2, "\(setting)")
        #expect(run.stderr.contains("--threshold \(setting)"), "\(setting): \(run.stderr)")
        #expect(run.stdout.isEmpty, "\(setting): no report")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: dataset.cache.path)) ?? []
        #expect(cached.isEmpty, "\(setting): an image was read before the refusal")
    }

    @Test func aBadThresholdSaysWhatIsAllowed() throws {
        let dataset = try Dataset("threshold-message")
        defer { dataset.remove() }
        let unknown = try dataset.run(["--threshold", "sharpness-floor=0.1"]).0.stderr
        #expect(unknown.contains("unknown threshold 'sharpness-floor'"))
        for name in Self.names { #expect(unknown.contains(name), "the names allowed: \(name)") }
        #expect(try dataset.run(["--threshold", "min-sharpness=11"]).0.stderr.contains("from 0 to 10"))
        #expect(try dataset.run(["--threshold", "near-duplicate-distance=2.5"]).0.stderr.contains("a whole number"))
        #expect(try dataset.run(["--threshold", "min-sharpness"]).0.stderr.contains("NAME=VALUE"))
    }

    @Test func aLowerSharpnessThresholdSilencesTheBlurredImage() throws {
        let dataset = try Dataset("sharpness")
        defer { dataset.remove() }
        let (plain, report) = try dataset.run()
        #expect(plain.status != 2, "\(plain.stderr)")
        #expect(Self.findings(report, "PREFLIGHT_BLURRY_IMAGE") == [3])
        let (lowered, silenced) = try dataset.run(["--threshold", "min-sharpness=0.02"])
        #expect(lowered.status != 2, "\(lowered.stderr)")
        #expect(Self.findings(silenced, "PREFLIGHT_BLURRY_IMAGE") == [])
        #expect(silenced?["inputs"]?["thresholds"]?["min-sharpness"]?.numberValue?.double == 0.02)
        // The other checks are untouched.
        #expect(Self.findings(silenced, "PREFLIGHT_DARK_IMAGE") == [4])
    }

    @Test func theRulesCommandListsEveryThreshold() throws {
        let run = try Preflight.run(["rules", "--thresholds"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.names.count == 11)
        for setting in QualityThresholds.settings {
            #expect(run.stdout.contains(setting.name), "\(setting.name)")
            for code in setting.codes { #expect(run.stdout.contains(code), "\(setting.name): \(code)") }
        }
    }

    // MARK: What the report says was measured

    @Test func fullModeMeasuresEveryImageAndReportsEveryThreshold() throws {
        let dataset = try Dataset("full")
        defer { dataset.remove() }
        let (run, report) = try dataset.run()
        #expect(run.status != 2, "\(run.stderr)")
        let summary = report?["summary"]
        #expect(summary?["pixel_checks_run"]?.boolValue == true)
        #expect(summary?["images_measured"]?.numberValue?.int64 == Int64(Self.images.count))
        let thresholds = report?["inputs"]?["thresholds"]?.objectValue
        #expect(thresholds?.keys.sorted() == Self.names.sorted())
        for setting in QualityThresholds.settings {
            #expect(thresholds?[setting.name]?.numberValue?.double == setting.defaultValue, "\(setting.name)")
        }
        #expect(Self.findings(report, "PREFLIGHT_NEAR_DUPLICATE_IMAGE") == [2])
        #expect(Self.findings(report, "PREFLIGHT_BRIGHT_IMAGE") == [5])
        #expect(Self.findings(report, "PREFLIGHT_LOW_INFORMATION_IMAGE") == [6])
    }

    @Test func headerModeSaysNoPixelChecksWereMade() throws {
        let dataset = try Dataset("header")
        defer { dataset.remove() }
        let (run, report) = try dataset.run(["--mode", "header"])
        #expect(run.status != 2, "\(run.stderr)")
        let summary = report?["summary"]
        #expect(summary?["pixel_checks_run"]?.boolValue == false)
        #expect(summary?["images_measured"]?.numberValue?.int64 == 0)
        let statement = summary?["images_statement"]?.stringValue ?? ""
        #expect(statement.contains("no pixel checks"), "\(statement)")
        for code in QualityThresholds.pixelRuleCodes { #expect(Self.findings(report, code).isEmpty, "\(code)") }
    }

    @Test func ignoringEveryPixelCheckMeasuresNothing() throws {
        let dataset = try Dataset("ignored")
        defer { dataset.remove() }
        let ignores = QualityThresholds.pixelRuleCodes.sorted().flatMap { ["--ignore", $0] }
        #expect(ignores.count == 12)
        let (run, report) = try dataset.run(ignores)
        #expect(run.status != 2, "\(run.stderr)")
        let summary = report?["summary"]
        #expect(summary?["pixel_checks_run"]?.boolValue == false)
        #expect(summary?["images_measured"]?.numberValue?.int64 == 0)
        let statement = summary?["images_statement"]?.stringValue ?? ""
        #expect(statement.contains("pixel checks switched off"), "\(statement)")

        // Five of the six ignored, with the same result cache: the pixels are measured, for the
        // one left (the run before must not have left unmeasured images where this run looks).
        let (_, five) = try dataset.run(Array(ignores.dropLast(2)))
        #expect(five?["summary"]?["pixel_checks_run"]?.boolValue == true)
        #expect(five?["summary"]?["images_measured"]?.numberValue?.int64 == Int64(Self.images.count))
    }

    // MARK: The result cache

    @Test func aCachedRunReportsTheSamePixelFindings() throws {
        let dataset = try Dataset("cache")
        defer { dataset.remove() }
        func pixelFindings(_ report: JSONValue?) -> [String] {
            (report?["findings"]?.arrayValue ?? [])
                .filter { QualityThresholds.pixelRuleCodes.contains($0["code"]?.stringValue ?? "") }
                .map { JSONWriter.serialize($0) }.sorted()
        }
        let (first, firstReport) = try dataset.run()
        #expect(first.status != 2, "\(first.stderr)")
        #expect(firstReport?["summary"]?["images_from_cache"]?.numberValue?.int64 == 0)
        let (second, secondReport) = try dataset.run()
        #expect(second.status == first.status)
        #expect(secondReport?["summary"]?["images_from_cache"]?.numberValue?.int64 == Int64(Self.images.count))
        #expect(secondReport?["summary"]?["images_measured"]?.numberValue?.int64 == Int64(Self.images.count))
        let found = pixelFindings(firstReport)
        #expect(found.count >= 5, "near-duplicate, blurred, dark, washed out, uniform")
        #expect(pixelFindings(secondReport) == found)
    }
}
