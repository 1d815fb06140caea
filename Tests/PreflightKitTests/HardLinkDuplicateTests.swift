import Foundation
import ImageEngine
import Testing
import PreflightTestSupport
@testable import PreflightKit

/// Names of one file (hard links) have the same bytes without reading them: the duplicate
/// search reads and compares each file once, whatever the number of its names, and reports
/// what it reported when every name was read.
@Suite("Duplicate images under hard links")
struct HardLinkDuplicateTests {
    /// A folder holding: the JPEG `a` under five names and a copy of it (another file with
    /// the same bytes); the PNG `b` under four names; the PNG `c` once.
    final class Layout {
        let folder: URL
        let names: [String]
        let aNames: [String] = ["a0.jpg", "a1.jpg", "a2.jpg", "a3.jpg", "a4.jpg", "a-copy.jpg"]
        let bNames = ["b0.png", "b1.png", "b2.png", "b3.png"]

        /// `linked`: the repeated names are hard links; else each is a copy of its own.
        init(linked: Bool) throws {
            // Interleaved, as a manifest would name them.
            names = ["a0.jpg", "b0.png", "a1.jpg", "c.png", "b1.png", "a2.jpg", "a-copy.jpg", "b2.png", "a3.jpg", "b3.png", "a4.jpg"]
            let folder = try makeTemporaryFolder("hard-links")
            self.folder = folder
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Fixtures/images")
            let manager = FileManager.default
            func place(_ fixture: String, as names: [String]) throws {
                let first = folder.appendingPathComponent(names[0])
                try manager.copyItem(at: fixtures.appendingPathComponent(fixture), to: first)
                for name in names.dropFirst() {
                    let url = folder.appendingPathComponent(name)
                    if linked { try manager.linkItem(at: first, to: url) } else { try manager.copyItem(at: first, to: url) }
                }
            }
            try place("jpeg-baseline.jpg", as: Array(aNames.prefix(5)))
            try manager.copyItem(at: folder.appendingPathComponent("a0.jpg"), to: folder.appendingPathComponent("a-copy.jpg"))
            try place("png-rgb8.png", as: bNames)
            try place("png-gray8.png", as: ["c.png"])
        }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    private func search(_ layout: Layout, mode: ProbeMode) -> (groups: [String: Int], work: ImageCatalog.ContentSearchWork) {
        var catalog = ImageCatalog()
        for name in layout.names { catalog.add(layout.path(name), directory: layout.folder.path) }
        catalog.examineAll(probe: ImageProbe(options: ProbeOptions(mode: mode)), jobs: 2, cache: nil, verify: false, progress: nil)
        var work = ImageCatalog.ContentSearchWork()
        let groups = catalog.identicalContentGroups(jobs: 2, cache: nil, work: &work)
        return (groups, work)
    }

    /// The groups as sets of names, whatever their numbers.
    private func partition(_ groups: [String: Int], _ layout: Layout) -> Set<Set<String>> {
        Set(Dictionary(grouping: groups.keys, by: { groups[$0]! }).values.map { Set($0.map { URL(fileURLWithPath: $0).lastPathComponent }) })
    }

    @Test(arguments: [ProbeMode.header, .full])
    func eachFileIsReadAndComparedOnceWhateverItsNames(mode: ProbeMode) throws {
        let layout = try Layout(linked: true)
        let (groups, work) = search(layout, mode: mode)
        #expect(partition(groups, layout) == [Set(layout.aNames), Set(layout.bNames)])
        // Only `a` and its copy share a size (b has its own): one whole read each, one
        // comparison between them. Every name read on its own would take six and four
        // whole reads, and five and three comparisons.
        #expect(work.wholeChecksums == 2)
        #expect(work.byteComparisons == 1)
        #expect(work.headChecksums == 0, "the examination read the leading bytes already")
    }

    @Test func copiesAreStillReadAndComparedOneByOne() throws {
        let layout = try Layout(linked: false)
        let (groups, work) = search(layout, mode: .header)
        #expect(partition(groups, layout) == [Set(layout.aNames), Set(layout.bNames)])
        #expect(work.wholeChecksums == 10)
        #expect(work.byteComparisons == 8)
    }

    /// The findings on every repeated line are those of a dataset of copies.
    @Test(arguments: [ProbeMode.header, .full])
    func hardLinksGiveTheFindingsCopiesGive(mode: ProbeMode) throws {
        func duplicates(linked: Bool) throws -> [String] {
            let layout = try Layout(linked: linked)
            let manifest = layout.folder.appendingPathComponent("train.manifest")
            let lines = layout.names.enumerated().map { i, name in
                #"{"source-ref":"s3://bucket/\#(name)","label":\#(i % 2),"label-metadata":{"class-name":"\#(i % 2 == 0 ? "cat" : "dog")","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/example"}}"#
            }
            try (lines.joined(separator: "\n") + "\n").write(to: manifest, atomically: true, encoding: .utf8)
            var options = CheckOptions()
            options.mode = mode
            options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://bucket=\(layout.folder.path)")!])
            let result = CheckEngine(options: options).run([ManifestInput(path: manifest.path, role: .training)])
            return result.findings.filter { $0.code == "PREFLIGHT_DUPLICATE_IMAGE" }.map { finding in
                "\(finding.line ?? 0) after \(finding.details["first_line"]?.numberValue?.int64 ?? 0)"
            }
        }
        let linked = try duplicates(linked: true)
        // a1..a4 and the copy repeat line 1; b1..b3 repeat line 2.
        #expect(linked == ["3 after 1", "5 after 2", "6 after 1", "7 after 1", "8 after 2", "9 after 1", "10 after 2", "11 after 1"])
        #expect(linked == (try duplicates(linked: false)))
    }
}
