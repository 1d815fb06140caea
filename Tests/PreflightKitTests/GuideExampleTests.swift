import Foundation
import Testing
@testable import PreflightKit

/// Manifests written exactly in the shapes the Rekognition Custom Labels guide shows as
/// valid must give no error.
@Suite("Valid manifests in the guide's shapes")
struct GuideExampleTests {
    /// Writes the manifest and its images into a fresh folder and checks them in full mode.
    func check(manifest: [String], images: [String: ExampleImage]) throws -> CheckResult {
        let example = RuleExample("guide", triggers: false, training: manifest, images: images)
        return try RuleExampleRunner(fixtures: KitFixtures.root).result(of: example)
    }

    @Test func imageLevelLabelsSingleAndMultiLabel() throws {
        let manifest = [
            #"{"source-ref": "s3://example-bucket/gt-job/manifest/IMG_1133.png","TestCLConsoleBucket":0,"TestCLConsoleBucket-metadata":{"confidence":0.95,"job-name":"labeling-job/testclconsolebucket","class-name":"Echo Dot","human-annotated":"yes","creation-date":"2020-04-15T20:17:23.433061","type":"groundtruth/image-classification"}}"#,
            #"{"source-ref": "s3://example-bucket/gt-job/manifest/IMG_1134.png","TestCLConsoleBucket":0,"TestCLConsoleBucket-metadata":{"confidence":0.95,"job-name":"labeling-job/testclconsolebucket","class-name":"Echo Dot","human-annotated":"yes","creation-date":"2020-04-15T20:17:23.433061","type":"groundtruth/image-classification"}}"#,
            #"{"source-ref":"s3://example-bucket/images/IMG_1186.png","sport0":0,"sport0-metadata":{"class-name":"Football","confidence":0.8,"type":"groundtruth/image-classification","job-name":"identify-sport","human-annotated":"yes","creation-date":"2018-10-18T22:18:13.527256"},"sport1":1,"sport1-metadata":{"class-name":"Basketball","confidence":0.8,"type":"groundtruth/image-classification","job-name":"identify-sport","human-annotated":"yes","creation-date":"2018-10-18T22:18:13.527256"}}"#,
            #"{"source-ref":"s3://example-bucket/images/IMG_1187.png","sport0":0,"sport0-metadata":{"class-name":"Football","confidence":0.8,"type":"groundtruth/image-classification","job-name":"identify-sport","human-annotated":"yes","creation-date":"2018-10-18T22:18:13.527256"},"sport1":1,"sport1-metadata":{"class-name":"Basketball","confidence":0.8,"type":"groundtruth/image-classification","job-name":"identify-sport","human-annotated":"yes","creation-date":"2018-10-18T22:18:13.527256"}}"#,
        ]
        let result = try check(manifest: manifest, images: [
            "gt-job/manifest/IMG_1133.png": .fixture("png-rgb8.png"), "gt-job/manifest/IMG_1134.png": .fixture("png-rgba8.png"),
            "images/IMG_1186.png": .fixture("png-gray8.png"), "images/IMG_1187.png": .fixture("png-interlaced.png"),
        ])
        #expect(result.findings.filter { $0.severity == .error }.map(\.code) == [])
        let stats = try #require(result.stats(for: .training))
        #expect(stats.validLines == 4)
        #expect(stats.useCase == .imageLevelLabels)
        #expect(stats.classificationLabels["Football"]?.images == 2)
        #expect(stats.classificationLabels["Echo Dot"]?.images == 2)
    }

    @Test func objectLocalization() throws {
        func line(_ key: String) -> String {
            #"{"source-ref": "s3://example-bucket/"# + key + #"", "bounding-box": {"image_size": [{"width": 640, "height": 480, "depth": 3}], "annotations": [{"class_id": 0, "left": 111, "top": 134, "width": 61, "height": 128}, {"class_id": 5, "left": 161, "top": 250, "width": 30, "height": 30}, {"class_id": 5, "left": 20, "top": 20, "width": 30, "height": 30}]}, "bounding-box-metadata": {"objects": [{"confidence": 0.8}, {"confidence": 0.9}, {"confidence": 0.9}], "class-map": {"0": "Echo Dot", "5": "Echo Studio"}, "type": "groundtruth/object-detection", "human-annotated": "yes", "creation-date": "2018-10-18T22:18:13.527256", "job-name": "my job"}}"#
        }
        let result = try check(manifest: [line("a.jpg"), line("b.jpg")],
                               images: ["a.jpg": .tagged("jpeg-640x480.jpg", tag: 1), "b.jpg": .tagged("jpeg-640x480.jpg", tag: 2)])
        // Two lines hold too few boxes per label to learn from, and their images are copies of one
        // picture: that advice is right here, and all.
        #expect(Set(result.findings.map(\.code)) == ["PREFLIGHT_NEAR_DUPLICATE_IMAGE", "PREFLIGHT_RARE_BOX_LABEL"])
        let stats = try #require(result.stats(for: .training))
        #expect(stats.useCase == .objectLocalization)
        #expect(stats.detectionLabels["Echo Studio"] == DatasetStats.LabelCount(images: 2, boxes: 4))
    }
}
