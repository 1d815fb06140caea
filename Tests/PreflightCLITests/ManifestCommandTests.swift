import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport

/// A scratch folder for one test, removed afterwards.
final class Scratch {
    let url: URL
    init() throws {
        url = try makeTemporaryFolder("cli")
    }
    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }
    /// Copies `Fixtures/images/FIXTURE` to RELATIVE, creating folders.
    func copy(_ fixture: String, to relative: String) throws {
        let target = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Preflight.repository.appendingPathComponent("Fixtures/images/\(fixture)"), to: target)
    }
    func write(_ relative: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(relative))
        return path(relative)
    }
    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The seed's `alexa-devices` tree, each image a different fixture.
func alexaDevices(in scratch: Scratch) throws -> String {
    for (fixture, path) in [("png-rgb8.png", "echo/echo-image-1.png"), ("png-rgba8.png", "echo/echo-image-2.png"),
                            ("png-gray8.png", "echo-dot/echo-dot-image-1.png"), ("png-interlaced.png", "echo-dot/echo-dot-image-2.png"),
                            ("jpeg-baseline.jpg", "echo-dot/white-echo-dot/white-echo-dot-image-1.jpg"),
                            ("jpeg-progressive.jpg", "echo-dot/white-echo-dot/white-echo-dot-image-2.jpg"),
                            ("jpeg-gray.jpg", "alexa-devices-image.jpg")] {
        try scratch.copy(fixture, to: "alexa-devices/" + path)
    }
    return scratch.path("alexa-devices")
}

@Suite("Folder check and manifest commands")
struct ManifestCommandTests {
    @Test func checkTakesAFolderAndItsLocation() throws {
        let scratch = try Scratch()
        let folder = try alexaDevices(in: scratch)
        let report = scratch.path("report.json")
        let run = try Preflight.run(["check", folder, "--no-cache", "--format", "json", "--output", report])
        #expect(run.status == 0, "\(run.stderr)")
        try SchemaValidator.validate(report, schema: Preflight.repository.appendingPathComponent("docs/report.schema.json").path)
        let json = try JSONParser.parse(try scratch.read("report.json"))
        #expect(json["inputs"]?["manifests"]?["training"]?.stringValue == folder)
        let labels = json["summary"]?["datasets"]?.arrayValue?.first?["labels"]?["image_level"]?.arrayValue ?? []
        #expect(labels.map { $0["name"]?.stringValue ?? "" } == ["echo", "echo-dot"])
        #expect(labels.map { $0["images"]?.numberValue?.int64 ?? 0 } == [2, 4])
        let unlabelled = json["findings"]?.arrayValue?.first { $0["code"]?.stringValue == "PREFLIGHT_FOLDER_UNLABELED_IMAGE" }
        #expect(unlabelled?["scope"]?.stringValue == "folder_entry")
        #expect(unlabelled?["image"]?.stringValue == folder + "/alexa-devices-image.jpg")

        let text = try Preflight.run(["check", folder, "--no-cache"])
        #expect(text.stdout.contains("image-level labels: echo (2 images), echo-dot (4 images)"))
        #expect(text.stdout.contains("images without a label (not used): 1"))
        #expect(text.stdout.contains("with --location echo-dot: white-echo-dot (2 images); 2 images without a label"))

        let deeper = try Preflight.run(["check", folder, "--location", "echo-dot", "--no-cache"])
        #expect(deeper.status == 1)
        #expect(deeper.stdout.contains("image-level labels: white-echo-dot (2 images)"))
        #expect(deeper.stdout.contains("ERROR_MANIFEST_TOO_FEW_LABELS"))

        #expect(try Preflight.run(["check", folder, "--location", "../elsewhere"]).status == 2)
        #expect(try Preflight.run(["check", "Fixtures/example/train.manifest", "--location", "x"]).status == 2)
        #expect(try Preflight.run(["check", folder, "--rekognition-dir", scratch.path("out")]).status == 2)
    }

