import Foundation
import Testing
import PreflightTestSupport
@testable import PreflightKit
#if canImport(Glibc)
import Glibc
#endif

/// A scratch folder with a mapped image folder, for checking hostile manifests for real.
struct HostileDataset {
    let folder: URL
    let images: URL

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func manifestFixture(_ name: String) -> String {
        fixtures.appendingPathComponent("hostile/manifests/\(name)").path
    }

    init() throws {
        folder = try makeTemporaryFolder("hostile")
        images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("images/jpeg-baseline.jpg"),
                                         to: images.appendingPathComponent("a.jpg"))
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("images/jpeg-640x480.jpg"),
                                         to: images.appendingPathComponent("b.jpg"))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    var options: CheckOptions {
        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(images.path)")!])
        options.jobs = 2
        return options
    }

    func check(_ manifest: String, options: CheckOptions? = nil) -> (result: CheckResult, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = CheckEngine(options: options ?? self.options).run([ManifestInput(path: manifest, role: .training)])
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

extension CheckResult {
    /// The codes of the findings on `line`, in report order.
    func codes(line: Int) -> [String] { findings.filter { $0.line == line }.map(\.code) }
    func reason(_ code: String, line: Int) -> String? {
        findings.first { $0.line == line && $0.code == code }?.details["reason"]?.stringValue
    }
}

let hostileValidLine = #"{"source-ref":"s3://example-bucket/a.jpg","label":1,"label-metadata":{"class-name":"cat","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/example"}}"#

@Suite("Hostile manifests")
struct HostileManifestTests {
    @Test func aHundredMegabyteLineIsOneInvalidLineAndTheNextIsStillRead() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        var bytes = Array(hostileValidLine.utf8) + [0x0A]
        bytes += Array(#"{"source-ref":""#.utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 100 << 20)
        bytes += Array("\"}\n".utf8) + Array(hostileValidLine.utf8) + [0x0A]
        let manifest = try dataset.write("long.manifest", bytes)
        let (result, seconds) = dataset.check(manifest)
        let stats = try #require(result.stats(for: .training))
        #expect(stats.totalLines == 3)
        #expect(stats.invalidLines == 1)
        #expect(result.codes(line: 2).first == "ERROR_INVALID_JSON_LINE")
        let length = #"{"source-ref":""#.utf8.count + (100 << 20) + 2
        #expect(result.reason("ERROR_INVALID_JSON_LINE", line: 2)?.contains("\(length) bytes long") == true,
                "\(String(describing: result.reason("ERROR_INVALID_JSON_LINE", line: 2)))")
        #expect(!result.codes(line: 3).contains("ERROR_INVALID_JSON_LINE"))
        #expect(seconds < timeBound(5), "took \(seconds) s")
    }

    @Test func aHundredThousandLevelsOfNesting() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let deep = String(repeating: #"{"a":["#, count: 50_000) + String(repeating: "]}", count: 50_000)
        let manifest = try dataset.write("deep.manifest", Array((deep + "\n" + hostileValidLine + "\n").utf8))
        let (result, seconds) = dataset.check(manifest)
        #expect(result.reason("ERROR_INVALID_JSON_LINE", line: 1)?.contains("nesting deeper than 512 levels") == true)
        #expect(result.codes(line: 2).isEmpty)
        #expect(seconds < timeBound(2))
    }

    @Test func aLineWithThirtyThousandKeysTakesLinearTime() throws {
        // Each key's "-metadata" sibling was looked up by scanning every member: quadratic,
        // 43 s for a line of 100,000 keys in a release build.
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let keys = (0..<30_000).map { #""k\#($0)":1"# }.joined(separator: ",")
        let attributes = (0..<10_000).map { #""a\#($0)":1,"a\#($0)-metadata":{}"# }.joined(separator: ",")
        let manifest = try dataset.write("keys.manifest", Array((
            #"{"source-ref":"s3://example-bucket/a.jpg",\#(keys)}"# + "\n"
            + #"{"source-ref":"s3://example-bucket/a.jpg",\#(attributes)}"# + "\n").utf8))
        let (result, seconds) = dataset.check(manifest)
        #expect(result.codes(line: 1).contains("ERROR_NO_LABEL_ATTRIBUTES"))
        #expect(result.codes(line: 2).contains("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"))
        #expect(seconds < timeBound(2), "took \(seconds) s")
        let interpreted = Array(#"{"source-ref":"s3://example-bucket/a.jpg",\#(attributes)}"#.utf8).withUnsafeBytes {
            LineInterpreter.interpret($0, number: 1)
        }
        #expect(interpreted.attributes.count == 10_000)
        #expect(interpreted.otherKeys.isEmpty)
    }

    @Test func byteOrderMarkAndCRLF() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let bom = dataset.check(HostileDataset.manifestFixture("bom.manifest")).result
        #expect(bom.reason("ERROR_INVALID_JSON_LINE", line: 1)?.contains("byte order mark") == true)
        #expect(bom.codes(line: 2).isEmpty)
        let crlf = dataset.check(HostileDataset.manifestFixture("crlf.manifest")).result
        #expect(crlf.stats(for: .training)?.totalLines == 2)
        #expect(crlf.stats(for: .training)?.invalidLines == 0)
        #expect(crlf.stats(for: .training)?.classificationLabels.keys.sorted() == ["cat", "dog"])
    }

    @Test func invalidUTF8AndNULBytes() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let utf8 = dataset.check(HostileDataset.manifestFixture("invalid-utf8.manifest")).result
        for line in [1, 3, 4] {
            #expect(utf8.reason("ERROR_INVALID_JSON_LINE", line: line)?.contains("invalid UTF-8") == true, "line \(line)")
        }
        #expect(utf8.codes(line: 2).isEmpty)
        #expect(utf8.stats(for: .training)?.classificationLabels["cét"] != nil)
        let nul = dataset.check(HostileDataset.manifestFixture("nul-bytes.manifest")).result
        #expect(nul.reason("ERROR_INVALID_JSON_LINE", line: 1)?.contains("control character U+0000") == true)
        #expect(nul.codes(line: 2) == ["ERROR_INVALID_JSON_LINE"])
        #expect(nul.codes(line: 3).isEmpty, "an escaped NUL is valid JSON")
    }

    @Test func numbersOutOfEveryRange() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let (result, _) = dataset.check(HostileDataset.manifestFixture("numbers.manifest"))
        #expect(result.reason("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", line: 1)?.contains("no numeric top") == true, "1e400")
        #expect(!result.codes(line: 2).contains("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT"), "-0 is a number")
        #expect(result.reason("ERROR_INVALID_JSON_LINE", line: 3)?.contains("NaN is not JSON") == true)
        #expect(result.codes(line: 4).contains("ERROR_INVALID_BOUNDING_BOX"), "a 32-digit width runs off the image")
        #expect(result.reason("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", line: 5)?.contains("no numeric width") == true)
        #expect(result.codes(line: 6).contains("ERROR_INVALID_BOUNDING_BOX"), "a width below Int64 is negative")
        #expect(!result.codes(line: 7).contains("ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT"), "1e-400 is 0")
        #expect(result.reason("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", line: 8)?.contains("not an integer") == true)
        #expect(result.reason("ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", line: 9)?.contains("image_size") == true)
        #expect(result.stats(for: .training)?.totalLines == 9)
    }

    @Test func duplicateKeys() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let (result, _) = dataset.check(HostileDataset.manifestFixture("duplicate-keys.manifest"))
        #expect(result.codes(line: 1).contains("PREFLIGHT_DUPLICATE_JSON_KEY"))
        #expect(result.findings.first { $0.line == 1 }?.sourceRef == "s3://example-bucket/a.jpg", "the last value counts")
        #expect(result.stats(for: .training)?.classificationLabels["dog"] != nil, "the last class-name counts")
        #expect(result.codes(line: 3).contains("PREFLIGHT_DUPLICATE_JSON_KEY"))
    }

    @Test func nonASCIILabelNamesAndKeys() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let (result, _) = dataset.check(HostileDataset.manifestFixture("non-ascii.manifest"))
        let stats = try #require(result.stats(for: .training))
        #expect(stats.invalidLines == 0)
        #expect(Set(stats.classificationLabels.keys) == ["猫", "chat", "🐈‍⬛ cat", "Ａ", "a\u{301}", "\u{202E}tac"])
        let json = JSONReport.render(result, context: ReportContext())
        #expect(json.contains("猫") && json.contains("\u{202E}tac"))
    }

    @Test func aBinaryFileAsManifest() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let (result, seconds) = dataset.check(HostileDataset.manifestFixture("binary.manifest"))
        let stats = try #require(result.stats(for: .training))
        #expect(stats.totalLines > 0 && stats.invalidLines == stats.totalLines)
        #expect(result.findings.contains { $0.code == "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST" })
        #expect(seconds < timeBound(1))
        _ = TextReport.render(result, context: ReportContext())
    }

    @Test func aManifestThatIsAPipeIsRefusedWithoutWaiting() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let fifo = dataset.folder.appendingPathComponent("pipe.manifest").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let (result, seconds) = dataset.check(fifo)
        #expect(result.unreadableManifests == [fifo])
        #expect(result.findings.first?.code == "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT")
        #expect(seconds < timeBound(1))
    }

    @Test func anUnreadableManifestIsReportedByTheReader() throws {
        let dataset = try HostileDataset()
        defer { dataset.remove() }
        let manifest = try dataset.write("secret.manifest", Array((hostileValidLine + "\n").utf8))
        #expect(chmod(manifest, 0) == 0)
        let outcome = withoutFileAccessPrivileges { ManifestReader(path: manifest).forEachLine { _, _ in } }
        #expect(outcome == .failure(FileProblem(message: "permission denied")))
        // No images are mapped, so the whole run stays on this thread.
        let result = withoutFileAccessPrivileges {
            CheckEngine(options: CheckOptions()).run([ManifestInput(path: manifest, role: .training)])
        }
        #expect(result.unreadableManifests == [manifest])
        #expect(result.findings.first?.code == "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT")
    }
}
