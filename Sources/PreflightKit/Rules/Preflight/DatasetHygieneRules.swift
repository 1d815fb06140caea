import PreflightJSON

// Preflight's dataset-level checks: conditions the service does not report but that
// quietly make a model worse or its test score meaningless.

private let two = ExampleLines.classificationSet(labels: ["cat", "dog"], count: 4)
private let twoImages = ExampleLines.images(count: 4)

public struct DuplicateImage: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_DUPLICATE_IMAGE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Same image twice in a dataset",
        message: "This line's image is also the image of an earlier line.",
        explanation: "Two lines that name the same image weigh that picture twice, and if their labels differ, contradict each other. Found from the manifest's text when two lines have the same `source-ref` (images read or not), and, when images are read, when two files have identical content (by content hash, compared byte for byte, whatever their names). Reported on the later line.",
        fix: "Remove the later line, or merge the two lines' labels into one.",
        examples: [
            .init("Same bytes under two names", triggers: true,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("b.jpg", label: "dog")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg"), "b.jpg": .fixture("jpeg-baseline-copy.jpg")], line: 2),
            .init("The same file on two lines", triggers: true,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("a.jpg", label: "dog")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")], line: 2),
            RuleExample("The same source-ref on two lines, found with no image read", triggers: true,
                        training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("a.jpg", label: "dog")],
                        line: 2).withoutImageMaps(),
            .init("Different images", triggers: false, training: two, images: twoImages),
            .init("Same size, different bytes", triggers: false,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("b.jpg", label: "dog")],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2)]),
        ])

    public static func check(_ dataset: DatasetCheck) {
        for duplicate in dataset.contentGroups.duplicates where duplicate.role == dataset.stats.role && duplicate.firstRole == duplicate.role {
            dataset.report(definition, line: duplicate.line, sourceRef: duplicate.sourceRef, image: duplicate.path, details: [
                "first_line": .number(JSONNumber(duplicate.firstLine)),
                "first_image": duplicate.firstPath.map { .string($0) } ?? .null,
                "reason": .string(duplicate.reason),
            ])
        }
    }
}

public struct TrainTestOverlap: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TRAIN_TEST_OVERLAP", severity: .error, scope: .line, effect: .none, origin: .preflight,
        title: "Test image also in training",
        message: "This test image is also a training image.",
        explanation: "An image in both datasets is tested on what the model was trained on, which inflates the test score: the model ships worse than measured. Found from the manifests' text when a test line has the same `source-ref` as a training line (images read or not), and, when images are read, by content hash across both manifests (whatever the names). Reported on the test manifest's line. An error, though the service trains all the same: the test score it reports cannot be trusted.",
        fix: "Remove the image from one of the two manifests.",
        examples: [
            .init("A training image reused in the test set", triggers: true, training: two,
                  test: [ExampleLines.classification("img0.jpg", label: "cat"), ExampleLines.classification("t1.jpg", label: "dog")],
                  images: twoImages.merging(["t1.jpg": .tagged("jpeg-baseline.jpg", tag: 101)]) { a, _ in a }, line: 1, inTest: true),
            RuleExample("A training source-ref named again in the test set, found with no image read", triggers: true, training: two,
                        test: [ExampleLines.classification("t0.jpg", label: "cat"), ExampleLines.classification("img1.jpg", label: "dog")],
                        line: 2, inTest: true).withoutImageMaps(),
            .init("Distinct test images", triggers: false, training: two,
                  test: ExampleLines.classificationSet(labels: ["cat", "dog"], count: 2, prefix: "t"),
                  images: twoImages.merging(ExampleLines.images(count: 2, prefix: "t")) { a, _ in a }),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.stats.role == .testing else { return }
        for duplicate in dataset.contentGroups.duplicates where duplicate.role == .testing && duplicate.firstRole == .training {
            dataset.report(definition, line: duplicate.line, sourceRef: duplicate.sourceRef, image: duplicate.path, details: [
                "training_line": .number(JSONNumber(duplicate.firstLine)),
                "training_image": duplicate.firstPath.map { .string($0) } ?? .null,
                "reason": .string(duplicate.reason),
            ])
        }
    }
}

public struct ClassMapConflict: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_CLASS_MAP_CONFLICT", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "One class id, several names",
        message: "A class id is mapped to different label names on different lines.",
        explanation: "Each line carries its own `class-map`, and the service takes label names from it line by line. When class id 0 means \"cat\" on one line and \"dog\" on another, the manifest was usually merged from jobs with different label lists, and some boxes may carry the wrong label.",
        fix: "Check the lines listed; renumber the class ids so that each id has one name throughout.",
        examples: [
            .init("Class 0 is cat on line 1 and dog on line 2", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 1, 1, 20, 20)], classMap: [0: "cat"]),
                             ExampleLines.detection("b.jpg", boxes: [(0, 1, 1, 20, 20)], classMap: [0: "dog"])],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2)]),
            .init("Class 0 is cat throughout", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 1, 1, 20, 20)]), ExampleLines.detection("b.jpg", boxes: [(0, 1, 1, 20, 20)])],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2)]),
        ])

    public static func check(_ dataset: DatasetCheck) {
        for (id, names) in dataset.stats.classIDNames.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            let ordered = names.sorted { $0.value < $1.value }
            dataset.report(definition, details: [
                "class_id": .number(JSONNumber(id)),
                "names": .array(ordered.map { .object(["name": .string($0.key), "first_line": .number(JSONNumber($0.value))]) }),
                "reason": .string("class id \(id) is " + ordered.map { "\"\($0.key)\" (line \($0.value))" }.joined(separator: ", ")),
            ])
        }
    }
}

