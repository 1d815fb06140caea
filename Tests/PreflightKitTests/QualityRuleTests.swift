import Foundation
import Testing
import PreflightJSON
import PreflightKit

/// The figures the quality rules' findings carry, and the cases their examples do not show.
@Suite("Data-quality rules")
struct QualityRuleTests {
    let runner = RuleExampleRunner(fixtures: KitFixtures.root)

    func findings(_ code: String, _ example: RuleExample) throws -> [Finding] {
        try runner.result(of: example).findings.filter { $0.code == code }
    }

    func number(_ finding: Finding?, _ key: String) -> Double? { finding?.details[key]?.numberValue?.double }

    func classification(_ label: String, _ count: Int, prefix: String = "") -> [String] {
        (0..<count).map { ExampleLines.classification("\(prefix)\(label)\($0).jpg", label: label) }
    }

    @Test func tinyBoxGivesItsSizeAfterTheServiceScalesTheImage() throws {
        let example = RuleExample("", triggers: true,
                                  training: [ExampleLines.detection("big.png", width: 2560, height: 1440, boxes: [(0, 100, 100, 10, 14)])],
                                  images: ["big.png": .fixture("png-2560x1440.png")])
        let found = try findings("PREFLIGHT_TINY_BOX", example)
        #expect(found.count == 1)
        #expect(number(found.first, "scale") == 0.5)
        #expect(number(found.first, "scaled_width") == 5)
        #expect(number(found.first, "scaled_height") == 7)
        #expect(found.first?.details["frame"]?.stringValue == "decoded")
    }

