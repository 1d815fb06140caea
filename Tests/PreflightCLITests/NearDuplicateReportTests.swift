import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport

/// Near-duplicate pairs and pixel findings in the HTML report, as written and as a browser renders it.
@Suite("Pixel findings in the HTML report")
struct NearDuplicateReportTests {
    static let quality = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Fixtures/images/quality")

    static func line(_ name: String, _ label: String) -> String {
        #"{"source-ref": "s3://pixels/\#(name)", "label": 0, "label-metadata": {"class-name": "\#(label)", "confidence": 1, "type": "groundtruth/image-classification", "human-annotated": "yes", "creation-date": "2024-01-01T00:00:00", "job-name": "pixels"}}"#
    }

    /// Training: scene A, its half-size copy, two other scenes and a dark photograph; test: a
    /// re-encoded copy of scene A and a fresh scene.
    static func dataset() throws -> (folder: URL, arguments: [String]) {
        let folder = try makeTemporaryFolder("pixel-report")
        let train = ["scene-a.jpg": "cat", "scene-a-half.jpg": "cat", "scene-b.jpg": "dog", "scene-c.jpg": "dog", "dark.jpg": "cat"]
        let order = ["scene-a.jpg", "scene-a-half.jpg", "scene-b.jpg", "scene-c.jpg", "dark.jpg"]
        try order.map { line($0, train[$0]!) }.joined(separator: "\n").write(to: folder.appendingPathComponent("train.manifest"), atomically: true, encoding: .utf8)
        try [line("scene-d.jpg", "dog"), line("scene-a-q40.jpg", "cat")].joined(separator: "\n")
            .write(to: folder.appendingPathComponent("test.manifest"), atomically: true, encoding: .utf8)
        return (folder, ["check", folder.appendingPathComponent("train.manifest").path,
                         "--test", folder.appendingPathComponent("test.manifest").path,
                         "--map", "s3://pixels=\(quality.path)", "--no-cache"])
    }

    @Test func nearDuplicatePairsStandSideBySide() throws {
        let (folder, arguments) = try Self.dataset()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try HTMLReportRun.make(arguments, in: folder)
        let codes = (run.json["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }
        #expect(codes.contains("PREFLIGHT_NEAR_DUPLICATE_IMAGE") && codes.contains("PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE")
                && codes.contains("PREFLIGHT_DARK_IMAGE"), "\(codes)")
        let start = try #require(run.html.range(of: "id=\"same-images\""))
        let rest = run.html[start.lowerBound...]
        let section = String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
        // Two pairs, each with both pictures: training line 1 beside training line 2, and
        // training line 1 beside test line 2.
        #expect(HTMLReportRun.count("<div class=\"pair\"", in: section) == 2)
        #expect(HTMLReportRun.count("<img alt=", in: section) == 4)
        #expect(section.contains("data-codes=\"PREFLIGHT_NEAR_DUPLICATE_IMAGE\"") && section.contains("data-codes=\"PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE\""))
        #expect(section.contains("training line 1") && section.contains("training line 2") && section.contains("testing line 2"))
        #expect(section.contains("scene-a-half.jpg") && section.contains("scene-a-q40.jpg"))
        // The dark photograph has its card, with the measured value in the reason.
        let dark = try #require(HTMLReportRun.card(run.html, "training-5"))
        #expect(dark.contains("PREFLIGHT_DARK_IMAGE") && dark.contains("99% of the image is at luminance"))

        guard Browser.available() else { return }
        let output = try Browser.run(run.path, ["--dump-dom"])
        #expect(output.stdout.contains("<pre id=\"page-errors\" hidden=\"\"></pre>"))
        #expect(Browser.consoleMessages(output).isEmpty, "\(Browser.consoleMessages(output))")
        #expect(HTMLReportRun.count("<div class=\"pair\"", in: output.stdout) == 2)
    }
}
