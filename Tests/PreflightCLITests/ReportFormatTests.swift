import Foundation
import FoundationXML
import PreflightJSON
import Testing
import PreflightTestSupport

/// Every report format, written by one run over the example dataset.
@Suite("Reports on the example dataset", .serialized)
struct ReportFormatTests {
    final class Reports {
        let folder: URL
        let json: JSONValue
        init() throws {
            folder = try makeTemporaryFolder("reports")
            let summary = folder.appendingPathComponent("step-summary.md").path
            let run = try Preflight.run(Preflight.example + [
                "--format", "json", "--output", folder.appendingPathComponent("report.json").path,
                "--report", "sarif=" + folder.appendingPathComponent("report.sarif").path,
                "--report", "junit=" + folder.appendingPathComponent("report.xml").path,
                "--report", "github=" + folder.appendingPathComponent("annotations.txt").path,
                "--report", "text=" + folder.appendingPathComponent("report.txt").path,
                "--rekognition-dir", folder.path,
            ], environment: ["GITHUB_STEP_SUMMARY": summary])
            precondition(run.status == 1, "unexpected exit \(run.status): \(run.stderr)")
            json = try JSONParser.parse(Array(try Data(contentsOf: folder.appendingPathComponent("report.json"))))
        }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    let reports: Reports
    init() throws { reports = try Reports() }

    var findings: [JSONValue] { reports.json["findings"]?.arrayValue ?? [] }

    @Test func jsonReportValidatesAgainstItsSchema() throws {
        try SchemaValidator.validate(reports.path("report.json"),
                                     schema: Preflight.repository.appendingPathComponent("docs/report.schema.json").path)
    }

