import Foundation
import PreflightJSON
import Testing
@testable import PreflightKit

/// Checks manifests whose images are under `s3://example-bucket/` in `images`.
func check(_ manifest: String, test: String? = nil, images: String) -> CheckResult {
    var options = CheckOptions()
    options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(images)")!])
    var inputs = [ManifestInput(path: manifest, role: .training)]
    if let test { inputs.append(ManifestInput(path: test, role: .testing)) }
    return CheckEngine(options: options).run(inputs)
}

func errors(_ result: CheckResult) -> [String] {
    result.findings.filter { $0.severity == .error }.map { "\($0.code)@\($0.line.map(String.init) ?? "-")" }
}

/// The bytes of every file, to show that an operation changed none of its inputs.
func contents(_ paths: [String]) throws -> [Data] {
    try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
}

/// Files a write left behind (AtomicFile's temporary files start with a dot).
func leftovers(in folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
}

private func cls(_ key: String, _ label: String) -> String { ExampleLines.classification(key, label: label) }

@Suite("Manifest operations")
struct ManifestOperationTests {
    // MARK: merge

    @Test func mergeKeepsTheFirstLinePerImageAndReportsConflicts() throws {
        let tree = try TemporaryTree()
        try tree.add(ExampleLines.images(count: 5, prefix: "i").mapKeys { "images/" + $0 })
        try tree.add(["images/same.jpg": .fixture("jpeg-baseline.jpg"), "images/copy.jpg": .fixture("jpeg-baseline-copy.jpg"),
                      "images/twin.jpg": .tagged("jpeg-baseline.jpg", tag: 2)])
        let a = try tree.write("a.manifest", lines: [cls("i0.jpg", "cat"), cls("i1.jpg", "dog"), cls("same.jpg", "cat"), cls("i2.jpg", "cat")])
        let b = try tree.write("b.manifest", lines: [
            cls("i1.jpg", "dog"),      // the same image, the same label: a plain repeat
            cls("i0.jpg", "dog"),      // the same image, another label: a conflict
            cls("copy.jpg", "cat"),    // the bytes of same.jpg, the same label
            "",
            cls("i3.jpg", "dog"),
            cls("twin.jpg", "dog"),    // the bytes of i2.jpg, another label
        ])
        let before = try contents([a, b])
        let output = tree.path("merged.manifest")

        let plain = try MergeOperation(inputs: [a, b], output: output).run()
        #expect(plain.linesWritten == 7)
        #expect(plain.repeatsDropped == 1)
        #expect(plain.blankLinesDropped == 1)
        #expect(plain.conflicts.count == 1)
        let conflict = try #require(plain.conflicts.first)
        #expect(conflict.kept.file == a && conflict.kept.line == 1 && conflict.kept.labels == ["cat"])
        #expect(conflict.dropped.file == b && conflict.dropped.line == 2 && conflict.dropped.labels == ["dog"])
        #expect(plain.log.contains { $0.isProblem && $0.text.contains("conflict") })
        #expect(try tree.lines("merged.manifest") == [cls("i0.jpg", "cat"), cls("i1.jpg", "dog"), cls("same.jpg", "cat"), cls("i2.jpg", "cat"),
                                                      cls("copy.jpg", "cat"), cls("i3.jpg", "dog"), cls("twin.jpg", "dog")])

        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(tree.path("images"))")!])
        let deduplicated = try MergeOperation(inputs: [a, b], output: output, dropDuplicateContent: true, options: options).run()
        #expect(deduplicated.linesWritten == 5)
        #expect(deduplicated.sameContentDropped == 1)
        #expect(deduplicated.conflicts.count == 2)
        #expect(deduplicated.conflicts.last?.sameContent == true)
        #expect(deduplicated.conflicts.last?.dropped.sourceRef == "s3://example-bucket/twin.jpg")

        let merged = check(output, images: tree.path("images"))
        #expect(errors(merged) == [])
        #expect(!merged.findings.contains { $0.code == DuplicateImage.definition.code })
        #expect(try contents([a, b]) == before)
        #expect(try leftovers(in: tree.root) == [])
    }

    @Test func operationsRefuseToWriteOverAnInput() throws {
        let tree = try TemporaryTree()
        let a = try tree.write("a.manifest", lines: [cls("i0.jpg", "cat")])
        let before = try contents([a])
        #expect(throws: OperationError.self) { try MergeOperation(inputs: [a], output: a).run() }
        #expect(throws: OperationError.self) { try MergeOperation(inputs: [a], output: tree.root.path + "/./a.manifest").run() }
        #expect(throws: OperationError.self) { try FixOperation(input: a, output: a).run() }
        #expect(throws: OperationError.self) { try SplitOperation(input: a, trainingOutput: tree.path("t"), testOutput: a).run() }
        #expect(throws: OperationError.self) { try ConvertOperation(source: .sagemakerMultiLabel, input: a, output: a).run() }
        #expect(throws: OperationError.self) { try MergeOperation(inputs: [a], output: tree.path("missing/out.manifest")).run() }
        #expect(try contents([a]) == before)
        #expect(try leftovers(in: tree.root) == [])
    }

    // MARK: split

    @Test func splitCoversEveryLabelOnBothSidesWithoutSharingAnImage() throws {
        let tree = try TemporaryTree(ExampleLines.images(count: 17, prefix: "i").mapKeys { "images/" + $0 })
        try tree.add(["images/dup.jpg": .tagged("jpeg-baseline.jpg", tag: 1)])   // the bytes of i1.jpg
        var lines: [String] = []
        for i in 0..<6 { lines.append(cls("i\(i).jpg", "cat")) }
        for i in 6..<11 { lines.append(cls("i\(i).jpg", "dog")) }
        lines += [cls("i11.jpg", "bird"), cls("i12.jpg", "bird"), cls("i13.jpg", "fish")]
        lines.append(String(cls("i14.jpg", "cat").dropLast()) + #","more":1,"more-metadata":{"class-name":"bird","confidence":1,"type":"groundtruth/image-classification","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z"}}"#)
        lines.append(cls("i0.jpg", "cat"))                                  // a second line for i0
        lines.append(#"{"source-ref":"s3://example-bucket/i15.jpg"}"#)     // no label
        lines.append(cls("dup.jpg", "cat"))
        let input = try tree.write("all.manifest", lines: lines)
        let before = try contents([input])
        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(tree.path("images"))")!])

        let split = SplitOperation(input: input, trainingOutput: tree.path("train.manifest"), testOutput: tree.path("test.manifest"),
                                   testFraction: 0.25, seed: 42, options: options)
        let outcome = try split.run()
        #expect(outcome.impossible == ["fish"])
        #expect(outcome.uncovered == [])
        #expect(outcome.log.contains { $0.isProblem && $0.text.contains("ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT") })
        for label in outcome.labels where label.label != "fish" {
            #expect(label.training > 0 && label.test > 0, "\(label)")
        }
        // Seven images carry "cat" (i1.jpg and dup.jpg are one image): round(7 × 0.25) = 2 go to test.
        #expect(outcome.labels.first { $0.label == "cat" }.map { ($0.training, $0.test) } ?? (0, 0) == (5, 2))
        let train = try tree.lines("train.manifest"), test = try tree.lines("test.manifest")
        #expect(train.count + test.count == lines.count)
        #expect(Set(train + test) == Set(lines))
        #expect(train.contains(cls("i13.jpg", "fish")))
        #expect(train.filter { $0 == cls("i0.jpg", "cat") }.count == 2 || test.filter { $0 == cls("i0.jpg", "cat") }.count == 2)
        #expect(train.contains(cls("i1.jpg", "cat")) == train.contains(cls("dup.jpg", "cat")))

        let result = check(tree.path("train.manifest"), test: tree.path("test.manifest"), images: tree.path("images"))
        #expect(errors(result) == [])
        #expect(!result.findings.contains { $0.code == TrainTestOverlap.definition.code })
        let trainLabels = try #require(result.stats(for: .training)).allLabels
        let testLabels = try #require(result.stats(for: .testing)).allLabels
        #expect(trainLabels == ["bird", "cat", "dog", "fish"])
        #expect(testLabels == ["bird", "cat", "dog"])

        let firstRun = try contents([tree.path("train.manifest"), tree.path("test.manifest")])
        _ = try split.run()
        #expect(try contents([tree.path("train.manifest"), tree.path("test.manifest")]) == firstRun, "the same seed gives the same split")
        #expect(try contents([input]) == before)
    }

    @Test func splitOfTwoImagesPerLabelPutsOneOnEachSide() throws {
        let tree = try TemporaryTree()
        let input = try tree.write("in.manifest", lines: [cls("a.jpg", "cat"), cls("b.jpg", "cat"), cls("c.jpg", "dog"), cls("d.jpg", "dog")])
        for seed in [UInt64(0), 1, 2, 3] {
            let outcome = try SplitOperation(input: input, trainingOutput: tree.path("tr.manifest"), testOutput: tree.path("te.manifest"),
                                             testFraction: 0.2, seed: seed).run()
            #expect(outcome.labels == [.init(label: "cat", training: 1, test: 1), .init(label: "dog", training: 1, test: 1)])
            #expect(outcome.log.allSatisfy { !$0.isProblem })
        }
        #expect(throws: OperationError.self) {
            try SplitOperation(input: input, trainingOutput: tree.path("tr.manifest"), testOutput: tree.path("te.manifest"), testFraction: 1).run()
        }
    }

    // MARK: fix

    /// Detection lines on 640 x 480 images, label "circle", with one fault each from line 2 on.
    func faultyDetectionManifest(_ tree: TemporaryTree) throws -> String {
        try tree.add([
            "images/a.jpg": .fixture("jpeg-640x480.jpg"), "images/b.jpg": .fixture("jpeg-640x480-half.jpg"),
            "images/c.jpg": .tagged("jpeg-640x480.jpg", tag: 1), "images/d.jpg": .tagged("jpeg-640x480.jpg", tag: 2),
        ])
        let circle = [0: "circle"]
        return try tree.write("in.manifest", lines: [
            ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: [(0, 48, 64, 192, 192)], classMap: circle),
            ExampleLines.detection("b.jpg", width: 640, height: 480, boxes: [(0, 24, 32, 96, 96)], classMap: circle),
            "{",
            ExampleLines.detection("c.jpg", width: 640, height: 480,
                                   boxes: [(0, 10, 10, 100, 100), (0, 10, 600, 100, 100), (0, 10, 639.5, 10, 10)], classMap: circle),
            ExampleLines.detection("missing.jpg", width: 640, height: 480, boxes: [(0, 10, 10, 100, 100)], classMap: circle),
            String(ExampleLines.detection("d.jpg", width: 640, height: 480, boxes: [(0, 10, 10, 50, 50)], classMap: circle).dropLast())
                + #","extra":1,"extra-metadata":{"type":"groundtruth/video"}}"#,
        ])
    }

    func imageOptions(_ tree: TemporaryTree) -> CheckOptions {
        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(tree.path("images"))")!])
        return options
    }

    @Test func fixWritesWhatTheServiceWouldUse() throws {
        let tree = try TemporaryTree()
        let input = try faultyDetectionManifest(tree)
        let before = try contents([input])
        #expect(!errors(check(input, images: tree.path("images"))).isEmpty)

        let outcome = try FixOperation(input: input, output: tree.path("fixed.manifest"), options: imageOptions(tree)).run()
        #expect(outcome.linesIn == 6 && outcome.linesOut == 4)
        #expect(outcome.changes.map { "\($0.line) \($0.kind.rawValue)" } == [
            "2 boxesScaled", "3 lineDropped", "4 boxDropped", "4 boxDropped", "5 lineDropped", "6 attributeDropped",
        ])
        #expect(outcome.remaining.isEmpty)
        #expect(outcome.log.allSatisfy { !$0.isProblem })

        let fixed = try tree.lines("fixed.manifest")
        let line2 = try JSONParser.parse(fixed[1])
        #expect(line2["bounding-box"]?["image_size"] == [["width": 320, "height": 240, "depth": 3]])
        let line4 = try JSONParser.parse(fixed[2])
        #expect(line4["bounding-box"]?["annotations"]?.arrayValue?.count == 1)
        #expect(line4["bounding-box-metadata"]?["objects"]?.arrayValue?.count == 1)
        let line6 = try JSONParser.parse(fixed[3])
        #expect(line6["extra"] == nil && line6["extra-metadata"] == nil && line6["bounding-box"] != nil)
        #expect(fixed[0] == (try tree.lines("in.manifest"))[0], "an untouched line is copied byte for byte")

        let result = check(tree.path("fixed.manifest"), images: tree.path("images"))
        #expect(errors(result) == [])
        #expect(!result.findings.contains { $0.code == ImageSizeMismatch.definition.code })
        #expect(try contents([input]) == before)
        #expect(try leftovers(in: tree.root) == [])
    }

    @Test func fixClipsBoxesAndStillDropsWhatIsThenTooSmall() throws {
        let tree = try TemporaryTree()
        let input = try faultyDetectionManifest(tree)
        let outcome = try FixOperation(input: input, output: tree.path("fixed.manifest"), clipBoxes: true, options: imageOptions(tree)).run()
        #expect(outcome.count(.boxClipped) == 2)
        let dropped = outcome.changes.filter { $0.kind == .boxDropped }
        #expect(dropped.map(\.line) == [4])
        #expect(dropped.first?.text.contains("box 3") == true && dropped.first?.text.contains(BoundingBoxTooSmall.definition.code) == true)

        let line4 = try JSONParser.parse(try tree.lines("fixed.manifest")[2])
        let boxes = line4["bounding-box"]?["annotations"]?.arrayValue ?? []
        #expect(boxes.count == 2)
        #expect(boxes.last == ["class_id": 0, "top": 10, "left": 600, "width": 40, "height": 100])
        #expect(line4["bounding-box-metadata"]?["objects"]?.arrayValue?.count == 2)
        #expect(errors(check(tree.path("fixed.manifest"), images: tree.path("images"))) == [])
    }

    @Test func fixListsTheErrorsItCannotRemove() throws {
        let tree = try TemporaryTree(["images/a.jpg": .fixture("jpeg-baseline.jpg"), "images/b.jpg": .tagged("jpeg-baseline.jpg", tag: 1)])
        let input = try tree.write("in.manifest", lines: [cls("a.jpg", "cat"), cls("b.jpg", "dog"), cls("gone.jpg", "dog")])
        let outcome = try FixOperation(input: input, output: tree.path("out.manifest"), options: imageOptions(tree)).run()
        #expect(outcome.linesOut == 2)
        #expect(outcome.remaining.map(\.code) == [InsufficientImagesPerLabelForAutosplit.definition.code])
        #expect(outcome.log.contains { $0.isProblem && $0.text.contains("ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT") })
    }

    // MARK: convert

    static let manifests = KitFixtures.root.appendingPathComponent("manifests")

    @Test func groundTruthMultiLabelBecomesOneAttributePerLabel() throws {
        let tree = try TemporaryTree()
        let input = Self.manifests.appendingPathComponent("groundtruth-multilabel.manifest").path
        let outcome = try ConvertOperation(source: .sagemakerMultiLabel, input: input, output: tree.path("out.manifest")).run()
        #expect(outcome.converted == 6 && outcome.linesWritten == 6 && outcome.problems.isEmpty)
        let lines = try tree.lines("out.manifest").map { try JSONParser.parse($0) }
        #expect(lines[1]["animals0"] == 0 && lines[1]["animals1"] == 1)
        #expect(lines[1]["animals1-metadata"] == [
            "class-name": "dog", "confidence": 0.81, "type": "groundtruth/image-classification",
            "job-name": "labeling-job/animals", "human-annotated": "yes", "creation-date": "2023-05-04T10:11:12.345678",
        ])
        #expect(lines[5].objectValue?.keys == ["source-ref"])

        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket/images=\(KitFixtures.root.path)/images")!])
        let result = CheckEngine(options: options).run([ManifestInput(path: tree.path("out.manifest"), role: .training)])
        #expect(errors(result) == [])
        #expect(result.stats(for: .training)?.classificationLabels.mapValues(\.images) == ["cat": 3, "dog": 3])

        let bad = try tree.write("bad.manifest", lines: [
            #"{"source-ref":"s3://b/x.jpg","job":[4],"job-metadata":{"class-map":{"0":"cat"},"confidence-map":{"4":1},"type":"groundtruth/image-classification-multilabel","human-annotated":"yes","creation-date":"2023-05-04T10:11:12"}}"#,
        ])
        let failed = try ConvertOperation(source: .sagemakerMultiLabel, input: bad, output: tree.path("bad-out.manifest")).run()
        #expect(failed.problems.count == 1 && failed.problems[0].contains("class id 4"))
        #expect(try tree.lines("bad-out.manifest") == (try tree.lines("bad.manifest")))
    }

    @Test func cocoBecomesBoundingBoxLines() throws {
        let tree = try TemporaryTree()
        let input = Self.manifests.appendingPathComponent("coco-shapes.json").path
        let outcome = try ConvertOperation(source: .coco, input: input, output: tree.path("out.manifest"),
                                           s3URI: "s3://example-bucket/coco", jobName: "shapes").run()
        #expect(outcome.linesWritten == 3 && outcome.problems.isEmpty)
        let lines = try tree.lines("out.manifest").map { try JSONParser.parse($0) }
        #expect(lines[0]["source-ref"] == "s3://example-bucket/coco/jpeg-640x480.jpg")
        #expect(lines[0]["bounding-box"]?["annotations"]?.arrayValue?.first == ["class_id": 1, "top": 48, "left": 64, "width": 192, "height": 192])
        #expect(lines[0]["bounding-box-metadata"]?["class-map"] == ["1": "circle", "2": "square", "3": "triangle"])
        #expect(lines[0]["bounding-box-metadata"]?["creation-date"] == "2023-05-04T10:11:12")
        #expect(lines[0]["bounding-box-metadata"]?["job-name"] == "shapes")
        #expect(lines[1]["bounding-box"]?["annotations"]?.arrayValue?.last?["top"] == .number(JSONNumber(text: "144.0")!))

        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket/coco=\(KitFixtures.root.path)/images")!])
        let result = CheckEngine(options: options).run([ManifestInput(path: tree.path("out.manifest"), role: .training)])
        #expect(errors(result) == [])
        #expect(result.stats(for: .training)?.detectionLabels["circle"] == DatasetStats.LabelCount(images: 2, boxes: 2))
        #expect(result.findings.contains { $0.code == NoAnnotations.definition.code && $0.line == 3 })

        let broken = try tree.write("broken.json", lines: [
            #"{"images":[{"id":1,"file_name":"a.jpg","width":96,"height":72}],"annotations":[{"image_id":1,"category_id":7,"bbox":[1,2,3,4]},{"image_id":9,"category_id":1,"bbox":[1,2,3,4]}],"categories":[{"id":1,"name":"cat"}]}"#,
        ])
        let partial = try ConvertOperation(source: .coco, input: broken, output: tree.path("broken.manifest"), s3URI: "s3://b").run()
        #expect(partial.linesWritten == 1)
        #expect(partial.problems.count == 2)
        #expect(throws: OperationError.self) { try ConvertOperation(source: .coco, input: input, output: tree.path("x.manifest")).run() }
    }
}

extension Dictionary where Key == String {
    func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
