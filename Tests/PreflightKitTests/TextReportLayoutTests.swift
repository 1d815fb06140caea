import Foundation
import Testing
@testable import PreflightKit
import PreflightTestSupport

/// How the text report lays out findings: where repeats are grouped, and that colours take
/// no columns.
@Suite("Text report layout")
struct TextReportLayoutTests {
    func result(lines: [String], in given: URL? = nil) throws -> CheckResult {
        let folder = try given ?? makeTemporaryFolder("text-layout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("train.manifest")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: folder.path)])
        return CheckEngine(options: options).run([ManifestInput(path: url.path, role: .training)])
    }

    func report(lines: [String], color: Bool = false) throws -> String {
        TextReport.render(try result(lines: lines), context: ReportContext(color: color))
    }

    static func rows(_ text: String, with code: String) -> Int {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("    error   \(code)") }.count
    }

    @Test func aFaultOnFiveLinesIsListedInFullAndOnSixIsGrouped() throws {
        let code = InvalidJSONLine.definition.code
        let five = try report(lines: Array(repeating: "{", count: RepeatedFindings.listedUpTo))
        #expect(Self.rows(five, with: code) == RepeatedFindings.listedUpTo)
        #expect(!five.contains("more lines with"))

        let six = try report(lines: Array(repeating: "{", count: RepeatedFindings.listedUpTo + 1))
        #expect(Self.rows(six, with: code) == RepeatedFindings.listed)
        #expect(six.contains("  … and 3 more lines with \(code) as on line 3 (lines 4-6)\n"))
    }

    @Test func numbersAsideTheSameWordingIsOneFault() throws {
        // The same fault at different byte offsets is grouped; a different fault is not.
        let lines = (0..<8).map { String(repeating: " ", count: $0) + "{" } + ["[1]", "[2]"]
        let text = try report(lines: lines)
        #expect(text.contains("… and 5 more lines with \(InvalidJSONLine.definition.code) as on line 3 (lines 4-8)"))
        #expect(text.contains("  line 9\n") && text.contains("  line 10\n"))
    }

    @Test func coloursTakeNoColumns() throws {
        // Missing images under a key that makes the image path just fit a row of its own:
        // the heading wraps before the dimmed path.
        let folder = try makeTemporaryFolder("text-layout")
        let keyLength = WrappedLine.width - "        → ".count - folder.path.count - "/".count - "0.jpg".count
        try #require(keyLength > 10, "the temporary folder's path leaves room for a key")
        let key = String(repeating: "k", count: keyLength)
        let lines = (0..<3).map { ExampleLines.classification("\(key)\($0).jpg", label: "cat") } + ["{"]
        let run = try result(lines: lines, in: folder)
        let plain = TextReport.render(run, context: ReportContext())
        let coloured = TextReport.render(run, context: ReportContext(color: true))
        #expect(coloured.contains("\u{1B}["))
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == plain, "the same breaks with and without colour")
        #expect(plain.contains("\n        → "), "a heading wrapped")
        // A row may pass the width only when it is one word too long for any row (a path).
        for row in stripped.components(separatedBy: "\n") {
            #expect(row.count <= WrappedLine.width || row.split(separator: " ").count == 1, "\(row)")
        }
    }

    @Test func wrappingKeepsWordsAndPathsWhole() {
        var line = WrappedLine()
        line.text("one two three four five six")
        line.whole("/a/path with spaces/file.jpg", gap: 2)
        #expect(line.rendered(indent: 2, hangingIndent: 4, width: 20) == "  one two three four\n    five six\n    /a/path with spaces/file.jpg\n")
    }
}