    @Test func sarifValidatesAgainstTheOfficialSchemaAndPointsAtLines() throws {
        try SchemaValidator.validate(reports.path("report.sarif"),
                                     schema: Preflight.repository.appendingPathComponent("Fixtures/schemas/sarif-schema-2.1.0.json").path)
        let sarif = try JSONParser.parse(try reports.text("report.sarif"))
        let run = try #require(sarif["runs"]?.arrayValue?.first)
        let results = run["results"]?.arrayValue ?? []
        #expect(results.count == findings.count)
        let box = try #require(results.first { $0["ruleId"]?.stringValue == "ERROR_INVALID_BOUNDING_BOX" })
        let location = box["locations"]?.arrayValue?.first?["physicalLocation"]
        #expect(location?["artifactLocation"]?["uri"]?.stringValue == "Fixtures/example/train.manifest")
        #expect(location?["region"]?["startLine"]?.numberValue?.int64 == 5)
        #expect(box["level"]?.stringValue == "error")
        let rules = run["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        let index = Int(box["ruleIndex"]?.numberValue?.int64 ?? -1)
        #expect(rules.indices.contains(index) && rules[index]["id"]?.stringValue == "ERROR_INVALID_BOUNDING_BOX")
        #expect(rules.allSatisfy { $0["help"]?["text"]?.stringValue?.isEmpty == false })
    }

    @Test func junitCountsAgreeWithItsCases() throws {
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: reports.path("report.xml")))
        let root = try #require(document.rootElement())
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 2)
        var totalCases = 0, totalFailures = 0
        for suite in suites {
            let cases = suite.elements(forName: "testcase")
            let failing = cases.filter { !$0.elements(forName: "failure").isEmpty }.count
            #expect(suite.attribute(forName: "tests")?.stringValue == String(cases.count))
            #expect(suite.attribute(forName: "failures")?.stringValue == String(failing))
            totalCases += cases.count
            totalFailures += failing
        }
        #expect(root.attribute(forName: "tests")?.stringValue == String(totalCases))
        #expect(root.attribute(forName: "failures")?.stringValue == String(totalFailures))
        // Lines with errors: training 5, 8, 13, 16, 19; test 3, 5.
        #expect(totalFailures == 7)
        let names = suites[0].elements(forName: "testcase").compactMap { $0.attribute(forName: "name")?.stringValue }
        #expect(names == ["line 5", "line 8", "line 11", "line 13", "line 16", "line 19", "dataset checks"])
    }

    @Test func githubAnnotationsOnePerFindingAndAJobSummary() throws {
        let lines = try reports.text("annotations.txt").split(separator: "\n").map(String.init)
        #expect(lines.count == findings.count)
        let pattern = /^::(error|warning|notice) file=[^,:]+(,line=\d+)?,title=[A-Z0-9_]+::.+$/
        for line in lines { #expect(line.wholeMatch(of: pattern) != nil, "\(line)") }
        #expect(lines.contains { $0.hasPrefix("::error file=Fixtures/example/train.manifest,line=16,title=ERROR_INVALID_JSON_LINE::") })
        let summary = try reports.text("step-summary.md")
        #expect(summary.contains("## Preflight: fail"))
        #expect(summary.contains("| `ERROR_INVALID_BOUNDING_BOX` | error | 3 |"))
    }

    @Test func rekognitionSummaryInTheServiceShape() throws {
        let summary = try JSONParser.parse(try reports.text("manifest_summary.json"))
        let training = try #require(summary["statistics"]?["training"])
        #expect(training["use_case"]?.stringValue == "OBJECT_LOCALIZATION")
        #expect(training["total_json_lines"]?.numberValue?.int64 == 22)
        #expect(training["invalid_json_lines"]?.numberValue?.int64 == 3)
        #expect(training["error_json_line_indices"]?.arrayValue?.compactMap { $0.numberValue?.int64 } == [5, 8, 13, 16, 19])
        #expect(summary["statistics"]?["testing"]?["error_json_line_indices"]?.arrayValue?.count == 1)
        #expect(summary["errors"]?.arrayValue != nil)
    }

    @Test func validationManifestsMirrorTheInputsLineByLine() throws {
        for (input, output) in [("Fixtures/example/train.manifest", "training_manifest_with_validation.json"),
                                ("Fixtures/example/test.manifest", "test_manifest_with_validation.json")] {
            let original = try String(contentsOf: Preflight.repository.appendingPathComponent(input), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let annotated = try reports.text(output).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(original.count == annotated.count, "\(output)")
            #expect(!(try reports.text(output)).contains("PREFLIGHT_"), "only the service's codes")
        }
        let lines = try reports.text("training_manifest_with_validation.json").split(separator: "\n").map(String.init)
        // Line 5: the second box carries the error, the line itself none.
        let five = try JSONParser.parse(lines[4])
        #expect(five["errors"] == nil)
        let boxes = five["bounding-box"]?["annotations"]?.arrayValue ?? []
        #expect(boxes[1]["errors"]?.arrayValue?.first?["code"]?.stringValue == "ERROR_INVALID_BOUNDING_BOX")
        #expect(boxes[0]["errors"] == nil)
        // Line 13: the missing image is a line error.
        #expect(try JSONParser.parse(lines[12])["errors"]?.arrayValue?.first?["code"]?.stringValue == "ERROR_INVALID_IMAGE")
        // Line 16 could not be parsed: it is replaced by a line holding only the error.
        let sixteen = try JSONParser.parse(lines[15])
        #expect(sixteen.objectValue?.keys == ["errors"])
        // Test line 5: the metadata carries the missing confidence.
        let test = try reports.text("test_manifest_with_validation.json").split(separator: "\n").map(String.init)
        let metadata = try JSONParser.parse(test[4])["bounding-box-metadata"]
        #expect(metadata?["errors"]?.arrayValue?.first?["code"]?.stringValue == "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE")
    }

    @Test func textReportFileMatchesTheTerminalReport() throws {
        let text = try reports.text("report.txt")
        #expect(text.contains("FAIL: 9 errors, 2 warnings"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func noTemporaryFilesAreLeftBehind() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: reports.folder.path)
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
    }
}
