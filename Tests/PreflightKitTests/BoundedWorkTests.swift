import Foundation
import Testing
@testable import PreflightKit
import PreflightTestSupport

/// However large or broken the input, the run keeps a bounded amount of state.
@Suite("Bounded work")
struct BoundedWorkTests {
    func manifest(_ lines: [String]) throws -> (URL, () -> Void) {
        let folder = try makeTemporaryFolder("bounded")
        let url = folder.appendingPathComponent("train.manifest")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return (url, { try? FileManager.default.removeItem(at: folder) })
    }

    @Test func findingsPastTheLimitAreCountedNotKept() throws {
        let (url, cleanup) = try manifest(Array(repeating: "{", count: 20))
        defer { cleanup() }
        var options = CheckOptions()
        options.maxStoredFindings = 5
        let result = CheckEngine(options: options).run([ManifestInput(path: url.path, role: .training)])
        #expect(result.findings.filter { $0.code == "ERROR_INVALID_JSON_LINE" }.count == 5)
        #expect(result.omittedFindings["ERROR_INVALID_JSON_LINE"] == 15)
        #expect(result.count(.error) == result.findings.filter { $0.severity == .error }.count + 15)
        #expect(Verdict.of(result, failOn: .error) == .fail)
        #expect(result.stats(for: .training)?.invalidLines == 20, "the counts cover every line")
        let text = TextReport.render(result, context: ReportContext())
        #expect(text.contains("not listed above (over 5 findings): ERROR_INVALID_JSON_LINE 15"))
    }

    @Test func duplicateFindingsPastTheLimitAreCountedNotKept() throws {
        // Ten lines naming one image: nine duplicate findings, of which only five fit.
        let folder = try makeTemporaryFolder("bounded")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: KitFixtures.root.appendingPathComponent("images/jpeg-baseline.jpg"),
                                         to: folder.appendingPathComponent("a.jpg"))
        let url = folder.appendingPathComponent("train.manifest")
        let lines = (0..<10).map { ExampleLines.classification("a.jpg", label: $0 % 2 == 0 ? "cat" : "dog") }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        var options = CheckOptions()
        options.mode = .header
        options.maxStoredFindings = 5
        options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: folder.path)])
        let result = CheckEngine(options: options).run([ManifestInput(path: url.path, role: .training)])
        let kept = result.findings.filter { $0.code == DuplicateImage.definition.code }.count
        #expect(kept + (result.omittedFindings[DuplicateImage.definition.code] ?? 0) == 9)
        #expect(result.findings.filter { $0.line != nil }.count <= 5)
        #expect(result.count(.warning) == result.findings.filter { $0.severity == .warning }.count
            + result.omittedFindings.values.reduce(0, +))
    }

    @Test func linesPastTheServiceLimitAreCountedNotChecked() throws {
        let valid = ExampleLines.classification("a.jpg", label: "cat")
        let (url, cleanup) = try manifest(Array(repeating: valid, count: ServiceLimits.maxLinesPerManifest) + ["{", "{"])
        defer { cleanup() }
        var options = CheckOptions()
        options.mode = .header
        let result = CheckEngine(options: options).run([ManifestInput(path: url.path, role: .training)])
        let stats = try #require(result.stats(for: .training))
        #expect(stats.totalLines == ServiceLimits.maxLinesPerManifest + 2)
        #expect(stats.uncheckedLines == 2)
        #expect(stats.invalidLines == 0, "the two broken lines lie past the limit")
        #expect(result.findings.contains { $0.code == "PREFLIGHT_TOO_MANY_LINES" })
    }
}
