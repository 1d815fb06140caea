#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PreflightJSON

// The service's checks of one JSON line as a whole: that it parses, names its image, and
// holds label attributes.

private let valid = ExampleLines.classification("a.jpg", label: "cat")
private let validImages: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg")]

public struct InvalidJSONLine: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_JSON_LINE", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "Line is not valid JSON",
        message: "The JSON Line has an invalid format.",
        explanation: """
            Every line of a manifest must be one complete JSON object. A blank line, a line cut \
            short, a trailing comma, single quotes, a byte order mark or a line that is a JSON array \
            instead of an object all count. A byte order mark is what editors write at the start of a \
            file saved as "UTF-8 with BOM": Python's json, which the service's own scripts read lines \
            with, refuses it, so the first line is lost (Preflight says so in the finding's reason). The line still counts as a dataset object, so it adds to \
            the share of invalid lines, and the service's validation manifest replaces it with a line \
            that holds only this error.
            """,
        fix: "Rewrite the line as one JSON object on one line (a JSON serializer, not hand editing, avoids this). Remove blank lines.",
        examples: [
            .init("A line missing its closing brace", triggers: true,
                  training: [valid, String(valid.dropLast())], images: validImages, line: 2),
            .init("A blank line between two records", triggers: true, training: [valid, "", valid], images: validImages, line: 2),
            .init("A JSON array instead of an object", triggers: true, training: ["[1, 2]"], line: 1),
            .init("A manifest saved as UTF-8 with a byte order mark: its first line is lost", triggers: true,
                  training: ["\u{FEFF}" + valid, valid], images: validImages, line: 1),
            .init("A well-formed line", triggers: false, training: [valid], images: validImages),
        ])

    public static func check(_ line: LineCheck) {
        guard let error = line.line.parseError else { return }
        line.report(definition, details: ["reason": .string(error)])
    }
}

public struct MissingSourceRef: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MISSING_SOURCE_REF", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "Line names no image",
        message: "The source-ref key is missing.",
        explanation: "Each line describes one image, named by its `source-ref` key. Without it the line cannot be used.",
        fix: "Add \"source-ref\": \"s3://BUCKET/KEY\" naming the image, or delete the line.",
        examples: [
            .init("No source-ref key", triggers: true,
                  training: [valid.replacing("\"source-ref\"", with: "\"source\"")], line: 1),
            .init("source-ref present", triggers: false, training: [valid], images: validImages),
        ])

    public static func check(_ line: LineCheck) {
        guard line.line.parseError == nil, line.line.sourceRef == .missing else { return }
        line.report(definition)
    }
}

public struct InvalidSourceRefFormat: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_SOURCE_REF_FORMAT", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "source-ref is not an S3 URI",
        message: "The format of the source-ref value is invalid.",
        explanation: "`source-ref` must be a string of the form `s3://BUCKET/KEY`, with a bucket and a key. Local paths, `https://` links and other types are refused.",
        fix: "Write the image's full S3 URI, for example \"s3://my-bucket/images/0001.jpg\".",
        examples: [
            .init("An https link", triggers: true,
                  training: [valid.replacing("s3://example-bucket/a.jpg", with: "https://example.com/a.jpg")], line: 1),
            .init("A bucket with no key", triggers: true,
                  training: [valid.replacing("s3://example-bucket/a.jpg", with: "s3://example-bucket")], line: 1),
            .init("An S3 URI", triggers: false, training: [valid], images: validImages),
        ])

    public static func check(_ line: LineCheck) {
        guard case .invalid(let what) = line.line.sourceRef else { return }
        line.report(definition, details: ["reason": .string("source-ref is \(what), not s3://BUCKET/KEY")])
    }
}

public struct UnannotatedRecord: LineRule {
    public static let definition = RuleDefinition(
        code: "WARNING_UNANNOTATED_RECORD", severity: .warning, scope: .line, effect: .lineIgnored, origin: .service,
        title: "Image without labels",
        message: "Record is unannotated.",
        explanation: "A line that holds only `source-ref` names an image with no labels. The line is valid but ignored: it does not train the model and does not count toward the invalid-line limit.",
        fix: "Label the image, or remove the line if the image is not meant to be in the dataset.",
        examples: [
            .init("Only a source-ref", triggers: true, training: ["{\"source-ref\":\"s3://example-bucket/a.jpg\"}"],
                  images: validImages, line: 1),
            .init("A labelled image", triggers: false, training: [valid], images: validImages),
        ])

    public static func check(_ line: LineCheck) {
        let parsed = line.line
        guard parsed.parseError == nil, parsed.sourceRef != .missing,
              parsed.attributes.isEmpty, parsed.otherKeys.isEmpty else { return }
        line.report(definition)
    }
}

public struct NoLabelAttributes: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_NO_LABEL_ATTRIBUTES", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "No label attribute",
        message: "No label attributes found.",
        explanation: "A label attribute is a key `K` with a sibling `K-metadata`. This line has keys besides `source-ref`, but none of them has its metadata, so the service finds no label on it.",
        fix: "Give each label key its `-metadata` sibling (for a key \"animal\", add \"animal-metadata\"), or check the spelling of the metadata key.",
        examples: [
            .init("Metadata key misspelt", triggers: true,
                  training: [valid.replacing("\"label-metadata\"", with: "\"label-meta\"")], images: validImages, line: 1),
            .init("Attribute with its metadata", triggers: false, training: [valid], images: validImages),
        ])

    public static func check(_ line: LineCheck) {
        let parsed = line.line
        guard parsed.parseError == nil, parsed.attributes.isEmpty, !parsed.otherKeys.isEmpty else { return }
        line.report(definition, details: ["keys": .array(parsed.otherKeys.map { .string($0) })])
    }
}

public struct NoValidLabelAttributes: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_NO_VALID_LABEL_ATTRIBUTES", severity: .error, scope: .line, effect: .lineInvalid, origin: .service,
        title: "No valid label attribute",
        message: "No valid label attributes found.",
        explanation: "The line has label attributes, but every one of them was found invalid (see the attribute errors on the same line), so the line has nothing to train on and is left out.",
        fix: "Fix the attribute errors reported on this line.",
        examples: [
            .init("The only attribute has a bad type", triggers: true,
                  training: [valid.replacing("groundtruth/image-classification", with: "groundtruth/video")],
                  images: validImages, line: 1),
            .init("One of two attributes valid", triggers: false,
                  training: [String(valid.dropLast()) + ",\"other\":1,\"other-metadata\":{\"type\":\"groundtruth/video\"}}"],
                  images: validImages),
        ])

    public static func check(_ line: LineCheck) {
        let parsed = line.line
        guard parsed.parseError == nil, !parsed.attributes.isEmpty, line.validAttributes.isEmpty else { return }
        line.report(definition, details: ["attributes": .array(parsed.attributes.map { .string($0.key) })])
    }
}
