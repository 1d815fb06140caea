import PreflightJSON

// Preflight's data-quality checks read from the manifests alone: boxes that teach a detector
// little, and labels too rare, too unequal or too differently shared to learn or test well.
// The service trains on all of these; the model comes out worse.

private let image: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg")]         // 96 x 72
private let large: [String: ExampleImage] = ["big.png": .fixture("png-2560x1440.png")]

private func rounded(_ value: Double, places: Double = 10000) -> JSONValue {
    .number(JSONNumber((value * places).rounded() / places))
}

/// The label a box stands for: its class-map name, or its class id when the map has none.
private func label(of box: BoundingBox, in attribute: LabelAttribute) -> String {
    attribute.labelName(ofClass: box.classID) ?? box.classID.map { "class \($0)" } ?? "no class"
}

/// Advice about boxes is given only on lines the service uses, on the boxes it keeps.
private func keptDetections(_ line: LineCheck) -> [(attribute: LabelAttribute, boxes: [BoundingBox])] {
    guard line.isUsable else { return [] }
    return line.validAttributes.filter { $0.kind == .detection }.map { ($0, line.keptBoxes(of: $0)) }
}

public struct BoxCoversImage: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_BOX_COVERS_IMAGE", severity: .warning, scope: .annotation, effect: .none, origin: .preflight,
        title: "Box covers the whole image",
        message: "The bounding box covers nearly the whole image.",
        explanation: """
            A box over the whole picture tells the detector nothing about where the object is: it \
            learns the image, not the object. Such boxes usually come from image-level labels \
            converted to boxes, or from a labelling tool's default box left in place. Fires when a \
            kept box covers at least 95% of the image's area, judged against the decoded image when \
            it was read, else against `image_size`.
            """,
        fix: "Redraw the box tightly around the object; if the label describes the whole image, use image-level labels (classification) instead.",
        examples: [
            .init("A 96 x 72 box on a 96 x 72 image", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 0, 0, 96, 72)])], images: image, line: 1, annotation: 0),
            .init("image_size says 192 x 144, but the decoded image is 96 x 72: the box covers all of it", triggers: true,
                  training: [ExampleLines.detection("a.jpg", width: 192, height: 144, boxes: [(0, 10, 10, 20, 20), (0, 0, 0, 96, 72)])],
                  images: image, line: 1, annotation: 1),
            RuleExample("Judged against image_size when no image is read", triggers: true,
                        training: [ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: [(0, 5, 5, 630, 470)])],
                        line: 1, annotation: 0).withoutImageMaps(),
            .init("A 90 x 72 box on a 96 x 72 image (94%)", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 0, 0, 90, 72)])], images: image),
        ])

    public static func check(_ line: LineCheck) {
        let t = line.options.thresholds
        for (attribute, boxes) in keptDetections(line) {
            guard let frame = line.frame(for: attribute), frame.width > 0, frame.height > 0 else { continue }
            let area = Double(frame.width) * Double(frame.height)
            for box in boxes {
                // Kept boxes lie inside the frame; clipping guards against a frame that was not checked.
                let width = max(0, min(box.right, Double(frame.width)) - max(box.left, 0))
                let height = max(0, min(box.bottom, Double(frame.height)) - max(box.top, 0))
                let share = width * height / area
                guard share >= t.coveringBoxShare else { continue }
                line.report(definition, attribute: attribute.key, annotation: box.index, details: [
                    "box": box.jsonValue,
                    "image_width": .number(JSONNumber(frame.width)), "image_height": .number(JSONNumber(frame.height)),
                    "frame": .string(frame.decoded ? "decoded" : "declared"),
                    "coverage": rounded(share), "threshold": .number(JSONNumber(t.coveringBoxShare)),
                    "reason": .string("the box covers \(format(share * 100))% of the \(frame.width) x \(frame.height) image"),
                ])
            }
        }
    }
}

