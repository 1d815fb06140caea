#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PreflightJSON

// The service's dataset-level checks: any of these stops training.

private let two = ExampleLines.classificationSet(labels: ["cat", "dog"], count: 4)
private let twoImages = ExampleLines.images(count: 4)

private func labelList(_ labels: some Sequence<String>) -> JSONValue {
    .array(labels.sorted().map { .string($0) })
}

public struct TooManyInvalidRows: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_TOO_MANY_INVALID_ROWS_IN_MANIFEST", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .service,
        title: "Over 20% of lines invalid",
        message: "The manifest file contains too many invalid rows.",
        explanation: "Training stops when more than 20% of a manifest's lines are invalid, whatever the causes. Ignored lines (warnings such as unannotated records) are not invalid and do not count toward the 20%.",
        fix: "Fix the line errors in this report; the invalid line numbers are in the finding's details.",
        examples: [
            .init("1 invalid line of 4 (25%)", triggers: true, training: Array(two.prefix(3)) + ["{"], images: twoImages),
            .init("1 invalid line of 5 (20%)", triggers: false, training: two + ["{"], images: twoImages),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let stats = dataset.stats
        guard stats.totalLines > 0 else { return }
        let share = Double(stats.invalidLines) / Double(stats.totalLines)
        guard share > ServiceLimits.maxInvalidLineShare else { return }
        dataset.report(definition, details: [
            "invalid_lines": .number(JSONNumber(stats.invalidLines)), "total_lines": .number(JSONNumber(stats.totalLines)),
            "invalid_share": .number(JSONNumber((share * 1000).rounded() / 1000)),
            "reason": .string("invalid lines: \(stats.invalidLines) of \(stats.totalLines) (\(format(share * 100))%), over 20%"),
        ])
    }
}

public struct ImagesInMultipleBuckets: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_IMAGES_IN_MULTIPLE_S3_BUCKETS", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .service,
        title: "Images in more than one bucket",
        message: "The manifest file contains images from multiple S3 buckets.",
        explanation: "All images of one dataset must be in the same S3 bucket.",
        fix: "Copy the images into one bucket and rewrite the source-refs.",
        examples: [
            .init("Two buckets", triggers: true,
                  training: [two[0], two[1].replacing("example-bucket", with: "other-bucket")], images: twoImages),
            .init("One bucket", triggers: false, training: two, images: twoImages),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let buckets = dataset.stats.buckets
        guard buckets.count > 1 else { return }
        let ordered = buckets.sorted { $0.value < $1.value }
        dataset.report(definition, details: [
            "buckets": .array(ordered.map { .object(["bucket": .string($0.key), "first_line": .number(JSONNumber($0.value))]) }),
            "reason": .string("source-refs name \(buckets.count) buckets: " + ordered.map(\.key).joined(separator: ", ")),
        ])
    }
}

public struct InsufficientImagesPerLabelForAutosplit: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .service,
        title: "Auto-split would leave a label empty",
        message: "The manifest file contains insufficient labeled images per label to perform auto-split.",
        explanation: """
            With no test dataset, the service moves 20% of the training images into a test set. A \
            label with a single image cannot be on both sides of that split. Preflight reports every \
            label of the chosen use case with fewer than 2 images.
            """,
        fix: "Add images for the labels listed, or give the project a test manifest (--test).",
        examples: [
            .init("'bird' has one image and there is no test manifest", triggers: true,
                  training: two + [ExampleLines.classification("img9.jpg", label: "bird")],
                  images: ExampleLines.images(count: 4).merging(["img9.jpg": .tagged("jpeg-baseline.jpg", tag: 9)]) { a, _ in a }),
            .init("Every label has 2 images", triggers: false, training: two, images: twoImages),
            .init("A test manifest is given", triggers: false,
                  training: two + [ExampleLines.classification("img9.jpg", label: "bird")], test: two,
                  images: ExampleLines.images(count: 4).merging(["img9.jpg": .tagged("jpeg-baseline.jpg", tag: 9)]) { a, _ in a }),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.stats.role == .training, !dataset.hasTestManifest else { return }
        let thin = dataset.stats.usableLabels.filter { $0.value.images < 2 }.map(\.key).sorted()
        guard !thin.isEmpty else { return }
        dataset.report(definition, details: [
            "labels": labelList(thin),
            "reason": .string("labels with fewer than 2 images: " + thin.joined(separator: ", ")),
        ])
    }
}

