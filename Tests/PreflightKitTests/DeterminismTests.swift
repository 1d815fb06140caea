import Foundation
import Testing
@testable import ImageEngine
@testable import PreflightKit
import PreflightTestSupport

/// The findings do not depend on how the work is spread: any number of threads, with the
/// result cache or without, in the order the lines were written.
@Suite("Same findings however the work is spread")
struct DeterminismTests {
    /// The example dataset's training lines repeated past several line batches, with broken
    /// lines among them, so batches, duplicates and findings all cross batch boundaries.
    static func largeManifest() throws -> (folder: URL, manifest: URL) {
        let folder = try makeTemporaryFolder("determinism")
        try FileManager.default.copyItem(at: KitFixtures.root.appendingPathComponent("example/images"),
                                         to: folder.appendingPathComponent("images"))
        let lines = try String(contentsOf: KitFixtures.root.appendingPathComponent("example/train.manifest"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        var out: [String] = []
        for i in 0..<(3 * LineBatch.capacity + 17) {
            out.append(i % 997 == 5 ? "{\"source-ref\": " : lines[i % lines.count])
        }
        let manifest = folder.appendingPathComponent("train.manifest")
        try Data((out.joined(separator: "\n") + "\n").utf8).write(to: manifest)
        return (folder, manifest)
    }

    func run(_ manifest: URL, images: URL, jobs: Int, mode: ProbeMode, cache: ResultCache? = nil) -> CheckResult {
        var options = CheckOptions()
        options.mode = mode
        options.jobs = jobs
        options.cache = cache
        options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: images.path)])
        return CheckEngine(options: options).run([ManifestInput(path: manifest.path, role: .training)])
    }

    func signature(_ result: CheckResult) -> [String] {
        result.findings.map { "\($0.code)|\($0.line ?? 0)|\($0.attribute ?? "")|\($0.annotationIndex ?? -1)|\($0.image ?? "")|\($0.details)" }
            + result.stats.map { "\($0.totalLines) \($0.validLines) \($0.invalidLines) \($0.distinctImages) \($0.invalidLineNumbers)" }
    }

    @Test(arguments: [ProbeMode.header, .full])
    func anyNumberOfThreadsAndTheCacheGiveTheSameFindings(mode: ProbeMode) throws {
        let (folder, manifest) = try Self.largeManifest()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = signature(run(manifest, images: folder, jobs: 1, mode: mode))
        #expect(reference.count > 3 * LineBatch.capacity, "every line past the first has a duplicate image")
        let lines = reference.compactMap { $0.split(separator: "|").dropFirst().first.flatMap { Int($0) } }.filter { $0 > 0 }
        #expect(lines == lines.sorted(), "findings are in line order")
        for jobs in [2, 3, 8] {
            #expect(signature(run(manifest, images: folder, jobs: jobs, mode: mode)) == reference, "jobs \(jobs)")
        }
        let cacheFolder = folder.appendingPathComponent("cache").path
        try FileManager.default.createDirectory(atPath: cacheFolder, withIntermediateDirectories: true)
        let options = ProbeOptions(mode: mode)
        _ = run(manifest, images: folder, jobs: 2, mode: mode, cache: ResultCache(directory: cacheFolder, options: options))
        let cache = ResultCache(directory: cacheFolder, options: options)
        #expect(signature(run(manifest, images: folder, jobs: 2, mode: mode, cache: cache)) == reference)
        #expect(cache.hits.load(ordering: .relaxed) > 0)
    }
}
