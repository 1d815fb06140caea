import ImageEngine
import PreflightJSON

// Preflight's checks of how an accepted image is encoded: things the service accepts
// without a word but that change what the model sees, or what other tools see.

private let classification = ExampleLines.classification("a.jpg", label: "cat")
private let png = ExampleLines.classification("a.png", label: "cat")

public struct FormatExtensionMismatch: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FORMAT_EXTENSION_MISMATCH", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "File name lies about the format",
        message: "The image's content and its file name's extension name different formats.",
        explanation: "The service judges images by content, so a PNG named .jpg is accepted; but S3 content types, browsers and your own scripts go by the name, and such files are usually a sign of a conversion step that did not happen.",
        fix: "Rename the file to match its content, or convert it.",
        examples: [
            .init("A PNG named .jpg", triggers: true, training: [classification], images: ["a.jpg": .fixture("png-named.jpg")], line: 1),
            .init("A JPEG named .jpg", triggers: false, training: [classification], images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, let problem = image.problems.first(where: { $0.code == .extensionMismatch }) else { return }
        line.report(definition, details: [
            "format": .string(image.format?.rawValue ?? "unknown"),
            "extension_format": .string(image.extensionFormat?.rawValue ?? "unknown"),
            "reason": .string(problem.message),
        ])
    }
}

public struct TrailingData: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TRAILING_DATA", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Bytes after the end of the image",
        message: "The file has bytes after the end of the image.",
        explanation: "Data after a PNG's IEND chunk or a JPEG's end-of-image marker is ignored by decoders. It often means two files were concatenated or a download appended junk; it can also hide content. Found in full mode only.",
        fix: "Re-save the image, or truncate it at the end of the image data.",
        examples: [
            .init("100 bytes after a JPEG's end", triggers: true, training: [classification],
                  images: ["a.jpg": .fixture("jpeg-trailing-data.jpg")], line: 1),
            .init("A clean JPEG", triggers: false, training: [classification], images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, let trailing = image.trailingBytes, trailing > 0 else { return }
        line.report(definition, details: [
            "trailing_bytes": .number(JSONNumber(trailing)),
            "reason": .string("\(counted(trailing, "byte")) \(trailing == 1 ? "follows" : "follow") the end of the image"),
        ])
    }
}

public struct UnusualEncoding: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_UNUSUAL_ENCODING", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Unusual image encoding",
        message: "The image uses an encoding that many tools handle differently or not at all.",
        explanation: """
            CMYK and YCCK JPEGs (colours shift when converted), arithmetic-coded JPEGs, 16-bit PNGs \
            (reduced to 8 bits), palette PNGs and animated PNGs (only the first frame is seen) are \
            legal, but what the model trains on may not be what you looked at.
            """,
        fix: "Re-export as an 8-bit RGB (or grayscale) baseline JPEG or PNG.",
        examples: [
            .init("A CMYK JPEG", triggers: true, training: [classification], images: ["a.jpg": .fixture("jpeg-cmyk.jpg")], line: 1),
            .init("A 16-bit PNG", triggers: true, training: [png], images: ["a.png": .fixture("png-rgb16-96x96.png")], line: 1),
            .init("A palette PNG", triggers: true, training: [png], images: ["a.png": .fixture("png-palette-96x96.png")], line: 1),
            .init("An 8-bit RGB PNG", triggers: false, training: [png], images: ["a.png": .fixture("png-rgb8.png")]),
            .init("A grayscale baseline JPEG", triggers: false, training: [classification], images: ["a.jpg": .fixture("jpeg-gray.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image else { return }
        var reasons: [String] = []
        switch image.format {
        case .jpeg?:
            if image.colorSpace == "cmyk" || image.colorSpace == "ycck" { reasons.append("\(image.colorSpace!.uppercased()) colour") }
            if image.arithmeticCoding == true { reasons.append("arithmetic coding") }
        case .png?:
            if image.bitDepth == 16 { reasons.append("16 bits per sample") }
            if image.colorSpace == "palette" { reasons.append("palette (indexed) colour") }
            if let frames = image.animationFrames { reasons.append("animated (\(frames) frames)") }
        default:
            break
        }
        guard !reasons.isEmpty else { return }
        line.report(definition, details: [
            "encodings": .array(reasons.map { .string($0) }),
            "reason": .string(reasons.joined(separator: ", ")),
        ])
    }
}