public struct ManifestTooFewLabels: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MANIFEST_TOO_FEW_LABELS", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .service,
        title: "Too few labels",
        message: "The manifest file has too few labels.",
        explanation: "An image-level (classification) dataset needs at least 2 distinct labels; an object-localization dataset at least 1. Labels are counted on valid lines only.",
        fix: "Add images of more labels, or fix the invalid lines that carried them.",
        examples: [
            .init("Classification with one label", triggers: true,
                  training: ExampleLines.classificationSet(labels: ["cat"], count: 3), images: ExampleLines.images(count: 3)),
            .init("Classification with two labels", triggers: false, training: two, images: twoImages),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let stats = dataset.stats
        let labels = stats.allLabels
        let minimum = stats.useCase == .objectLocalization ? ServiceLimits.minDetectionLabels : ServiceLimits.minClassificationLabels
        guard labels.count < minimum else { return }
        dataset.report(definition, details: [
            "labels": labelList(labels), "minimum": .number(JSONNumber(minimum)), "use_case": .string(stats.useCase.rawValue),
            "reason": .string("\(labels.count) label\(labels.count == 1 ? "" : "s") on valid lines; at least \(minimum) needed"),
        ])
    }
}

public struct ManifestTooManyLabels: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MANIFEST_TOO_MANY_LABELS", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .service,
        title: "More than 250 labels",
        message: "The manifest file has too many labels.",
        explanation: "A manifest may use at most 250 distinct labels.",
        fix: "Merge or drop rare labels, or split the problem into several models.",
        examples: [
            .init("251 labels", triggers: true,
                  training: ExampleLines.classificationSet(labels: (0..<251).map { "label\($0)" }, count: 251),
                  images: ExampleLines.images(count: 251), fullDecode: false),
            .init("2 labels", triggers: false, training: two, images: twoImages),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let count = dataset.stats.allLabels.count
        guard count > ServiceLimits.maxLabelsPerManifest else { return }
        dataset.report(definition, details: [
            "labels": .number(JSONNumber(count)),
            "reason": .string("\(count) labels; the limit is \(ServiceLimits.maxLabelsPerManifest)"),
        ])
    }
}

public struct ManifestTooFewUsableLabels: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MANIFEST_TOO_FEW_USABLE_LABELS", severity: .error, scope: .dataset, effect: .stopsTraining, origin: .service,
        title: "Too few labels for the chosen use case",
        message: "The manifest file has too few usable labels.",
        explanation: """
            The service picks one use case for the manifest, image-level labels or object \
            localization (Preflight takes the one with more valid lines), and uses only the lines \
            of that kind. The labels on those lines must still reach the minimum (2 for image-level, \
            1 for localization), even when the manifest as a whole has enough labels.
            """,
        fix: "Keep one kind of labelling per manifest, or add labels of the kind the manifest mostly holds.",
        examples: [
            .init("Two detection lines of one label, one classification line of another", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 1, 1, 20, 20)]), ExampleLines.detection("b.jpg", boxes: [(0, 1, 1, 20, 20)]),
                             ExampleLines.classification("c.jpg", label: "dog")],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2), "c.jpg": .tagged("jpeg-baseline.jpg", tag: 3)]),
            .init("Two classification lines of one label, one detection line", triggers: true,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("b.jpg", label: "cat"),
                             ExampleLines.detection("c.jpg", boxes: [(0, 1, 1, 20, 20)], classMap: [0: "dog"])],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2), "c.jpg": .tagged("jpeg-baseline.jpg", tag: 3)]),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let stats = dataset.stats
        let minimum = stats.useCase == .objectLocalization ? ServiceLimits.minDetectionLabels : ServiceLimits.minClassificationLabels
        // Reported only when the manifest as a whole has enough labels (else: too few labels).
        guard stats.allLabels.count >= minimum, stats.usableLabels.count < minimum else { return }
        dataset.report(definition, details: [
            "use_case": .string(stats.useCase.rawValue), "usable_labels": labelList(stats.usableLabels.keys),
            "reason": .string("\(counted(stats.usableLabels.count, "label")) among the \(stats.useCase.rawValue) lines; at least \(minimum) needed"),
        ])
    }
}

