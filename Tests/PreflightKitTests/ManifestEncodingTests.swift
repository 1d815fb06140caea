import Foundation
import PreflightJSON
import PreflightKit
import PreflightTestSupport
import Testing

/// Manifests that are not UTF-8 JSON Lines get one sentence about the file, first; keys
/// written twice are found at every depth. Each manifest is a real file, checked by the engine.
@Suite("Manifests that are not JSON Lines")
struct ManifestEncodingTests {
    /// Four lines that check clean: two labels, two images each.
    static let lines = ExampleLines.classificationSet(labels: ["cat", "dog"], count: 4)

    /// A folder with the images the lines name, and the engine to check manifests in it.
    struct Dataset {
        let folder: URL
        var options = CheckOptions()

        init() throws {
            folder = try makeTemporaryFolder("manifest-encoding")
            try RuleExampleRunner(fixtures: KitFixtures.root).materialize(ExampleLines.images(count: 4), in: folder)
            options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: folder.path)])
        }

        func write(_ name: String, _ bytes: Data) throws -> String {
            let url = folder.appendingPathComponent(name)
            try bytes.write(to: url)
            return url.path
        }

        func check(_ training: String, test: String? = nil) -> CheckResult {
            var inputs = [ManifestInput(path: training, role: .training)]
            if let test { inputs.append(ManifestInput(path: test, role: .testing)) }
            return CheckEngine(options: options).run(inputs)
        }

        /// Runs a command the way a user would paste it, in the folder.
        func shell(_ command: String) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = folder
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    static let text = lines.joined(separator: "\n") + "\n"

    struct UTF16Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: @Sendable () -> Data
        var converter: String
        var testDescription: String { name }
    }

    static let utf16Cases = [
        // Foundation's .utf16 writes a byte order mark, as Windows tools do.
        UTF16Case(name: "UTF-16 with a byte order mark", bytes: { text.data(using: .utf16)! }, converter: "iconv -f UTF-16 -t UTF-8"),
        UTF16Case(name: "UTF-16LE, no byte order mark", bytes: { text.data(using: .utf16LittleEndian)! }, converter: "iconv -f UTF-16LE -t UTF-8"),
        UTF16Case(name: "UTF-16BE, no byte order mark", bytes: { text.data(using: .utf16BigEndian)! }, converter: "iconv -f UTF-16BE -t UTF-8"),
    ]

    @Test(arguments: utf16Cases)
    func utf16IsOneSentenceAboutTheFile(_ item: UTF16Case) throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let path = try dataset.write("train.manifest", item.bytes())
        let result = dataset.check(path)
        #expect(result.findings.map(\.code) == [ManifestUTF16.definition.code])
        let finding = try #require(result.findings.first)
        #expect(finding.file == path && finding.line == nil && finding.severity == .error)
        let reason = finding.details["reason"]?.stringValue ?? ""
        #expect(reason.hasPrefix("train.manifest is UTF-16 encoded"), "\(reason)")
        #expect(reason.contains("the service reads UTF-8"))
        #expect(reason.contains("\(item.converter) \(path) > "), "\(reason)")
    }

    /// Labels in Chinese: some characters put their zero byte on the other side.
    @Test func utf16WithCJKLabelsIsRecognised() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let text = ExampleLines.classificationSet(labels: ["一号", "丁"], count: 4).joined(separator: "\n") + "\n"
        let path = try dataset.write("train.manifest", text.data(using: .utf16LittleEndian)!)
        let result = dataset.check(path)
        #expect(result.findings.map(\.code) == [ManifestUTF16.definition.code])
        #expect(result.findings.first?.details["reason"]?.stringValue?.contains("iconv -f UTF-16LE -t UTF-8") == true)
    }

    /// The command in the sentence, run as given, yields a manifest that checks clean.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/iconv")), arguments: utf16Cases)
    func theSuggestedConversionWorks(_ item: UTF16Case) throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let path = try dataset.write("train.manifest", item.bytes())
        let reason = try #require(dataset.check(path).findings.first?.details["reason"]?.stringValue)
        let command = try #require(reason.firstMatch(of: /\((iconv [^)]*)\)$/)).1
        #expect(try dataset.shell(String(command)) == 0)
        let converted = dataset.folder.appendingPathComponent("train-utf8.manifest").path
        #expect(try String(contentsOfFile: converted, encoding: .utf8) == Self.text)
        let again = dataset.check(converted)
        // Its four images are copies of one picture: near-duplicates, and nothing else.
        #expect(again.findings.allSatisfy { $0.code == "PREFLIGHT_NEAR_DUPLICATE_IMAGE" }, "\(again.findings.map(\.code))")
        #expect(again.stats.first?.validLines == 4)
    }

    /// A UTF-16 test manifest beside a good training manifest: its sentence still comes first.
    @Test func theFileSentenceComesFirst() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let training = try dataset.write("train.manifest", Data(Self.text.utf8))
        let test = try dataset.write("test.manifest", Self.text.data(using: .utf16)!)
        let result = dataset.check(training, test: test)
        let first = try #require(result.findings.first)
        #expect(first.code == ManifestUTF16.definition.code && first.role == .testing && first.file == test)
        #expect(!result.findings.contains { $0.code == InvalidJSONLine.definition.code })
    }

    /// `json.dump(lines, indent=2)`, or any pretty-printer: one array over many lines.
    @Test func aPrettyPrintedArrayIsOneSentence() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let objects = try Self.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
        let pretty = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted])
        #expect(pretty.filter { $0 == 0x0A }.count > 30)
        let path = try dataset.write("train.manifest", pretty)
        let result = dataset.check(path)
        #expect(result.findings.map(\.code) == [ManifestJSONArray.definition.code])
        let reason = result.findings.first?.details["reason"]?.stringValue ?? ""
        #expect(reason.hasPrefix("train.manifest is one JSON array, not JSON Lines"), "\(reason)")
        #expect(reason.contains("jq -c '.[]' \(path) > "), "\(reason)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/jq")))
    func theSuggestedArrayConversionWorks() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        // With a byte order mark too, as Windows editors save it.
        let path = try dataset.write("train.manifest", Data(("\u{FEFF}[\n  " + Self.lines.joined(separator: ",\n  ") + "\n]\n").utf8))
        let reason = try #require(dataset.check(path).findings.first?.details["reason"]?.stringValue)
        let command = try #require(reason.firstMatch(of: /\((jq [^)]*)\)$/)).1
        #expect(try dataset.shell(String(command)) == 0)
        let again = dataset.check(dataset.folder.appendingPathComponent("train-lines.manifest").path)
        #expect(again.findings.allSatisfy { $0.code == "PREFLIGHT_NEAR_DUPLICATE_IMAGE" }, "\(again.findings.map(\.code))")
        #expect(again.stats.first?.validLines == 4)
    }

    /// JSON Lines whose lines are arrays are judged line by line, not as one array.
    @Test func linesThatAreArraysStayLineFindings() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let path = try dataset.write("train.manifest", Data(Self.lines.map { "[" + $0 + "]" }.joined(separator: "\n").utf8))
        let result = dataset.check(path)
        #expect(!result.findings.contains { $0.scope == .manifestFile })
        #expect(result.findings.filter { $0.code == InvalidJSONLine.definition.code }.compactMap(\.line) == [1, 2, 3, 4])
    }

    /// "UTF-8 with BOM": the first line is lost, and its finding says why and what to do.
    @Test func aByteOrderMarkIsNamedOnTheFirstLine() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let path = try dataset.write("train.manifest", Data(("\u{FEFF}" + Self.text).utf8))
        let result = dataset.check(path)
        #expect(!result.findings.contains { $0.scope == .manifestFile })
        let invalid = result.findings.filter { $0.code == InvalidJSONLine.definition.code }
        #expect(invalid.compactMap(\.line) == [1])
        let reason = invalid.first?.details["reason"]?.stringValue ?? ""
        #expect(reason.hasPrefix("the line starts with a UTF-8 byte order mark"), "\(reason)")
        #expect(reason.contains("without it"))
    }

    /// A detection line whose label attribute repeats `annotations` and whose box repeats
    /// `class_id`: the same warning as a repeated top-level key, with every path.
    @Test func nestedRepeatsAreReportedWithTheirPaths() throws {
        let dataset = try Dataset()
        defer { dataset.remove() }
        let line = ExampleLines.detection("img0.jpg", width: 96, height: 72, boxes: [(0, 10, 10, 20, 20), (0, 30, 40, 20, 20)])
            .replacingOccurrences(of: #""annotations":"#, with: #""annotations":[],"annotations":"#)
            .replacingOccurrences(of: #"{"class_id":0,"top":30"#, with: #"{"class_id":1,"class_id":0,"top":30"#)
        let clean = ExampleLines.detection("img1.jpg", width: 96, height: 72, boxes: [(0, 10, 10, 20, 20)])
        let topLevel = #"{"source-ref":"s3://example-bucket/img2.jpg","# + clean.dropFirst()
        let path = try dataset.write("train.manifest", Data([line, clean, topLevel].joined(separator: "\n").utf8))
        let result = dataset.check(path)
        let found = result.findings.filter { $0.code == DuplicateJSONKey.definition.code }
        #expect(found.compactMap(\.line) == [1, 3])
        #expect(found.allSatisfy { $0.severity == .warning })
        #expect(found.first?.details["keys"] == ["bounding-box.annotations", "bounding-box.annotations[1].class_id"])
        #expect(found.last?.details["keys"] == ["source-ref"])
        #expect(found.first?.details["reason"]?.stringValue?.contains("bounding-box.annotations[1].class_id") == true)
    }
}
