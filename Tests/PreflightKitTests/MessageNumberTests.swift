import Foundation
import Testing
@testable import PreflightKit
import PreflightTestSupport

/// Findings say how many and which: counts with their limits, the names behind a share, and
/// nouns in the right number.
@Suite("Messages give their numbers")
struct MessageNumberTests {
    let runner = RuleExampleRunner(fixtures: KitFixtures.root)
    static let image: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg")]

    func result(_ training: [String], test: [String]? = nil, images: [String: ExampleImage] = image) throws -> CheckResult {
        try runner.result(of: RuleExample("", triggers: true, training: training, test: test, images: images))
    }

    func reason(_ rule: RuleDefinition, in result: CheckResult) -> String? {
        result.findings.first { $0.code == rule.code }?.details["reason"]?.stringValue
    }

    @Test func tooManyBoxesGivesTheCountAndTheLimit() throws {
        let line = ExampleLines.detection("a.jpg", boxes: Array(repeating: (0, 10, 10, 5, 5), count: 57))
        #expect(reason(TooManyBoundingBoxes.definition, in: try result([line])) == "57 boxes; the limit is \(ServiceLimits.maxBoxesPerImage)")
    }

    @Test func labelOverlapNamesTheTestLabelsMissingFromTraining() throws {
        let training = ExampleLines.classificationSet(labels: ["cat", "dog"], count: 4)
        let names = ["cat"] + (0..<14).map { String(format: "label-%02d", $0) }
        let test = ExampleLines.classificationSet(labels: names, count: names.count, prefix: "t")
        let images = ExampleLines.images(count: 4).merging(ExampleLines.images(count: names.count, prefix: "t")) { a, _ in a }
        let text = try #require(reason(InsufficientLabelOverlap.definition, in: try result(training, test: test, images: images)))
        // 14 missing, ten named in order, the rest counted; the shared label is not among them.
        #expect(text.hasSuffix("not in training: label-00, label-01, label-02, label-03, label-04, label-05, label-06, label-07, label-08, label-09 and 4 more"))
        #expect(!text.contains("cat"))
    }

    @Test func usableLabelOverlapNamesTheMissingLabels() throws {
        let example = InsufficientUsableLabelOverlap.definition.examples[0]
        let text = try #require(reason(InsufficientUsableLabelOverlap.definition, in: try runner.result(of: example)))
        #expect(text.hasSuffix("not among them: bird"))
    }

    @Test func oneIsSingular() throws {
        // One box, no confidence.
        let line = ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 20, 20)], confidences: 0)
        #expect(reason(MissingBoundingBoxConfidence.definition, in: try result([line])) == "1 box but 0 confidence values")

        // One line of the other kind.
        let mixed = ExampleLines.classificationSet(labels: ["cat", "dog"], count: 4)
            + [ExampleLines.detection("b.jpg", boxes: [(0, 10, 10, 20, 20)])]
        let images = ExampleLines.images(count: 4).merging(["b.jpg": .tagged("jpeg-baseline.jpg", tag: 40)]) { a, _ in a }
        let mixedResult = try result(mixed, images: images)
        #expect(reason(MixedUseCase.definition, in: mixedResult)?.hasPrefix("1 line of the other kind") == true)

        // One invalid line of one: a count of lines, not "1 of 1 lines are".
        let invalid = try result(["{"])
        #expect(reason(TooManyInvalidRows.definition, in: invalid) == "invalid lines: 1 of 1 (100%), over 20%")

        // One trailing byte.
        let padded = try result([ExampleLines.classification("a.jpg", label: "cat")],
                                images: ["a.jpg": .padded("jpeg-baseline.jpg", size: try Self.size(of: "jpeg-baseline.jpg") + 1)])
        #expect(reason(TrailingData.definition, in: padded) == "1 byte follows the end of the image")

        // The text report's label counts.
        let text = TextReport.render(try result([ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 20, 20)])]), context: ReportContext())
        #expect(text.contains("object labels: cat (1 image, 1 box)"))
        #expect(!text.contains("1 images") && !text.contains("1 boxes"))
    }

    @Test func boxesCountFromOneWherePeopleReadThem() throws {
        // The first box (annotations[0]) is box 1 in the text, as line 1 is the first line.
        let line = ExampleLines.detection("a.jpg", boxes: [(0, -5, 10, 20, 20)])
        let run = try result([line])
        let finding = try #require(run.findings.first { $0.code == InvalidBoundingBox.definition.code })
        #expect(finding.annotationIndex == 0)
        let text = TextReport.render(run, context: ReportContext())
        #expect(text.contains("[bounding-box box 1]"))
        #expect(!text.contains("box 0"))

        // A box the manifest gets wrong is named both ways.
        let broken = #"{"source-ref":"s3://example-bucket/a.jpg","bounding-box":{"image_size":[{"width":96,"height":72,"depth":3}],"annotations":[{"class_id":0,"left":1,"width":2,"height":3}]},"bounding-box-metadata":{"objects":[{"confidence":1}],"class-map":{"0":"cat"},"type":"groundtruth/object-detection","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/example"}}"#
        let format = try result([broken]).findings.compactMap { $0.details["reason"]?.stringValue }
        #expect(format.contains { $0.contains("box 1 (annotations[0]) has no numeric top") }, "\(format)")
    }

    static func size(of fixture: String) throws -> Int {
        try Data(contentsOf: KitFixtures.root.appendingPathComponent("images/\(fixture)")).count
    }
}
