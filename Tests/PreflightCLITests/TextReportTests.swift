import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport

/// The text report read as a person reads it: runs of the real binary on the shipped example
/// and on a large generated manifest, checked against the JSON report of the same run.
@Suite("The text report")
struct TextReportTests {
    static let width = 100

    /// The report's words with every run of white space made one space: what wrapping keeps.
    static func flattened(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func findings(_ arguments: [String]) throws -> [JSONValue] {
        let run = try Preflight.run(arguments + ["--format", "json"])
        return try JSONParser.parse(run.stdout)["findings"]?.arrayValue ?? []
    }

    /// The rows of the per-code block: (count, severity, code, title).
    static func countsByCode(_ text: String) -> [(count: Int, severity: String, code: String, title: String)] {
        let rows = text.components(separatedBy: "\n")
        guard let start = rows.firstIndex(of: "Findings by code") else { return [] }
        return rows[(start + 1)...].prefix { !$0.isEmpty && $0 != "Summary" }.compactMap { row in
            let parts = row.split(separator: " ", maxSplits: 3).map(String.init)
            guard parts.count == 4, let count = Int(parts[0]) else { return nil }
            return (count, parts[1], parts[2], parts[3].trimmingCharacters(in: .whitespaces))
        }
    }

    static func countsPerCode(_ findings: [JSONValue]) -> [String: Int] {
        findings.reduce(into: [:]) { $0[$1["code"]?.stringValue ?? "?", default: 0] += 1 }
    }

    @Test func exampleReportFitsInAHundredColumnsAndCountsEachCode() throws {
        let run = try Preflight.run(Preflight.example)
        let findings = try Self.findings(Preflight.example)
        let rows = run.stdout.components(separatedBy: "\n")
        #expect(rows.allSatisfy { $0.count <= Self.width }, "\(rows.filter { $0.count > Self.width })")

        // One row per code, the counts of the full record, most first.
        let counts = Self.countsByCode(run.stdout)
        let expected = Self.countsPerCode(findings)
        #expect(Dictionary(uniqueKeysWithValues: counts.map { ($0.code, $0.count) }) == expected)
        #expect(counts.map(\.count) == counts.map(\.count).sorted(by: >))
        for row in counts {
            let severity = findings.first { $0["code"]?.stringValue == row.code }?["severity"]?.stringValue
            #expect(row.severity == severity)
            let rule = try Preflight.run(["rules", row.code])
            #expect(!row.title.isEmpty && rule.stdout.contains("  \(row.title)\n"), "\(row.code): \(row.title)")
        }
        let block = try #require(run.stdout.range(of: "\nFindings by code\n"))
        #expect(block.lowerBound < (run.stdout.range(of: "\nSummary\n")?.lowerBound ?? block.lowerBound))

        // The specific reason, whole however it wraps, in place of the check's general sentence.
        let text = Self.flattened(run.stdout)
        for finding in findings {
            if let reason = finding["details"]?["reason"]?.stringValue {
                #expect(text.contains(Self.flattened(reason)), "\(reason)")
            }
        }
        #expect(text.contains("error ERROR_INVALID_IMAGE the file does not exist"))
        #expect(!text.contains("The image is invalid."))
        #expect(text.contains("error ERROR_NO_VALID_LABEL_ATTRIBUTES No valid label attributes found."), "no reason: the message")

        // Boxes count from 1 in the text, as lines do; JSON keeps the 0-based array index.
        let box = findings.first { $0["code"]?.stringValue == "ERROR_INVALID_BOUNDING_BOX" && $0["line"]?.numberValue?.int64 == 5 }
        #expect(box?["annotation_index"]?.numberValue?.int64 == 1)
        #expect(text.contains("ERROR_INVALID_BOUNDING_BOX [bounding-box box 2] right edge 510"))
    }

    /// A dataset whose images are mostly missing: `missing` lines name a missing image each,
    /// every 100th names a file that is not an image, and lines 301-304 are not JSON.
    struct LargeDataset {
        var folder: URL
        var manifest: String
        var missing: [Int] = []
        var notImages: [Int] = []
        var broken = Array(301...304)

        init(lines: Int) throws {
            folder = try makeTemporaryFolder("text")
            let images = folder.appendingPathComponent("images")
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
            try Data("not an image\n".utf8).write(to: images.appendingPathComponent("notes.jpg"))
            var text = ""
            for line in 1...lines {
                if broken.contains(line) {
                    text += "{\n"
                    continue
                }
                let key: String
                if line % 100 == 0 {
                    notImages.append(line)
                    key = "images/notes.jpg"
                } else {
                    missing.append(line)
                    key = "images/c07/capture-\(String(format: "%05d", line)).jpg"
                }
                text += "{\"source-ref\":\"s3://example-bucket/\(key)\",\"label\":1,\"label-metadata\":{\"class-name\":\"\(line % 2 == 0 ? "cat" : "dog")\","
                    + "\"confidence\":1,\"type\":\"groundtruth/image-classification\",\"human-annotated\":\"yes\","
                    + "\"creation-date\":\"2024-05-14T09:08:50.430395\",\"job-name\":\"labeling-job/cats\"}}\n"
            }
            manifest = folder.appendingPathComponent("train.manifest").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: manifest))
        }

