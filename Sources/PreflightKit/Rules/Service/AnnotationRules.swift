import PreflightJSON

// The service's checks of each bounding box against the image it is drawn on.

private let images: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg")]         // 96 x 72
private let large: [String: ExampleImage] = ["big.png": .fixture("png-2560x1440.png")]

public struct InvalidBoundingBox: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_BOUNDING_BOX", severity: .error, scope: .annotation, effect: .annotationDropped, origin: .service,
        title: "Bounding box off the image",
        message: "The bounding box has off frame values.",
        explanation: """
            A box must lie inside the image: `left` and `top` at least 0, and `left + width` and \
            `top + height` at most the image's width and height. A box that ends exactly on the edge \
            is inside. Preflight judges boxes against the decoded image, not only against the \
            `image_size` the line declares (which goes stale when images are resized after \
            labelling). The box is dropped; the rest of the line is kept.
            """,
        fix: "Clip the box to the image or redraw it; if many boxes are off, check image_size against the real image (PREFLIGHT_IMAGE_SIZE_MISMATCH).",
        examples: [
            .init("Box runs past the right edge of a 96-pixel-wide image", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 20, 20), (0, 10, 80, 20, 20)])],
                  images: images, line: 1, annotation: 1),
            .init("Negative top", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, -1, 10, 20, 20)])], images: images, line: 1, annotation: 0),
            .init("Fits the declared size but not the decoded one", triggers: true,
                  training: [ExampleLines.detection("a.jpg", width: 192, height: 144, boxes: [(0, 100, 100, 50, 30)])],
                  images: images, line: 1, annotation: 0),
            .init("Box ends exactly on the right and bottom edges", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 52, 76, 20, 20)])], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.validAttributes where attribute.kind == .detection {
            guard let frame = line.frame(for: attribute) else { continue }
            for box in attribute.boxes {
                var reasons: [String] = []
                if box.left < 0 { reasons.append("left is \(format(box.left))") }
                if box.top < 0 { reasons.append("top is \(format(box.top))") }
                if box.width < 0 { reasons.append("width is \(format(box.width))") }
                if box.height < 0 { reasons.append("height is \(format(box.height))") }
                if box.right > Double(frame.width) { reasons.append("right edge \(format(box.right)) is past the image width \(frame.width)") }
                if box.bottom > Double(frame.height) { reasons.append("bottom edge \(format(box.bottom)) is past the image height \(frame.height)") }
                guard !reasons.isEmpty else { continue }
                line.report(definition, attribute: attribute.key, annotation: box.index, details: [
                    "box": box.jsonValue,
                    "image_width": .number(JSONNumber(frame.width)), "image_height": .number(JSONNumber(frame.height)),
                    "frame": .string(frame.decoded ? "decoded" : "declared"),
                    "reason": .string(reasons.joined(separator: "; ")),
                ])
            }
        }
    }
}

public struct BoundingBoxTooSmall: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_BOUNDING_BOX_TOO_SMALL", severity: .error, scope: .annotation, effect: .annotationDropped, origin: .service,
        title: "Bounding box too small",
        message: "The height and width of the bounding box is too small.",
        explanation: """
            The service scales every image whose longer side exceeds 1280 pixels down to 1280, and \
            scales the boxes with it. A box whose width or height is then 1 pixel or less is dropped. \
            On a 2560-pixel-wide image, a box must be more than 2 pixels wide and high.
            """,
        fix: "Remove boxes that are too small to learn from, or redraw them around the whole object.",
        examples: [
            .init("2 x 2 box on a 2560 x 1440 image (1 x 1 after scaling)", triggers: true,
                  training: [ExampleLines.detection("big.png", width: 2560, height: 1440, boxes: [(0, 100, 100, 2, 2)])],
                  images: large, line: 1, annotation: 0),
            .init("Zero-width box", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 0, 20)])], images: images, line: 1, annotation: 0),
            .init("3 x 3 box on a 2560 x 1440 image (1.5 x 1.5 after scaling)", triggers: false,
                  training: [ExampleLines.detection("big.png", width: 2560, height: 1440, boxes: [(0, 100, 100, 3, 3)])], images: large),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.validAttributes where attribute.kind == .detection {
            guard let frame = line.frame(for: attribute) else { continue }
            let longer = Double(max(frame.width, frame.height))
            let scale = longer > ServiceLimits.downscaleLongSide ? ServiceLimits.downscaleLongSide / longer : 1
            let dropped = line.droppedBoxes[attribute.key] ?? []
            for box in attribute.boxes where !dropped.contains(box.index) {
                let width = box.width * scale, height = box.height * scale
                guard width <= 1 || height <= 1 else { continue }
                line.report(definition, attribute: attribute.key, annotation: box.index, details: [
                    "box": box.jsonValue,
                    "scale": .number(JSONNumber(scale)),
                    "scaled_width": .number(JSONNumber(width)), "scaled_height": .number(JSONNumber(height)),
                    "reason": .string("\(format(box.width)) x \(format(box.height)) px is \(format(width)) x \(format(height)) px after scaling by \(format(scale))"),
                ])
            }
        }
    }
}

public struct NoValidAnnotations: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_NO_VALID_ANNOTATIONS", severity: .error, scope: .labelAttribute, effect: .attributeInvalid, origin: .service,
        title: "Every box dropped",
        message: "No valid annotations found.",
        explanation: "The attribute had bounding boxes, but every one of them was dropped (off the image or too small), so the attribute is left out.",
        fix: "Fix the box errors reported on this line.",
        examples: [
            .init("The only box is off the image", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 90, 20, 20)])], images: images, line: 1),
            .init("One of two boxes is off the image", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 90, 20, 20), (0, 10, 10, 20, 20)])], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.validAttributes where attribute.kind == .detection && !attribute.boxes.isEmpty {
            guard line.keptBoxes(of: attribute).isEmpty else { continue }
            line.report(definition, attribute: attribute.key, details: ["boxes": .number(JSONNumber(attribute.boxes.count))])
        }
    }
}

/// A number as a person would write it: no ".0" on whole numbers, at most 3 decimals.
func format(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    let rounded = (value * 1000).rounded() / 1000
    return String(rounded)
}