    @Test func boxCoveringTheImageIsMeasuredOnTheDecodedImage() throws {
        // image_size says 192 x 144 (the box would cover a quarter); the file is 96 x 72.
        let example = RuleExample("", triggers: true,
                                  training: [ExampleLines.detection("a.jpg", width: 192, height: 144, boxes: [(0, 0, 0, 96, 70)])],
                                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")])
        let found = try findings("PREFLIGHT_BOX_COVERS_IMAGE", example)
        #expect(found.count == 1)
        #expect(number(found.first, "coverage") == 0.9722)
        #expect(number(found.first, "image_width") == 96)
    }

    @Test func boxAdviceSkipsLinesTheServiceDoesNotUse() throws {
        // The image is mapped but missing, so the line is invalid: its boxes teach nothing either way.
        let example = RuleExample("", triggers: false,
                                  training: [ExampleLines.detection("gone.jpg", width: 640, height: 480,
                                                                    boxes: [(0, 0, 0, 640, 480), (0, 0, 0, 640, 480), (0, 1, 1, 4, 4)])])
        let result = try runner.result(of: example)
        #expect(result.findings.contains { $0.code == "ERROR_INVALID_IMAGE" })
        for code in ["PREFLIGHT_BOX_COVERS_IMAGE", "PREFLIGHT_OVERLAPPING_BOXES", "PREFLIGHT_TINY_BOX"] {
            #expect(!result.findings.contains { $0.code == code }, "\(code) on an invalid line")
        }
    }

    @Test func overlappingBoxesAreFoundAcrossLabelAttributes() throws {
        // One image labelled by two jobs, each drawing the same cat.
        let first = ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 40, 40)], attribute: "job-a")
        let second = ExampleLines.detection("a.jpg", boxes: [(0, 10, 11, 40, 40)], attribute: "job-b")
        let prefix = "{\"source-ref\":\"\(ExampleLines.bucket)a.jpg\","
        let line = String(first.dropLast()) + "," + String(second.dropFirst(prefix.count))
        let example = RuleExample("", triggers: true, training: [line], images: ["a.jpg": .fixture("jpeg-baseline.jpg")])
        let found = try findings("PREFLIGHT_OVERLAPPING_BOXES", example)
        #expect(found.count == 1)
        #expect(found.first?.attribute == "job-b")
        #expect(found.first?.details["first_attribute"]?.stringValue == "job-a")
        #expect(number(found.first, "first_annotation") == 0)
        #expect(number(found.first, "iou") == 0.9512)
    }

    @Test func imbalanceNamesTheLabelItsImagesAndTheMedian() throws {
        let example = RuleExample("", triggers: true,
                                  training: classification("cat", 30) + classification("dog", 20) + classification("emu", 10)
                                      + classification("bird", 1)).withoutImageMaps()
        let found = try findings("PREFLIGHT_LABEL_IMBALANCE", example)
        // Median of 30, 20, 10, 1 is 15: bird (1) is under 1.5, emu (10) is not.
        #expect(found.map { $0.details["label"]?.stringValue } == ["bird"])
        #expect(number(found.first, "images") == 1)
        #expect(number(found.first, "median_images") == 15)
    }

    @Test func rareLabelCountsOnlyTheBoxesTheServiceKeeps() throws {
        // Ten dog boxes, but one is off the 96 x 72 image and dropped: nine are left.
        let dogs = (0..<10).map { ExampleLines.detection("d\($0).jpg", boxes: [(0, 10, $0 == 0 ? 90 : 10, 20, 20)], classMap: [0: "dog"]) }
        let images = ExampleLines.images(count: 10, prefix: "d")
        let found = try findings("PREFLIGHT_RARE_BOX_LABEL", RuleExample("", triggers: true, training: dogs, images: images))
        #expect(found.count == 1)
        #expect(number(found.first, "boxes") == 9)
    }

    @Test func labelShiftGivesBothSharesAndFindsALabelMissingFromTheTestSet() throws {
        let example = RuleExample("", triggers: true,
                                  training: classification("cat", 20) + classification("dog", 20) + classification("emu", 20),
                                  test: classification("cat", 18, prefix: "t") + classification("dog", 2, prefix: "t"),
                                  inTest: true).withoutImageMaps()
        let found = try findings("PREFLIGHT_LABEL_SHIFT", example)
        // cat: 33% and 90% (under 3 times); dog: 33% and 10%; emu: 33% and none.
        #expect(found.map { $0.details["label"]?.stringValue } == ["dog", "emu"])
        let dog = found.first { $0.details["label"]?.stringValue == "dog" }
        #expect(number(dog, "training_share") == 0.3333)
        #expect(number(dog, "test_share") == 0.1)
        #expect(number(dog, "ratio") == 3.33)
        let emu = found.first { $0.details["label"]?.stringValue == "emu" }
        #expect(number(emu, "test_images") == 0)
        #expect(emu?.details["ratio"]?.isNull == true)
        #expect(found.allSatisfy { $0.role == .testing && $0.line == nil })
    }

    @Test func theShippedExampleRaisesNoQualityFinding() throws {
        // Its boxes are tight and at least 34 px, its three labels have 10 images each, and its
        // test set (6 usable images) is too small to compare shares.
        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket",
                                                              directory: KitFixtures.root.appendingPathComponent("example").path)])
        let inputs = [ManifestInput(path: KitFixtures.root.appendingPathComponent("example/train.manifest").path, role: .training),
                      ManifestInput(path: KitFixtures.root.appendingPathComponent("example/test.manifest").path, role: .testing)]
        let result = CheckEngine(options: options).run(inputs)
        let quality = ["PREFLIGHT_BOX_COVERS_IMAGE", "PREFLIGHT_OVERLAPPING_BOXES", "PREFLIGHT_TINY_BOX",
                       "PREFLIGHT_RARE_BOX_LABEL", "PREFLIGHT_LABEL_IMBALANCE", "PREFLIGHT_LABEL_SHIFT"]
        #expect(result.findings.filter { quality.contains($0.code) }.map(\.code) == [])
        #expect(result.findings.contains { $0.code == "ERROR_INVALID_BOUNDING_BOX" }, "the example was checked")
    }
}
