import ImageEngine
import PreflightJSON

// Preflight's checks that boxes were drawn on the frame the image really has.

private func fits(_ boxes: [BoundingBox], width: Int, height: Int) -> Bool {
    boxes.allSatisfy { $0.left >= 0 && $0.top >= 0 && $0.right <= Double(width) && $0.bottom <= Double(height) }
}

public struct ImageSizeMismatch: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_IMAGE_SIZE_MISMATCH", severity: .warning, scope: .labelAttribute, effect: .none, origin: .preflight,
        title: "image_size differs from the real image",
        message: "The declared image_size differs from the decoded image's size.",
        explanation: """
            The service places boxes on the real image, whatever `image_size` says. When the two \
            differ, the image was usually resized or re-encoded after labelling, and every box is \
            now in the wrong place, or off the image. When width and height changed by the same \
            factor, the finding gives it: multiply every box by it. When `image_size` is the \
            stored size turned by the EXIF orientation, the boxes were drawn on the picture as a \
            viewer shows it.
            """,
        fix: "Scale the boxes by the factor given (or relabel), then set image_size to the decoded size.",
        examples: [
            .init("Labelled at 640 x 480, file now 320 x 240", triggers: true,
                  training: [ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: [(0, 100, 100, 200, 100)])],
                  images: ["a.jpg": .fixture("jpeg-640x480-half.jpg")], line: 1),
            .init("Declared and decoded sizes agree", triggers: false,
                  training: [ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: [(0, 100, 100, 200, 100)])],
                  images: ["a.jpg": .fixture("jpeg-640x480.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, image.format?.isAcceptedByService == true,
              let width = image.width, let height = image.height else { return }
        for attribute in line.line.attributes where attribute.kind == .detection {
            guard let declaredWidth = attribute.declaredWidth, let declaredHeight = attribute.declaredHeight,
                  declaredWidth != width || declaredHeight != height else { continue }
            let scaleX = Double(width) / Double(declaredWidth), scaleY = Double(height) / Double(declaredHeight)
            var details: JSONObject = [
                "declared_width": .number(JSONNumber(declaredWidth)), "declared_height": .number(JSONNumber(declaredHeight)),
                "decoded_width": .number(JSONNumber(width)), "decoded_height": .number(JSONNumber(height)),
                "boxes_fit_declared": .bool(fits(attribute.boxes, width: declaredWidth, height: declaredHeight)),
                "boxes_fit_decoded": .bool(fits(attribute.boxes, width: width, height: height)),
            ]
            var reason = "image_size says \(declaredWidth) x \(declaredHeight), the file is \(width) x \(height)"
            if image.orientation?.swapsDimensions == true, declaredWidth == height, declaredHeight == width {
                details["declared_is_displayed_frame"] = .bool(true)
                reason += "; image_size is the picture as displayed after EXIF orientation \(image.orientation!.rawValue)"
            } else if abs(scaleX - scaleY) <= 0.01 * max(scaleX, scaleY) {
                details["scale"] = .number(JSONNumber((scaleX * 10000).rounded() / 10000))
                reason += "; both sides changed by \(format(scaleX)): multiply every box by \(format(scaleX))"
            } else {
                details["scale_x"] = .number(JSONNumber((scaleX * 10000).rounded() / 10000))
                details["scale_y"] = .number(JSONNumber((scaleY * 10000).rounded() / 10000))
                reason += "; the sides changed by different factors (\(format(scaleX)) and \(format(scaleY))), so the image was cropped or distorted"
            }
            details["reason"] = .string(reason)
            line.report(definition, attribute: attribute.key, details: details)
        }
    }
}

public struct EXIFOrientationTransform: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_EXIF_ORIENTATION", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "EXIF orientation turns the image",
        message: "The image carries an EXIF orientation that turns or mirrors it when displayed.",
        explanation: """
            Cameras store pictures in sensor order and record how to turn them in the EXIF \
            Orientation tag (values 2 to 8). Viewers and labelling tools show the turned picture; \
            code that reads pixels often does not. Boxes drawn on one frame land in the wrong place \
            on the other. For images with boxes, the finding says which frame the boxes fit.
            """,
        fix: "Re-save the image with the rotation applied to the pixels and the tag removed (for example `exiftran -ai` or `jpegtran -copy none` after rotating), then check the boxes.",
        examples: [
            .init("Orientation 6 (rotate 90°) with boxes", triggers: true,
                  training: [ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: [(0, 10, 10, 100, 100)])],
                  images: ["a.jpg": .fixture("jpeg-exif-orientation-6-640x480.jpg")], line: 1),
            .init("Orientation 1 (normal)", triggers: false,
                  training: [ExampleLines.classification("a.jpg", label: "cat")], images: ["a.jpg": .fixture("jpeg-exif-orientation-1.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, let orientation = image.orientation, orientation.transformsImage,
              let width = image.width, let height = image.height else { return }
        var details: JSONObject = [
            "orientation": .number(JSONNumber(orientation.rawValue)),
            "stored_width": .number(JSONNumber(width)), "stored_height": .number(JSONNumber(height)),
            "displayed_width": .number(JSONNumber(image.displayWidth ?? width)),
            "displayed_height": .number(JSONNumber(image.displayHeight ?? height)),
        ]
        var reason = "EXIF orientation \(orientation.rawValue): viewers show the image \(orientation.description)"
        let boxes = line.line.attributes.filter { $0.kind == .detection }.flatMap(\.boxes)
        if !boxes.isEmpty {
            let stored = fits(boxes, width: width, height: height)
            let displayed = fits(boxes, width: image.displayWidth ?? width, height: image.displayHeight ?? height)
            details["boxes_fit_stored"] = .bool(stored)
            details["boxes_fit_displayed"] = .bool(displayed)
            switch (stored, displayed) {
            case (true, false): reason += "; the boxes fit the stored pixels only"
            case (false, true): reason += "; the boxes fit the displayed picture only: they were drawn on the turned image"
            case (true, true): reason += "; the boxes fit both frames, so check by eye which one they were drawn on"
            case (false, false): reason += "; the boxes fit neither frame"
            }
        }
        details["reason"] = .string(reason)
        line.report(definition, details: details)
    }
}