public struct LabelNameVariant: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_LABEL_NAME_VARIANT", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "Label names differing only in case or spaces",
        message: "Some label names differ only by letter case or white space; the service treats them as different labels.",
        explanation: "\"Echo Dot\", \"echo dot\" and \"echo  dot \" are three labels to the service. Almost always they were meant to be one, and the model now learns to tell a label from itself.",
        fix: "Pick one spelling and rewrite the others.",
        examples: [
            .init("\"Echo Dot\" and \"echo dot\"", triggers: true,
                  training: [ExampleLines.classification("a.jpg", label: "Echo Dot"), ExampleLines.classification("b.jpg", label: "echo dot"),
                             ExampleLines.classification("c.jpg", label: "Echo")],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2), "c.jpg": .tagged("jpeg-baseline.jpg", tag: 3)]),
            .init("Distinct names", triggers: false, training: two, images: twoImages),
        ])

    static func normalized(_ name: String) -> String {
        name.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    public static func check(_ dataset: DatasetCheck) {
        var groups: [String: Set<String>] = [:]
        for name in dataset.stats.allLabels { groups[normalized(name), default: []].insert(name) }
        for (_, names) in groups.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            let sorted = names.sorted()
            dataset.report(definition, details: [
                "names": .array(sorted.map { .string($0) }),
                "reason": .string(sorted.map { "\"\($0)\"" }.joined(separator: ", ") + " are different labels to the service"),
            ])
        }
    }
}

public struct MixedUseCase: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_MIXED_USE_CASE", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "Lines of the other use case are not used",
        message: "The manifest mixes image-level labels and bounding boxes; the lines of the minority kind will not be used.",
        explanation: "The service trains one kind of model per dataset, image-level labels or object localization, and uses only the lines of that kind. Preflight expects it to choose the kind with more valid lines; the other lines are valid but wasted.",
        fix: "Move the lines of the other kind to their own project, or relabel them.",
        examples: [
            .init("Four classification lines and one detection line", triggers: true,
                  training: two + [ExampleLines.detection("d.jpg", boxes: [(0, 1, 1, 20, 20)])],
                  images: twoImages.merging(["d.jpg": .tagged("jpeg-baseline.jpg", tag: 50)]) { a, _ in a }),
            .init("Only classification lines", triggers: false, training: two, images: twoImages),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let stats = dataset.stats
        guard stats.classificationLines > 0, stats.detectionLines > 0 else { return }
        let unused = stats.useCase == .imageLevelLabels ? stats.detectionLines : stats.classificationLines
        dataset.report(definition, details: [
            "use_case": .string(stats.useCase.rawValue),
            "classification_lines": .number(JSONNumber(stats.classificationLines)),
            "detection_lines": .number(JSONNumber(stats.detectionLines)),
            "reason": .string("\(counted(unused, "line")) of the other kind will not be used; chosen use case \(stats.useCase.rawValue)"),
        ])
    }
}

public struct TooManyLines: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TOO_MANY_LINES", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .preflight,
        title: "More than 250,000 lines",
        message: "The manifest has more than 250,000 lines (dataset objects).",
        explanation: "A manifest may hold at most 250,000 dataset objects. The service states the limit without an error code of its own. Preflight counts the lines past the limit but does not check them.",
        fix: "Split the dataset.",
        examples: [
            .init("250,001 blank lines", triggers: true, training: Array(repeating: "", count: 250_001), fullDecode: false),
            .init("Four lines", triggers: false, training: two, images: twoImages),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.stats.totalLines > ServiceLimits.maxLinesPerManifest else { return }
        dataset.report(definition, details: [
            "lines": .number(JSONNumber(dataset.stats.totalLines)),
            "reason": .string("\(dataset.stats.totalLines) lines; lines after line \(ServiceLimits.maxLinesPerManifest) were counted but not checked"),
        ])
    }
}

public struct TooManyImages: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TOO_MANY_IMAGES", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .preflight,
        title: "More images than the region allows",
        message: "The dataset has more images than the quota allows.",
        explanation: "A dataset may hold at most 250,000 images; in the Mumbai (ap-south-1) and London (eu-west-2) regions, at most 28,000 training and 7,000 test images. Pass --region to apply the regional quota.",
        fix: "Remove images, or request a quota increase before uploading.",
        examples: [
            RuleExample("7,001 test images in eu-west-2", triggers: true, training: two,
                        test: ExampleLines.classificationSet(labels: ["cat", "dog"], count: 7_001, prefix: "t"), inTest: true)
                .inRegion("eu-west-2").withoutImageMaps(),
            RuleExample("3 images are fine anywhere", triggers: false, training: Array(two.prefix(3)), images: twoImages).headersOnly(),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let limit = ServiceLimits.maxImages(role: dataset.stats.role, region: dataset.options.region)
        let images = dataset.stats.validLines
        guard images > limit else { return }
        dataset.report(definition, details: [
            "images": .number(JSONNumber(images)), "limit": .number(JSONNumber(limit)),
            "region": dataset.options.region.map { .string($0) } ?? .null,
            "reason": .string("\(images) images; the limit is \(limit)"),
        ])
    }
}