public struct OverlappingBoxes: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_OVERLAPPING_BOXES", severity: .warning, scope: .annotation, effect: .none, origin: .preflight,
        title: "Two boxes of one label on the same spot",
        message: "The bounding box nearly coincides with an earlier box of the same label.",
        explanation: """
            Two boxes of the same label that overlap almost completely are most often one object \
            labelled twice (two workers, or a merge of two labelling jobs), and teach the detector \
            to expect two objects where there is one. Fires when the intersection over union of two \
            kept boxes of the same label on one line, in the same or in different label attributes, \
            is at least 0.9. Reported on the later box, naming the earlier one.
            """,
        fix: "Remove one of the two boxes; if there really are two objects, redraw each box around its own.",
        examples: [
            .init("The same cat boxed twice, one pixel apart", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 40, 40), (0, 11, 10, 40, 40)])],
                  images: image, line: 1, annotation: 1),
            .init("Two boxes far apart", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 20, 20), (0, 40, 60, 20, 20)])], images: image),
            .init("The same spot boxed as two different labels", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 40, 40), (1, 10, 10, 40, 40)], classMap: [0: "cat", 1: "dog"])],
                  images: image),
            .init("Two cats side by side, half overlapping (IoU 0.33)", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 40, 40), (0, 10, 30, 40, 40)])], images: image),
        ])

    static func intersectionOverUnion(_ a: BoundingBox, _ b: BoundingBox) -> Double {
        let width = max(0, min(a.right, b.right) - max(a.left, b.left))
        let height = max(0, min(a.bottom, b.bottom) - max(a.top, b.top))
        let intersection = width * height
        let union = a.width * a.height + b.width * b.height - intersection
        return union > 0 ? intersection / union : 0
    }

    public static func check(_ line: LineCheck) {
        let t = line.options.thresholds
        var earlier: [String: [(attribute: String, box: BoundingBox)]] = [:]
        for (attribute, boxes) in keptDetections(line) {
            for box in boxes {
                let name = label(of: box, in: attribute)
                let best = earlier[name, default: []]
                    .map { (first: $0, iou: intersectionOverUnion($0.box, box)) }
                    .max { $0.iou < $1.iou }
                if let best, best.iou >= t.duplicateBoxIoU {
                    // Counted from 1, as the reports name boxes; `first_annotation` keeps the 0-based index.
                    let earlierBox = "box \(best.first.box.index + 1)" + (best.first.attribute == attribute.key ? "" : " of \(best.first.attribute)")
                    line.report(definition, attribute: attribute.key, annotation: box.index, details: [
                        "box": box.jsonValue, "label": .string(name),
                        "first_attribute": .string(best.first.attribute), "first_annotation": .number(JSONNumber(best.first.box.index)),
                        "first_box": best.first.box.jsonValue,
                        "iou": rounded(best.iou), "threshold": .number(JSONNumber(t.duplicateBoxIoU)),
                        "reason": .string("overlaps \(earlierBox), also \"\(name)\", with IoU \(format(best.iou))"),
                    ])
                }
                earlier[name, default: []].append((attribute.key, box))
            }
        }
    }
}

public struct TinyBox: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TINY_BOX", severity: .warning, scope: .annotation, effect: .none, origin: .preflight,
        title: "Box too small to learn from",
        message: "After the service scales the image down, the bounding box is under 8 pixels on its shorter side.",
        explanation: """
            The service scales every image whose longer side exceeds 1280 pixels down to 1280, and \
            the boxes with it. It drops a box that is then 1 pixel wide or high or less \
            (ERROR_BOUNDING_BOX_TOO_SMALL), but keeps one of a few pixels, too few to show the object: common \
            detectors see an image through feature maps of 8 pixels per cell or coarser, so such a box \
            is less than one cell. Fires on a box the service keeps whose shorter side, after \
            scaling, is under 8 pixels, judged against the decoded image when it was read, else \
            against `image_size`. The finding gives the scaled size.
            """,
        fix: "Remove boxes around objects too small to see, or give the service images (or crops) in which the object is larger.",
        examples: [
            .init("10 x 10 box on a 2560 x 1440 image (5 x 5 after scaling)", triggers: true,
                  training: [ExampleLines.detection("big.png", width: 2560, height: 1440, boxes: [(0, 100, 100, 10, 10)])],
                  images: large, line: 1, annotation: 0),
            .init("40 x 5 box on a 96 x 72 image (not scaled)", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 20, 10, 20, 20), (0, 10, 10, 40, 5)])],
                  images: image, line: 1, annotation: 1),
            .init("16 x 16 box on a 2560 x 1440 image (8 x 8 after scaling)", triggers: false,
                  training: [ExampleLines.detection("big.png", width: 2560, height: 1440, boxes: [(0, 100, 100, 16, 16)])], images: large),
            .init("2 x 2 box on a 2560 x 1440 image: the service drops it (ERROR_BOUNDING_BOX_TOO_SMALL)", triggers: false,
                  training: [ExampleLines.detection("big.png", width: 2560, height: 1440, boxes: [(0, 100, 100, 2, 2), (0, 200, 200, 100, 100)])],
                  images: large),
        ])

    public static func check(_ line: LineCheck) {
        let t = line.options.thresholds
        for (attribute, boxes) in keptDetections(line) {
            guard let frame = line.frame(for: attribute) else { continue }
            let longer = Double(max(frame.width, frame.height))
            let scale = longer > ServiceLimits.downscaleLongSide ? ServiceLimits.downscaleLongSide / longer : 1
            for box in boxes {
                let width = box.width * scale, height = box.height * scale
                // Boxes of 1 pixel or less are the service's own error, and dropped before this runs.
                guard min(width, height) < t.minScaledBoxSide, width > 1, height > 1 else { continue }
                line.report(definition, attribute: attribute.key, annotation: box.index, details: [
                    "box": box.jsonValue,
                    "scale": rounded(scale),
                    "scaled_width": rounded(width, places: 100), "scaled_height": rounded(height, places: 100),
                    "min_side": .number(JSONNumber(t.minScaledBoxSide)),
                    "frame": .string(frame.decoded ? "decoded" : "declared"),
                    "reason": .string(scale < 1
                        ? "\(format(box.width)) x \(format(box.height)) px is \(format(width)) x \(format(height)) px after scaling by \(format(scale))"
                        : "\(format(box.width)) x \(format(box.height)) px on a \(frame.width) x \(frame.height) image, which is not scaled"),
                ])
            }
        }
    }
}

