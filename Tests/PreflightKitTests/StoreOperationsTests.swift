import Foundation
import Testing
import PreflightKit
import PreflightStore
import PreflightTestSupport

/// Folder datasets and manifest operations read from a store give what their local copies
/// give. The store is a `FolderStore`: a folder served as buckets, with S3's answers.
@Suite("Folder datasets and operations from a store")
struct StoreOperationsTests {
    static let images = KitFixtures.root.appendingPathComponent("images")

    /// `root/bucket/data/…`: a label tree with the entries the service leaves out.
    func labelTree() throws -> URL {
        let root = try makeTemporaryFolder("store-tree")
        let data = root.appendingPathComponent("bucket/data")
        let tree: [String: String] = [
            "cat/a.png": "png-rgb8.png", "cat/b.jpg": "jpeg-baseline.jpg", "dog/c.jpg": "jpeg-640x480.jpg",
            "dog/sub/d.jpg": "jpeg-truncated.jpg", "loose.png": "png-gray8.png", "dog/e.png": "gif-named.jpg",
            "cat/.f.jpg": "jpeg-baseline.jpg", ".hidden/g.jpg": "jpeg-baseline.jpg", "cat/h.jpg": "png-named.jpg",
            "cat/small.png": "png-small-32x48.png",
        ]
        for (key, fixture) in tree {
            let url = data.appendingPathComponent(key)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.images.appendingPathComponent(fixture), to: url)
        }
        try Data("notes".utf8).write(to: data.appendingPathComponent("dog/notes.txt"))
        return root
    }

    func options(store root: URL?) -> CheckOptions {
        var options = CheckOptions()
        options.jobs = 2
        if let root {
            options.store = FolderStore(root: root.path)
            options.resolver = SourceRefResolver(readsStore: true)
        }
        return options
    }

    /// A finding as both runs can state it: names below the dataset's folder.
    func seen(_ result: CheckResult, folder: String) -> [String] {
        result.findings.map { finding in
            let image = finding.image.map { $0.hasPrefix(folder) ? String($0.dropFirst(folder.count)) : "?" + $0 } ?? "-"
            return "\(finding.code) \(finding.line.map(String.init) ?? "-") \(image)"
        }
    }

    @Test func aFolderDatasetInAStoreIsCheckedAsItsLocalCopy() throws {
        let root = try labelTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let local = root.appendingPathComponent("bucket/data").path
        for location in [nil, "dog"] as [String?] {
            let fromDisk = try FolderCheck(options: options(store: nil)).run(training: local, location: location)
            let fromStore = try FolderCheck(options: options(store: root)).run(training: "s3://bucket/data/", location: location)
            #expect(seen(fromStore, folder: "s3://bucket/data") == seen(fromDisk, folder: local))
            #expect(!fromStore.findings.isEmpty)
            #expect(fromStore.imagesExamined == fromDisk.imagesExamined && fromStore.imagesExamined > 0)
            #expect(fromStore.stats.map(\.file) == ["s3://bucket/data/"])
        }
    }

    @Test func fromFolderListsTheStoreAsTheWalkFindsTheCopy() throws {
        let root = try labelTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let local = root.appendingPathComponent("bucket/data").path
        let fromDisk = try FromFolderOperation(folder: local, s3URI: "s3://bucket/data").run()
        let fromStore = try FromFolderOperation(folder: "s3://bucket/data/", s3URI: "s3://bucket/data",
                                                store: FolderStore(root: root.path)).run()
        // creation-date is each file's modification time either way; the rest is equal.
        func withoutDates(_ lines: [String]) -> [String] {
            lines.map { $0.replacingOccurrences(of: "\"creation-date\":\"[^\"]*\"", with: "", options: .regularExpression) }
        }
        #expect(withoutDates(fromStore.lines) == withoutDates(fromDisk.lines))
        #expect(fromStore.lines.count == 7)
        #expect(fromStore.listing.skipped.map(\.key) == fromDisk.listing.skipped.map(\.key))
    }

    @Test func fixReadsItsImagesFromAStoreAsFromTheCopy() throws {
        let root = try makeTemporaryFolder("store-fix")
        defer { try? FileManager.default.removeItem(at: root) }
        let example = KitFixtures.root.appendingPathComponent("example")
        try FileManager.default.copyItem(at: example, to: root.appendingPathComponent("example-bucket"))
        let manifest = example.appendingPathComponent("train.manifest").path
        var mapped = options(store: nil)
        mapped.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: example.path)])
        let outputs = (root.appendingPathComponent("local.manifest").path, root.appendingPathComponent("stored.manifest").path)
        let local = try FixOperation(input: manifest, output: outputs.0, options: mapped).run()
        let stored = try FixOperation(input: manifest, output: outputs.1, options: options(store: root)).run()
        #expect(try Data(contentsOf: URL(fileURLWithPath: outputs.1)) == Data(contentsOf: URL(fileURLWithPath: outputs.0)))
        // The same log, but that a missing image is a missing object.
        let missing = "no such object: s3://example-bucket/images/train-13.jpg"
        #expect(stored.log.map(\.text) == local.log.map {
            $0.text.replacingOccurrences(of: outputs.0, with: outputs.1).replacingOccurrences(of: "the file does not exist", with: missing)
        })
        #expect(local.log.count > 1)
    }
}