/// The share of test labels that are also training labels.
private func overlap(test: Set<String>, training: Set<String>) -> Double? {
    guard !test.isEmpty else { return nil }
    return Double(test.intersection(training).count) / Double(test.count)
}

public struct InsufficientLabelOverlap: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INSUFFICIENT_LABEL_OVERLAP", severity: .error, scope: .project, effect: .stopsTraining, origin: .service,
        title: "Test labels missing from training",
        message: "Less than 50% label overlap between the training and testing manifest files.",
        explanation: "At least half of the labels in the test manifest must also be labels of the training manifest; the model cannot be evaluated on labels it never saw.",
        fix: "Add training images for the test labels listed, or correct label names that differ between the manifests.",
        examples: [
            .init("Test labels bird and fish, training labels cat and dog", triggers: true, training: two,
                  test: ExampleLines.classificationSet(labels: ["bird", "fish"], count: 2, prefix: "t"),
                  images: twoImages.merging(ExampleLines.images(count: 2, prefix: "t")) { a, _ in a }, inTest: true),
            .init("Test labels cat and bird (50%)", triggers: false, training: two,
                  test: ExampleLines.classificationSet(labels: ["cat", "bird"], count: 2, prefix: "t"),
                  images: twoImages.merging(ExampleLines.images(count: 2, prefix: "t")) { a, _ in a }, inTest: true),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.stats.role == .testing, let training = dataset.training,
              let share = overlap(test: dataset.stats.allLabels, training: training.allLabels),
              share < ServiceLimits.minLabelOverlap else { return }
        let missing = dataset.stats.allLabels.subtracting(training.allLabels)
        dataset.report(definition, details: [
            "overlap": .number(JSONNumber((share * 1000).rounded() / 1000)), "test_labels_not_in_training": labelList(missing),
            "reason": .string("\(format(share * 100))% of the test labels are training labels; not in training: \(nameList(missing))"),
        ])
    }
}

public struct InsufficientUsableLabelOverlap: DatasetRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INSUFFICIENT_USABLE_LABEL_OVERLAP", severity: .error, scope: .project, effect: .stopsTraining, origin: .service,
        title: "Test labels of the use case missing from training",
        message: "Less than 50% usable label overlap between the training and testing manifest files.",
        explanation: "As ERROR_INSUFFICIENT_LABEL_OVERLAP, counting only the labels of each manifest's chosen use case. Reported when the overlap of all labels is enough but the usable overlap is not.",
        fix: "Label both manifests the same way (both image-level or both with boxes) and add training images for the missing labels.",
        examples: [
            .init("Test boxes labelled bird; in training, bird is only on a line of the unused (minority) kind", triggers: true,
                  training: two + [ExampleLines.detection("b.jpg", boxes: [(0, 1, 1, 20, 20)], classMap: [0: "bird"])],
                  test: [ExampleLines.detection("t.jpg", boxes: [(0, 1, 1, 20, 20)], classMap: [0: "bird"])],
                  images: twoImages.merging(["b.jpg": .tagged("jpeg-baseline.jpg", tag: 21), "t.jpg": .tagged("jpeg-baseline.jpg", tag: 22)]) { a, _ in a },
                  inTest: true),
            .init("Both manifests image-level", triggers: false, training: two,
                  test: ExampleLines.classificationSet(labels: ["cat", "dog"], count: 2, prefix: "t"),
                  images: twoImages.merging(ExampleLines.images(count: 2, prefix: "t")) { a, _ in a }),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.stats.role == .testing, let training = dataset.training else { return }
        if let all = overlap(test: dataset.stats.allLabels, training: training.allLabels), all < ServiceLimits.minLabelOverlap { return }
        let test = Set(dataset.stats.usableLabels.keys), train = Set(training.usableLabels.keys)
        guard let share = overlap(test: test, training: train), share < ServiceLimits.minLabelOverlap else { return }
        let missing = test.subtracting(train)
        dataset.report(definition, details: [
            "overlap": .number(JSONNumber((share * 1000).rounded() / 1000)),
            "test_labels_not_in_training": labelList(missing),
            "reason": .string("\(format(share * 100))% of the test manifest's usable labels are usable training labels; not among them: \(nameList(missing))"),
        ])
    }
}
