import PreflightJSON

// Preflight's checks of a line's shape that the service passes over silently.

public struct DuplicateJSONKey: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_DUPLICATE_JSON_KEY", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Key written twice on one line",
        message: "A key appears more than once in one JSON object of the line; readers keep only one of the values.",
        explanation: """
            JSON parsers disagree on duplicate keys: most keep the last value, some the first. Preflight \
            reads the last, as Python's json (which the service's own scripts use) does, so the line is \
            judged as the service would judge it; but a line that says two things is a bug in whatever \
            wrote it. Every object of the line is searched: the line itself, each label attribute and its \
            metadata, each annotation. The finding names each repeated key by its path: keys joined by \
            `.`, array elements as `[i]` counted from 0 (`bounding-box.annotations[2].class_id`); a key \
            with characters other than letters, digits, `-` and `_` is written as a JSON string in \
            brackets (`["a.b"]`).
            """,
        fix: "Write each key once in each object; keep the value you meant.",
        examples: [
            .init("source-ref twice", triggers: true,
                  training: ["{\"source-ref\":\"s3://example-bucket/b.jpg\"," + ExampleLines.classification("a.jpg", label: "cat").dropFirst()],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")], line: 1),
            .init("annotations twice inside the label attribute", triggers: true,
                  training: [twoBoxes.replacing("\"annotations\":", with: "\"annotations\":[],\"annotations\":")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")], line: 1),
            .init("class_id twice in one annotation", triggers: true,
                  training: [twoBoxes.replacing("{\"class_id\":0,\"top\":30", with: "{\"class_id\":1,\"class_id\":0,\"top\":30")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")], line: 1),
            .init("Every key once", triggers: false, training: [ExampleLines.classification("a.jpg", label: "cat")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
            .init("The same key in two different objects", triggers: false, training: [twoBoxes],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    /// Two boxes: `class_id`, `top`, `width` and the rest repeat across objects, never in one.
    private static let twoBoxes = ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 20, 20), (0, 30, 40, 20, 20)])

    public static func check(_ line: LineCheck) {
        let paths = line.line.duplicateKeys
        guard !paths.isEmpty else { return }
        line.report(definition, details: [
            "keys": .array(paths.map { .string($0) }),
            "reason": .string("written more than once: " + paths.prefix(10).joined(separator: ", ")
                + (paths.count > 10 ? " and \(paths.count - 10) more" : "")),
        ])
    }
}

public struct TooManyLabelsPerImage: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TOO_MANY_LABELS_PER_IMAGE", severity: .error, scope: .line, effect: .none, origin: .preflight,
        title: "More than 50 labels on one image",
        message: "The image carries more than 50 distinct labels.",
        explanation: "The service allows at most 50 labels per image (image-level labels and box labels together). It lists the limit but names no error code, so Preflight reports it under its own.",
        fix: "Keep the 50 labels that matter most for the image.",
        examples: [
            .init("51 classification attributes", triggers: true,
                  training: ["{\"source-ref\":\"s3://example-bucket/a.jpg\"," + (0..<51).map { i in
                      "\"l\(i)\":1,\"l\(i)-metadata\":{\"class-name\":\"label\(i)\",\"confidence\":1,\"type\":\"groundtruth/image-classification\",\"human-annotated\":\"yes\",\"creation-date\":\"2023-05-04T10:11:12.000Z\"}"
                  }.joined(separator: ",") + "}"],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")], line: 1),
            .init("One label", triggers: false, training: [ExampleLines.classification("a.jpg", label: "cat")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        // Fewer label-bearing entries than the limit cannot name more labels than it.
        let entries = line.line.attributes.reduce(0) { $0 + max(1, $1.boxes.count) }
        guard entries > ServiceLimits.maxLabelsPerImage else { return }
        var labels = Set<String>()
        for attribute in line.validAttributes {
            if let name = attribute.className { labels.insert(name) }
            for box in line.keptBoxes(of: attribute) {
                if let name = attribute.labelName(ofClass: box.classID) { labels.insert(name) }
            }
        }
        guard labels.count > ServiceLimits.maxLabelsPerImage else { return }
        line.report(definition, details: [
            "labels": .number(JSONNumber(labels.count)),
            "reason": .string("\(labels.count) labels; the limit is \(ServiceLimits.maxLabelsPerImage)"),
        ])
    }
}