    @Test func fromFolderWritesTheManifestThatChecksClean() throws {
        let scratch = try Scratch()
        let folder = try alexaDevices(in: scratch)
        let printed = try Preflight.run(["manifest", "from-folder", folder, "--s3-uri", "s3://my-bucket/alexa-devices"])
        #expect(printed.status == 0)
        #expect(printed.stdout.split(separator: "\n").count == 6)
        #expect(printed.stderr.contains("6 images in 2 labels: echo (2), echo-dot (4)"))

        let manifest = scratch.path("alexa.manifest")
        let written = try Preflight.run(["manifest", "from-folder", folder, "--s3-uri", "s3://my-bucket/alexa-devices", "-o", manifest])
        #expect(written.status == 0 && written.stdout.contains("6 images"))
        #expect(try scratch.read("alexa.manifest") == printed.stdout)
        let checked = try Preflight.run(["check", manifest, "--map", "s3://my-bucket/alexa-devices=\(folder)", "--no-cache"])
        #expect(checked.status == 0, "\(checked.stdout)")
        #expect(try Preflight.run(["manifest", "from-folder", folder, "--s3-uri", "nonsense"]).status == 2)
    }

    @Test func manifestCommandsExitWithOneOnProblemsAndTwoWhenNothingIsWritten() throws {
        let scratch = try Scratch()
        func line(_ image: String, _ label: String) -> String {
            #"{"source-ref":"s3://b/\#(image)","l":1,"l-metadata":{"class-name":"\#(label)","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12"}}"#
        }
        let all = try scratch.write("all.manifest", [line("a", "cat"), line("b", "cat"), line("c", "dog"), line("d", "dog"), line("e", "fish")]
            .joined(separator: "\n") + "\n")
        let split = try Preflight.run(["manifest", "split", all, "--seed", "3", "-o", scratch.path("train.manifest"), "-o", scratch.path("test.manifest")])
        #expect(split.status == 1)
        #expect(split.stdout.contains("fish"))
        #expect(try scratch.read("train.manifest").contains(#"s3://b/e""#))
        #expect(try Preflight.run(["manifest", "split", all, "-o", scratch.path("only-one.manifest")]).status == 2)

        let other = try scratch.write("other.manifest", line("a", "dog") + "\n")
        let merge = try Preflight.run(["manifest", "merge", all, other, "-o", scratch.path("merged.manifest")])
        #expect(merge.status == 1)
        #expect(merge.stdout.contains("conflict"))
        let before = try scratch.read("all.manifest")
        #expect(try Preflight.run(["manifest", "merge", all, other, "-o", all]).status == 2)
        #expect(try scratch.read("all.manifest") == before)

        let fix = try Preflight.run(["manifest", "fix", "Fixtures/example/train.manifest", "--map", "s3://example-bucket=Fixtures/example",
                                     "--no-cache", "-o", scratch.path("fixed.manifest")])
        #expect(fix.status == 0, "\(fix.stdout)\(fix.stderr)")
        #expect(fix.stdout.contains("line 13: dropped (ERROR_INVALID_IMAGE"))
        let recheck = try Preflight.run(["check", scratch.path("fixed.manifest"), "--test", "Fixtures/example/test.manifest",
                                         "--map", "s3://example-bucket=Fixtures/example", "--no-cache", "--format", "json"])
        let codes = (try JSONParser.parse(recheck.stdout)["findings"]?.arrayValue ?? [])
            .filter { $0["dataset"]?.stringValue == "training" && $0["severity"]?.stringValue == "error" }
        #expect(codes.isEmpty)

        let convert = try Preflight.run(["manifest", "convert", "--from", "coco", "Fixtures/manifests/coco-shapes.json",
                                         "--s3-uri", "s3://example-bucket/coco", "-o", scratch.path("coco.manifest")])
        #expect(convert.status == 0)
        #expect(try Preflight.run(["manifest", "convert", "--from", "coco", "Fixtures/manifests/coco-shapes.json",
                                   "-o", scratch.path("x.manifest")]).status == 2)
        #expect(try Preflight.run(["manifest", "convert", "--from", "yaml", all, "-o", scratch.path("y.manifest")]).status == 2)
    }
}
