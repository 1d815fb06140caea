import Foundation
import PreflightJSON
import Glibc
import Testing
@testable import PreflightKit
import PreflightTestSupport

/// A folder made at test time from copies of the committed fixtures; removed afterwards.
final class TemporaryTree {
    let root: URL
    init(_ tree: [String: ExampleImage] = [:]) throws {
        root = try makeTemporaryFolder("tree")
        try add(tree)
    }
    func add(_ tree: [String: ExampleImage]) throws {
        try RuleExampleRunner(fixtures: KitFixtures.root).materialize(tree, in: root)
    }
    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    func write(_ name: String, lines: [String]) throws -> String {
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: root.appendingPathComponent(name))
        return path(name)
    }
    func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: path(name), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }
    deinit { try? FileManager.default.removeItem(at: root) }
}

/// The seed's example tree, `alexa-devices`, with an image at its top.
let alexaDevices: [String: ExampleImage] = [
    "alexa-devices/echo/echo-image-1.png": .tagged("png-rgb8.png", tag: 1),
    "alexa-devices/echo/echo-image-2.png": .tagged("png-rgb8.png", tag: 2),
    "alexa-devices/echo-dot/echo-dot-image-1.png": .tagged("png-rgb8.png", tag: 3),
    "alexa-devices/echo-dot/echo-dot-image-2.png": .tagged("png-rgb8.png", tag: 4),
    "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-image-1.png": .tagged("png-rgb8.png", tag: 5),
    "alexa-devices/echo-dot/white-echo-dot/white-echo-dot-image-2.png": .tagged("png-rgb8.png", tag: 6),
    "alexa-devices/alexa-devices-image.png": .tagged("png-rgb8.png", tag: 7),
]

func checkFolder(_ path: String, location: String? = nil, test: String? = nil) throws -> CheckResult {
    try FolderCheck(options: CheckOptions()).run(training: path, test: test, location: location)
}

