import ImageEngine
import PreflightJSON

// The service's checks of the image a line names, made on the decoded file.

private let classification = ExampleLines.classification("a.jpg", label: "cat")

/// One reason an image is refused, with a stable code for reports.
struct ImageDefect {
    var code: String
    var text: String
}

/// Every reason the service would refuse this image, dimensions apart.
func imageDefects(_ image: ImageFacts) -> [ImageDefect] {
    var defects: [ImageDefect] = []
    if image.integrity == .unreadable {
        // Denied to these credentials (not necessarily to the service), or not delivered by the
        // store at all: findings of their own, since nothing is known of the image.
        if image.hasProblem(.accessDenied) || image.hasProblem(.unavailable) { return defects }
        let missing = image.hasProblem(.fileMissing)
        defects.append(ImageDefect(code: missing ? "missing" : "unreadable",
                                   text: image.problems.first?.message ?? "the file could not be read"))
        return defects
    }
    if image.hasProblem(.emptyFile) {
        defects.append(ImageDefect(code: "empty", text: "the file is empty"))
        return defects
    }
    if let format = image.format, !format.isAcceptedByService {
        defects.append(ImageDefect(code: "not_png_or_jpeg", text: "the content is \(format == .unknown ? "not an image format" : format.displayName), not PNG or JPEG"))
    }
    if let size = image.fileSize, size > ServiceLimits.maxImageBytes {
        defects.append(ImageDefect(code: "too_large", text: "the file is \(size) bytes, over the 15 MB limit (\(ServiceLimits.maxImageBytes) bytes)"))
    }
    if let w = image.width, let h = image.height, w > 0, h > 0 {
        let ratio = Double(max(w, h)) / Double(min(w, h))
        if ratio > ServiceLimits.maxAspectRatio {
            defects.append(ImageDefect(code: "aspect_ratio", text: "the aspect ratio is \(format(ratio)):1, over 20:1"))
        }
    }
    if image.format?.isAcceptedByService == true {
        if let hazard = image.problems.first(where: { $0.code == .decodingHazard }) {
            defects.append(ImageDefect(code: "decoding_hazard", text: hazard.message))
        } else if image.hasProblem(.unsupportedEncoding) {
            defects.append(ImageDefect(code: "unsupported_encoding", text: image.problems.first { $0.code == .unsupportedEncoding }!.message))
        } else if image.hasProblem(.truncated) {
            defects.append(ImageDefect(code: "truncated", text: image.problems.first { $0.code == .truncated }!.message))
        } else if image.integrity == .corrupt {
            defects.append(ImageDefect(code: "corrupt", text: image.problems.first { $0.code == .corruptData || $0.code == .damagedHeader }?.message ?? "the image data is damaged"))
        }
    }
    return defects
}

/// The dimension defect, if the image is outside 64 to 4096 pixels a side.
func dimensionDefect(_ image: ImageFacts) -> ImageDefect? {
    guard let w = image.width, let h = image.height, image.format?.isAcceptedByService == true else { return nil }
    let range = ServiceLimits.minImageSide...ServiceLimits.maxImageSide
    guard !range.contains(w) || !range.contains(h) else { return nil }
    return ImageDefect(code: "dimensions", text: "the image is \(w) x \(h) pixels; each side must be from 64 to 4096")
}

private func report(_ defects: [ImageDefect], _ rule: RuleDefinition, _ line: LineCheck, _ image: ImageFacts) {
    guard !defects.isEmpty else { return }
    var details: JSONObject = [
        "reasons": .array(defects.map { .string($0.code) }),
        "reason": .string(defects.map(\.text).joined(separator: "; ")),
    ]
    if let w = image.width, let h = image.height {
        details["width"] = .number(JSONNumber(w))
        details["height"] = .number(JSONNumber(h))
    }
    if let format = image.format { details["format"] = .string(format.rawValue) }
    if let size = image.fileSize { details["file_size"] = .number(JSONNumber(size)) }
    line.report(rule, details: details)
}

private func hasBoxes(_ line: LineCheck) -> Bool {
    line.line.attributes.contains { $0.kind == .detection }
}

public struct InvalidImage: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_IMAGE", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "Image refused",
        message: "The image is invalid. Check S3 path and/or image properties.",
        explanation: """
            The image must exist, be PNG or JPEG by content (whatever its name says), be at most \
            15 MB, have an aspect ratio of at most 20:1 and, for image-level labels, be 64 to 4096 \
            pixels a side. In full mode Preflight also reads all of the image data as a decoder does: a truncated or corrupt \
            file, or a JPEG the decoder cannot read (12-bit, lossless), is refused here too, though \
            the service may only fail on it during training. The line is left out.
            """,
        fix: "The finding's reasons say which property failed: re-export the image as an 8-bit PNG or baseline JPEG within the limits, or fix the path.",
        examples: [
            .init("The file does not exist", triggers: true, training: [classification], line: 1),
            .init("A GIF named .jpg", triggers: true, training: [classification], images: ["a.jpg": .fixture("gif-named.jpg")], line: 1),
            .init("Aspect ratio over 20:1", triggers: true, training: [classification], images: ["a.jpg": .fixture("png-wide-1300x64.png")], line: 1),
            .init("Smaller than 64 pixels", triggers: true, training: [classification], images: ["a.jpg": .fixture("png-small-32x48.png")], line: 1),
            .init("Over 15 MB", triggers: true, training: [classification],
                  images: ["a.jpg": .padded("jpeg-baseline.jpg", size: 15 * 1024 * 1024 + 1)], line: 1),
            .init("Truncated JPEG, found by decoding", triggers: true, training: [classification],
                  images: ["a.jpg": .fixture("jpeg-truncated.jpg")], line: 1),
            .init("A valid JPEG", triggers: false, training: [classification], images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
            .init("A PNG named .jpg is still accepted", triggers: false, training: [classification], images: ["a.jpg": .fixture("png-named.jpg")]),
            .init("Truncated JPEG in header mode (not decoded)", triggers: false, training: [classification],
                  images: ["a.jpg": .fixture("jpeg-truncated.jpg")], fullDecode: false),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image else { return }
        var defects = imageDefects(image)
        if !hasBoxes(line), let dimensions = dimensionDefect(image) { defects.append(dimensions) }
        report(defects, definition, line, image)
    }
}

public struct InvalidImageDimension: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_IMAGE_DIMENSION", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "Image size out of range",
        message: "The image dimension(s) do not conform to allowed dimensions.",
        explanation: "An image with bounding boxes must be 64 to 4096 pixels on each side, measured on the decoded image. The line is left out.",
        fix: "Resize the image into range and scale its boxes by the same factor.",
        examples: [
            .init("A 4200-pixel-wide image with boxes", triggers: true,
                  training: [ExampleLines.detection("a.png", width: 4200, height: 300, boxes: [(0, 10, 10, 100, 100)])],
                  images: ["a.png": .fixture("png-oversize-4200x300.png")], line: 1),
            .init("A 32 x 48 image with boxes", triggers: true,
                  training: [ExampleLines.detection("a.png", width: 32, height: 48, boxes: [(0, 1, 1, 10, 10)])],
                  images: ["a.png": .fixture("png-small-32x48.png")], line: 1),
            .init("A 96 x 72 image with boxes", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 20, 20)])], images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, hasBoxes(line), let dimensions = dimensionDefect(image) else { return }
        report([dimensions], definition, line, image)
    }
}