/// `count` detection lines with one box of `label` each, over images `PREFIX0.jpg`...
private func boxes(_ label: String, _ count: Int, classID: Int = 0) -> [String] {
    (0..<count).map { ExampleLines.detection("\(label)\($0).jpg", boxes: [(classID, 10, 10, 20, 20)], classMap: [classID: label]) }
}

/// `count` classification lines of `label`, over images `PREFIX0.jpg`...
private func images(_ label: String, _ count: Int, prefix: String = "") -> [String] {
    (0..<count).map { ExampleLines.classification("\(prefix)\(label)\($0).jpg", label: label) }
}

public struct RareBoxLabel: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_RARE_BOX_LABEL", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "Too few boxes of a label",
        message: "An object-detection label has too few boxes in the training set for the detector to learn it.",
        explanation: """
            The service trains with a label that has a single box, but a detector learns what an \
            object looks like from its examples, and a handful of boxes teaches it little: the label \
            is found poorly or not at all, and its test score rests on chance. Fires for each label \
            of an object-detection training set with fewer than 10 kept boxes on the lines the \
            service uses: 10 is a floor, not a target; a detector does well with tens to hundreds \
            of boxes per label.
            """,
        fix: "Label more images showing the object (tens of boxes at least), or merge the label into a related one.",
        examples: [
            RuleExample("10 cat boxes, 3 dog boxes", triggers: true, training: boxes("cat", 10) + boxes("dog", 3, classID: 1))
                .withoutImageMaps(),
            RuleExample("10 boxes of each", triggers: false, training: boxes("cat", 10) + boxes("dog", 10, classID: 1))
                .withoutImageMaps(),
            RuleExample("3 images of dog with image-level labels: not boxes", triggers: false,
                        training: images("cat", 10) + images("dog", 3)).withoutImageMaps(),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let t = dataset.options.thresholds
        let stats = dataset.stats
        guard stats.role == .training, stats.useCase == .objectLocalization else { return }
        for (name, count) in stats.detectionLabels.sorted(by: { $0.key < $1.key }) where Double(count.boxes) < t.minBoxesPerLabel {
            dataset.report(definition, details: [
                "label": .string(name), "boxes": .number(JSONNumber(count.boxes)), "images": .number(JSONNumber(count.images)),
                "min_boxes": .number(JSONNumber(t.minBoxesPerLabel)),
                "reason": .string("\"\(name)\" has \(counted(count.boxes, "box", "boxes")) on \(counted(count.images, "image")); fewer than \(Int(t.minBoxesPerLabel))"),
            ])
        }
    }
}

/// The median of `values` (not empty): the middle value, or the mean of the two middle ones.
private func median(_ values: [Int]) -> Double {
    let sorted = values.sorted(), middle = sorted.count / 2
    return sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
}