@Suite("Folder datasets")
struct FolderDatasetTests {
    @Test func seedTreeIsLabelledByTheTopFoldersOrByTheDeeperLocation() throws {
        let tree = try TemporaryTree(alexaDevices)
        let folder = tree.path("alexa-devices")

        let top = try checkFolder(folder)
        let stats = try #require(top.stats(for: .training))
        #expect(stats.file == folder)
        #expect(stats.classificationLabels.mapValues(\.images) == ["echo": 2, "echo-dot": 4])
        #expect(top.findings.filter { $0.severity == .error }.map(\.code) == [])
        let unlabelled = top.findings.filter { $0.code == FolderUnlabeledImage.definition.code }
        #expect(unlabelled.map(\.image) == [folder + "/alexa-devices-image.png"])
        #expect(unlabelled.allSatisfy { $0.file == folder && $0.line == nil })
        let nested = try #require(top.findings.first { $0.code == FolderNestedLabels.definition.code })
        #expect(nested.image == folder + "/echo-dot")
        #expect(nested.details["labels_at_location"] == [["name": "white-echo-dot", "images": 2]])
        #expect(nested.details["unlabeled_at_location"] == 2)

        let deeper = try checkFolder(folder, location: "echo-dot")
        #expect(deeper.stats(for: .training)?.classificationLabels.mapValues(\.images) == ["white-echo-dot": 2])
        #expect(deeper.findings.filter { $0.code == FolderUnlabeledImage.definition.code }.map(\.image)
                == [folder + "/echo-dot/echo-dot-image-1.png", folder + "/echo-dot/echo-dot-image-2.png"])
        // One label is too few for image-level labels, and the check says so.
        #expect(deeper.findings.contains { $0.code == ManifestTooFewLabels.definition.code })
    }

    @Test func findingsPointAtTheFolderAndTheImageLine() throws {
        let tree = try TemporaryTree([
            "shapes/cat/a.jpg": .tagged("jpeg-baseline.jpg", tag: 1),
            "shapes/cat/b.jpg": .fixture("jpeg-truncated.jpg"),
            "shapes/dog/c.jpg": .tagged("jpeg-baseline.jpg", tag: 2),
            "shapes/dog/d.jpg": .fixture("gif-named.jpg"),
        ])
        let folder = tree.path("shapes") + "/"
        let result = try checkFolder(folder)
        let invalid = result.findings.filter { $0.code == InvalidImage.definition.code }
        #expect(invalid.map(\.line) == [2, 4])
        #expect(invalid.map(\.image) == [tree.path("shapes/cat/b.jpg"), tree.path("shapes/dog/d.jpg")])
        #expect(invalid.allSatisfy { $0.file == folder && $0.sourceRef == nil })
        #expect(result.inputs.map(\.path) == [folder])
        #expect(result.stats(for: .training)?.buckets.isEmpty == true)
    }

    @Test func loopsBrokenLinksSpecialFilesAndHiddenEntriesAreFindings() throws {
        let tree = try TemporaryTree([
            "data/cat/a.jpg": .tagged("jpeg-baseline.jpg", tag: 1),
            "data/cat/up": .symlink(".."),
            "data/cat/self": .symlink("self"),
            "data/cat/gone.jpg": .symlink("nowhere.jpg"),
            "data/cat/notes.txt": .text("not an image"),
            "data/cat/c.jpe": .tagged("jpeg-baseline.jpg", tag: 9),
            "data/dog/b.jpg": .tagged("jpeg-baseline.jpg", tag: 2),
            "data/dog/same": .symlink("../cat"),
            "data/dog/outside": .symlink("/"),
            "data/.cache/x.jpg": .tagged("jpeg-baseline.jpg", tag: 3),
        ])
        #expect(mkfifo(tree.path("data/dog/pipe"), 0o644) == 0)
        let listing = try FolderWalker.walk(tree.path("data"))
        #expect(listing.images.map(\.key) == ["cat/a.jpg", "dog/b.jpg"])
        let skips = Dictionary(uniqueKeysWithValues: listing.skipped.map { ($0.key, $0.skip) })
        #expect(skips[".cache"] == .hidden(isFolder: true))
        #expect(skips["cat/up"] == .symlinkLoop(target: ".."))
        #expect(skips["dog/same"] == .symlinkLoop(target: "../cat"))
        #expect(skips["dog/outside"] == .symlinkOutside(target: "/"))
        #expect(skips["cat/notes.txt"] == .notAnImage(kind: "file"))
        #expect(skips["cat/c.jpe"] == .unsupportedImage(format: .jpeg))
        #expect(skips["dog/pipe"] == .notAnImage(kind: "named pipe (FIFO)"))
        if case .unreadable(let reason)? = skips["cat/gone.jpg"] { #expect(reason.contains("nowhere.jpg")) } else { Issue.record("gone.jpg: \(String(describing: skips["cat/gone.jpg"]))") }
        if case .unreadable? = skips["cat/self"] {} else { Issue.record("self: \(String(describing: skips["cat/self"]))") }

        let result = try checkFolder(tree.path("data"))
        let codes = Set(result.findings.map(\.code))
        for rule in [FolderHiddenEntry.self, FolderSymlinkLoop.self, FolderSymlinkOutside.self, FolderNotAnImage.self,
                     FolderUnsupportedImage.self, FolderUnreadable.self] as [any FolderRule.Type] {
            #expect(codes.contains(rule.definition.code), "\(rule.definition.code)")
        }
        #expect(result.stats(for: .training)?.totalLines == 2)
    }

    @Test(.enabled(if: geteuid() != 0, "permissions do not stop root"))
    func unreadableFolderIsAFinding() throws {
        let tree = try TemporaryTree(["data/cat/a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "data/dog/b.jpg": .tagged("jpeg-baseline.jpg", tag: 2)])
        #expect(chmod(tree.path("data/dog"), 0) == 0)
        defer { chmod(tree.path("data/dog"), 0o755) }
        let result = try checkFolder(tree.path("data"))
        let finding = try #require(result.findings.first { $0.code == FolderUnreadable.definition.code })
        #expect(finding.image == tree.path("data/dog"))
        #expect(result.stats(for: .training)?.totalLines == 1)
    }

    @Test func locationMustBeAFolderInside() throws {
        let tree = try TemporaryTree(alexaDevices)
        #expect(throws: FolderError.self) { try checkFolder(tree.path("alexa-devices"), location: "../alexa-devices") }
        #expect(throws: FolderError.self) { try checkFolder(tree.path("alexa-devices"), location: "echo/echo-image-1.png") }
        // A path that is not a folder is a manifest, checked as before.
        #expect(try checkFolder(tree.path("missing")).unreadableManifests == [tree.path("missing")])
        #expect(throws: FolderError.self) {
            try FolderCheck(options: CheckOptions()).run(training: KitFixtures.root.appendingPathComponent("example/train.manifest").path, location: "x")
        }
    }

    @Test func fromFolderThenCheckFindsWhatTheFolderCheckFinds() throws {
        let tree = try TemporaryTree(alexaDevices)
        let folder = tree.path("alexa-devices")
        let operation = FromFolderOperation(folder: folder, s3URI: "s3://my-bucket/datasets/alexa-devices/")
        let outcome = try operation.run()
        #expect(outcome.lines == (try operation.run()).lines, "the same tree gives the same manifest")
        #expect(outcome.lines.count == 6)
        #expect(outcome.lines.first?.hasPrefix(#"{"source-ref":"s3://my-bucket/datasets/alexa-devices/echo/echo-image-1.png","label":0,"#) == true)
        #expect(outcome.lines.last?.contains("echo-dot/white-echo-dot/white-echo-dot-image-2.png") == true)
        #expect(outcome.log.contains { $0.text.contains("1 image directly in") })

        let manifest = try tree.write("alexa.manifest", lines: outcome.lines)
        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://my-bucket/datasets/alexa-devices=\(folder)")!])
        let result = CheckEngine(options: options).run([ManifestInput(path: manifest, role: .training)])
        #expect(result.findings.filter { $0.severity == .error }.map(\.code) == [])
        #expect(result.stats(for: .training)?.classificationLabels == (try checkFolder(folder)).stats(for: .training)?.classificationLabels)
        #expect(result.stats(for: .training)?.validLines == 6)

        let deeper = try FromFolderOperation(folder: folder, s3URI: "s3://my-bucket", location: "echo-dot").run()
        #expect(deeper.lines.count == 2)
        #expect(deeper.lines.allSatisfy { $0.contains(#""source-ref":"s3://my-bucket/echo-dot/white-echo-dot/"#) && $0.contains(#""class-name":"white-echo-dot""#) })
        #expect(throws: OperationError.self) { try FromFolderOperation(folder: folder, s3URI: "my-bucket/x").run() }
    }
}