        var arguments: [String] { ["check", manifest, "--map", "s3://example-bucket=\(folder.path)"] }
    }

    /// "4-99, 101-199, 201" for [4, 5, ..., 99, 101, ...].
    static func ranges(_ lines: [Int]) -> String {
        var out: [String] = []
        var start = lines[0], end = lines[0]
        for line in lines.dropFirst() + [Int.min] {
            if line == end + 1 { end = line; continue }
            out.append(start == end ? "\(start)" : "\(start)-\(end)")
            start = line
            end = line
        }
        return out.joined(separator: ", ")
    }

    @Test func nineHundredLinesWithTheSameFaultAreListedOnceAndCounted() throws {
        let dataset = try LargeDataset(lines: 900)
        defer { try? FileManager.default.removeItem(at: dataset.folder) }
        let run = try Preflight.run(dataset.arguments)
        #expect(run.status == 1)
        let findings = try Self.findings(dataset.arguments)
        let rows = run.stdout.components(separatedBy: "\n")
        let text = Self.flattened(run.stdout)

        // The full record has every finding; the text lists the first three lines of each
        // repeated fault and names the rest in one row.
        let missing = findings.filter { $0["details"]?["reason"]?.stringValue == "the file does not exist" }
        #expect(missing.compactMap { $0["line"]?.numberValue?.int64 }.map(Int.init) == dataset.missing)
        #expect(rows.filter { $0.hasPrefix("    error   ERROR_INVALID_IMAGE  the file does not exist") }.count == 3)
        let rest = Array(dataset.missing.dropFirst(3))
        #expect(text.contains("… and \(rest.count) more lines with ERROR_INVALID_IMAGE as on line \(dataset.missing[2]) (lines \(Self.ranges(rest)))"))

        // Another reason is another fault, grouped on its own; on at most five lines, all listed.
        let notImage = try #require(findings.first { $0["line"]?.numberValue?.int64 == Int64(dataset.notImages[0]) }?["details"]?["reason"]?.stringValue)
        #expect(text.components(separatedBy: "ERROR_INVALID_IMAGE \(Self.flattened(notImage))").count - 1 == 3)
        #expect(text.contains("… and \(dataset.notImages.count - 3) more lines with ERROR_INVALID_IMAGE as on line \(dataset.notImages[2])"
            + " (lines \(dataset.notImages.dropFirst(3).map(String.init).joined(separator: ", ")))"))
        #expect(rows.filter { $0.hasPrefix("    error   ERROR_INVALID_JSON_LINE  ") }.count == dataset.broken.count)
        for line in dataset.broken { #expect(rows.contains("  line \(line)")) }

        // In line order: the rows about the rest come after the last line listed before them.
        let lineOrder = rows.compactMap { row -> Int? in
            guard row.hasPrefix("  line ") else { return nil }
            return Int(row.dropFirst(7).prefix { $0.isNumber })
        }
        #expect(lineOrder == lineOrder.sorted())
        #expect(Set(lineOrder).isSuperset(of: dataset.missing.prefix(3) + dataset.notImages.prefix(3) + dataset.broken))
        // A line listed for another fault keeps its source-ref in its heading.
        #expect(rows.contains { $0.hasPrefix("  line \(dataset.notImages[3])  s3://example-bucket/images/notes.jpg") })
        #expect(Set(lineOrder).isDisjoint(with: dataset.missing.dropFirst(3)), "missing images past the third: named, not listed")

        // The per-code counts cover every finding, listed or not.
        let counts = Self.countsByCode(run.stdout)
        #expect(Dictionary(uniqueKeysWithValues: counts.map { ($0.code, $0.count) }) == Self.countsPerCode(findings))
        #expect(counts.first?.code == "ERROR_INVALID_IMAGE" && counts.first?.count == dataset.missing.count + dataset.notImages.count)

        // Long keys and paths wrap between words, never inside a path, within 100 columns.
        #expect(rows.allSatisfy { $0.count <= Self.width }, "\(rows.filter { $0.count > Self.width })")
        let firstImage = dataset.folder.appendingPathComponent("images/c07/capture-00001.jpg").path
        #expect(rows.contains { $0.contains("→ " + firstImage) })
        #expect(rows.count < 80, "a screenful, not one row per line")

        // Deterministic whatever the threads.
        let single = try Preflight.run(dataset.arguments + ["--jobs", "1", "--no-cache"])
        #expect(single.stdout == run.stdout)
    }
}
