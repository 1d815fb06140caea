import Foundation
import PreflightJSON
import PreflightTestSupport
import Testing

/// What a user sees from `preflight check` on a manifest that is not UTF-8 JSON Lines, or
/// that repeats a key deep inside a line.
@Suite("Manifests that are not JSON Lines, from the command line")
struct ManifestFormatCLITests {
    /// A detection line, three times over (one image each), in the example dataset's format.
    static func lines(_ count: Int) -> [String] {
        (0..<count).map { index in
            #"{"source-ref":"s3://example-bucket/img\#(index).jpg","bounding-box":{"image_size":[{"width":96,"height":72,"depth":3}],"#
                + #""annotations":[{"class_id":0,"top":10,"left":10,"width":20,"height":20}]},"bounding-box-metadata":"#
                + #"{"objects":[{"confidence":0.9}],"class-map":{"0":"cat"},"type":"groundtruth/object-detection","#
                + #""human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z"}}"#
        }
    }

    @Test func aUTF16ManifestGetsOneSentenceNamingTheFile() throws {
        let folder = try makeTemporaryFolder("cli-utf16")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("windows.manifest")
        // PowerShell's `>` before version 7: UTF-16LE with a byte order mark.
        try (Self.lines(200).joined(separator: "\r\n") + "\r\n").data(using: .utf16)!.write(to: manifest)
        let run = try Preflight.run(["check", manifest.path, "--map", "s3://example-bucket=\(folder.path)"])
        #expect(run.status == 1)
        // Finding lines: "    error   CODE  message (reason)".
        let listing = run.stdout.split(separator: "\n").map(String.init).filter { $0.firstMatch(of: /^    (error|warning|info)\s/) != nil }
        #expect(listing.count == 1, "\(run.stdout)")
        #expect(listing.first?.contains("PREFLIGHT_MANIFEST_UTF16") == true)
        // The reason, as one text however the report wraps it.
        let words = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("windows.manifest is UTF-16 encoded (little-endian, with a byte order mark); the service reads UTF-8: convert it (iconv -f UTF-16 -t UTF-8 \(manifest.path) > "),
                "\(run.stdout)")
        #expect(!run.stdout.contains("ERROR_INVALID_JSON_LINE"))
    }

    @Test func aJSONArrayManifestGetsOneSentenceNamingTheFile() throws {
        let folder = try makeTemporaryFolder("cli-array")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("export.manifest")
        let objects = try Self.lines(50).map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
        try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted]).write(to: manifest)
        let run = try Preflight.run(["check", manifest.path, "--map", "s3://example-bucket=\(folder.path)", "--format", "json"])
        #expect(run.status == 1)
        let findings = try JSONParser.parse(run.stdout)["findings"]?.arrayValue ?? []
        #expect(findings.map { $0["code"]?.stringValue } == ["PREFLIGHT_MANIFEST_JSON_ARRAY"])
        let reason = findings.first?["details"]?["reason"]?.stringValue ?? ""
        #expect(reason.hasPrefix("export.manifest is one JSON array, not JSON Lines"), "\(reason)")
        #expect(reason.contains("jq -c '.[]' \(manifest.path) > "), "\(reason)")
    }

    @Test func aKeyRepeatedInsideAnAnnotationIsReportedWithItsPath() throws {
        let folder = try makeTemporaryFolder("cli-duplicate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("train.manifest")
        var lines = Self.lines(3)
        lines[1] = lines[1].replacingOccurrences(of: #"{"class_id":0,"#, with: #"{"class_id":1,"class_id":0,"#)
        try Data(lines.joined(separator: "\n").utf8).write(to: manifest)
        let run = try Preflight.run(["check", manifest.path, "--format", "json"])
        let findings = try JSONParser.parse(run.stdout)["findings"]?.arrayValue ?? []
        let duplicates = findings.filter { $0["code"]?.stringValue == "PREFLIGHT_DUPLICATE_JSON_KEY" }
        #expect(duplicates.count == 1)
        #expect(duplicates.first?["line"] == 2)
        #expect(duplicates.first?["details"]?["keys"] == ["bounding-box.annotations[0].class_id"])
    }
}
