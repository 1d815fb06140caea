import Foundation
import Testing
import PreflightJSON
@testable import ImageEngine
@testable import PreflightKit
import PreflightTestSupport

@Suite("The result cache")
struct ResultCacheTests {
    /// A copy of the example dataset in a temporary folder, so tests can change its files.
    final class Workspace {
        let folder: URL
        let cache: URL
        init() throws {
            folder = try makeTemporaryFolder("cache")
            cache = folder.appendingPathComponent("cache")
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: KitFixtures.root.appendingPathComponent("example"),
                                             to: folder.appendingPathComponent("example"))
        }
        deinit { try? FileManager.default.removeItem(at: folder) }

        func run(cache useCache: Bool = true, verify: Bool = false, mode: ProbeMode = .full) -> (CheckResult, ResultCache?) {
            var options = CheckOptions()
            options.mode = mode
            options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: folder.appendingPathComponent("example").path)])
            let cache = useCache ? ResultCache(directory: self.cache.path, options: options.probeOptions) : nil
            options.cache = cache
            options.verifyCache = verify
            let inputs = [ManifestInput(path: folder.appendingPathComponent("example/train.manifest").path, role: .training),
                          ManifestInput(path: folder.appendingPathComponent("example/test.manifest").path, role: .testing)]
            return (CheckEngine(options: options).run(inputs), cache)
        }
        func image(_ name: String) -> URL { folder.appendingPathComponent("example/images/\(name)") }
    }

    /// What a finding says, minus nothing: the cached run must say exactly the same.
    func signature(_ result: CheckResult) -> [String] {
        result.findings.map { "\($0.code)|\($0.role)|\($0.line ?? 0)|\($0.annotationIndex ?? -1)|\($0.details)" }
    }

    @Test func secondRunTakesEveryReadableImageFromTheCacheAndFindsTheSame() throws {
        let workspace = try Workspace()
        let (first, firstCache) = workspace.run()
        #expect(firstCache?.hits.load(ordering: .relaxed) == 0)
        let (second, cache) = workspace.run()
        #expect(cache?.hits.load(ordering: .relaxed) == 27, "every image but the missing one")
        #expect(second.imagesFromCache == 27)
        #expect(signature(first) == signature(second))
        let (uncached, _) = workspace.run(cache: false)
        #expect(signature(uncached) == signature(second))
    }

    @Test func aChangedFileIsExaminedAgain() throws {
        let workspace = try Workspace()
        let (first, _) = workspace.run()
        #expect(!first.findings.contains { $0.code == "ERROR_INVALID_IMAGE" && $0.line == 1 })
        // Replace the first training image with a truncated JPEG.
        let target = workspace.image("train-01.jpg")
        let truncated = try Data(contentsOf: KitFixtures.root.appendingPathComponent("images/jpeg-truncated.jpg"))
        try truncated.write(to: target)
        let (second, cache) = workspace.run()
        #expect(cache?.misses.load(ordering: .relaxed) ?? 0 >= 1)
        #expect(second.findings.contains { $0.code == "ERROR_INVALID_IMAGE" && $0.line == 1 && $0.role == .training })
    }

    @Test func verificationHashesAndStillHits() throws {
        let workspace = try Workspace()
        _ = workspace.run(verify: true)
        let (_, cache) = workspace.run(verify: true)
        #expect(cache?.hits.load(ordering: .relaxed) == 27)
        let stored = try String(contentsOfFile: cache!.file, encoding: .utf8)
        #expect(stored.contains("\"h\":\""), "hashes are stored when verification is asked for")
    }

    @Test func aDamagedCacheFileIsIgnored() throws {
        let workspace = try Workspace()
        let (_, cache) = workspace.run()
        try Data("{not json\n\u{0}\u{1}garbage\n{\"p\":1}\n".utf8).write(to: URL(fileURLWithPath: cache!.file))
        let (result, again) = workspace.run()
        #expect(again?.hits.load(ordering: .relaxed) == 0)
        #expect(result.findings.contains { $0.code == "ERROR_INVALID_JSON_LINE" })
    }

    @Test func eachModeHasItsOwnCacheFile() throws {
        let workspace = try Workspace()
        let (_, full) = workspace.run(mode: .full)
        let (_, header) = workspace.run(mode: .header)
        #expect(full!.file != header!.file)
        #expect(header?.hits.load(ordering: .relaxed) == 0)
    }

    @Test func everyFixtureImagesFactsSurviveTheCacheEncoding() throws {
        let folder = KitFixtures.root.appendingPathComponent("images")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".md") }
        #expect(names.count > 40)
        for mode in [ProbeMode.full, .header] {
            let probe = ImageProbe(options: ProbeOptions(mode: mode))
            for name in names {
                let facts = probe.examine(path: folder.appendingPathComponent(name).path)
                let text = JSONWriter.serialize(ResultCache.encode(facts))
                let back = try JSONParser.parse(text)
                #expect(ResultCache.decode(back, path: facts.path, mode: mode) == facts, "\(name) \(mode): \(text)")
            }
        }
    }
}