public struct LabelImbalance: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_LABEL_IMBALANCE", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "A label far behind the others",
        message: "A label has far fewer images than the typical label of the training set.",
        explanation: """
            A model trained on a few labels with many images and one with very few learns to \
            favour the common labels and misses the rare one. Fires for each label of the chosen \
            use case (image-level labels or boxes) in the training set whose number of images is \
            under a tenth of the median label's, when the set has at least 3 labels (with two, one \
            of them is the median). The finding names the label, its images and the median.
            """,
        fix: "Add images of the rare label (or fewer of the common ones), or leave the label out until there are enough.",
        examples: [
            RuleExample("cat and dog 20 images each, bird 1 (median 20)", triggers: true,
                        training: images("cat", 20) + images("dog", 20) + images("bird", 1)).withoutImageMaps(),
            RuleExample("cat and dog 20 images each, bird 2 (a tenth of the median)", triggers: false,
                        training: images("cat", 20) + images("dog", 20) + images("bird", 2)).withoutImageMaps(),
            RuleExample("Only two labels, 20 and 1 images", triggers: false,
                        training: images("cat", 20) + images("bird", 1)).withoutImageMaps(),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let t = dataset.options.thresholds
        let stats = dataset.stats
        let labels = stats.usableLabels
        guard stats.role == .training, labels.count >= QualityThresholds.imbalanceMinLabels else { return }
        let middle = median(labels.values.map(\.images))
        let limit = middle * t.imbalanceShareOfMedian
        for (name, count) in labels.sorted(by: { $0.key < $1.key }) where Double(count.images) < limit {
            dataset.report(definition, details: [
                "label": .string(name), "images": .number(JSONNumber(count.images)),
                "median_images": .number(JSONNumber(middle)), "labels": .number(JSONNumber(labels.count)),
                "share_of_median": .number(JSONNumber(t.imbalanceShareOfMedian)),
                "reason": .string("\"\(name)\" has \(counted(count.images, "image")); the median label has \(format(middle))"),
            ])
        }
    }
}

public struct LabelShift: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_LABEL_SHIFT", severity: .warning, scope: .project, effect: .none, origin: .preflight,
        title: "A label much more common in one set",
        message: "A label's share of the images differs strongly between the training and test sets.",
        explanation: """
            The test set measures the model on the mix of labels it holds. When a label is three \
            times as common in one set as in the other, the test score says little about the model \
            in use, and the label is tested too little or learned too little. A label's share is the \
            images with that label over the usable images of the manifest's chosen use case. Fires \
            for each label whose share in one set is at least 3 times its share in the other (a \
            label absent from one set included), when both manifests have at least 20 usable images \
            and the set where the label is rarer would, at the other set's share, hold at least 5 \
            images of it (so that chance alone rarely explains the difference). Reported on the test \
            manifest.
            """,
        fix: "Split the images between training and test so that each label has about the same share in both, for example by drawing the test images at random per label.",
        examples: [
            RuleExample("dog is half the training set but a tenth of the test set", triggers: true,
                  training: images("cat", 20) + images("dog", 20),
                  test: images("cat", 18, prefix: "t") + images("dog", 2, prefix: "t"), inTest: true)
                .withoutImageMaps(),
            RuleExample("Shares of 50% and 40%", triggers: false,
                  training: images("cat", 20) + images("dog", 20),
                  test: images("cat", 12, prefix: "t") + images("dog", 8, prefix: "t"), inTest: true)
                .withoutImageMaps(),
            RuleExample("The same shift in a test set of 10 images: too few to tell", triggers: false,
                  training: images("cat", 20) + images("dog", 20),
                  test: images("cat", 9, prefix: "t") + images("dog", 1, prefix: "t"), inTest: true)
                .withoutImageMaps(),
        ])

    private static func usableImages(_ stats: DatasetStats) -> Int {
        stats.useCase == .imageLevelLabels ? stats.classificationLines : stats.detectionLines
    }

    public static func check(_ dataset: DatasetCheck) {
        let t = dataset.options.thresholds
        guard dataset.stats.role == .testing, let training = dataset.training else { return }
        let trainImages = usableImages(training), testImages = usableImages(dataset.stats)
        guard trainImages >= QualityThresholds.shiftMinImages, testImages >= QualityThresholds.shiftMinImages else { return }
        let trainLabels = training.usableLabels, testLabels = dataset.stats.usableLabels
        for name in Set(trainLabels.keys).union(testLabels.keys).sorted() {
            let inTraining = trainLabels[name]?.images ?? 0, inTest = testLabels[name]?.images ?? 0
            let trainShare = Double(inTraining) / Double(trainImages), testShare = Double(inTest) / Double(testImages)
            let (high, low) = (max(trainShare, testShare), min(trainShare, testShare))
            guard high >= t.shiftRatio * low else { continue }
            // What the set where the label is rarer would hold at the other set's share.
            let expected = high * Double(trainShare < testShare ? trainImages : testImages)
            guard expected >= QualityThresholds.shiftMinExpectedImages else { continue }
            dataset.report(definition, details: [
                "label": .string(name),
                "training_images": .number(JSONNumber(inTraining)), "training_total": .number(JSONNumber(trainImages)),
                "training_share": rounded(trainShare),
                "test_images": .number(JSONNumber(inTest)), "test_total": .number(JSONNumber(testImages)),
                "test_share": rounded(testShare),
                "ratio": low > 0 ? rounded(high / low, places: 100) : .null,
                "reason": .string("\"\(name)\" is on \(format(trainShare * 100))% of the training images (\(inTraining) of \(trainImages)) and \(format(testShare * 100))% of the test images (\(inTest) of \(testImages))"),
            ])
        }
    }
}
