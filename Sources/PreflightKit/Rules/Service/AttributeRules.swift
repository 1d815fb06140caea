#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PreflightJSON

// The service's checks of each label attribute (`K`) and its metadata (`K-metadata`).

private let classification = ExampleLines.classification("a.jpg", label: "cat")
private let detection = ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 30, 20)])
private let images: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg")]

public struct UnsupportedUseCaseType: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_UNSUPPORTED_USE_CASE_TYPE", severity: .error, scope: .metadata, effect: .attributeInvalid, origin: .service,
        title: "Unsupported task type",
        message: "The label attribute metadata type is not supported.",
        explanation: """
            The metadata `type` must be "groundtruth/image-classification" or \
            "groundtruth/object-detection". Other Ground Truth task types, including \
            "groundtruth/image-classification-multilabel" (Ground Truth's own multi-label output), \
            are not accepted as they are.
            """,
        fix: "For multi-label output, write one classification attribute per label (`preflight manifest convert --from sagemaker-multilabel` does it). Otherwise correct the type.",
        examples: [
            .init("Ground Truth multi-label output", triggers: true,
                  training: [classification.replacing("groundtruth/image-classification", with: "groundtruth/image-classification-multilabel")],
                  images: images, line: 1),
            .init("A classification attribute", triggers: false, training: [classification], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes {
            guard case .unsupported(let type) = attribute.kind else { continue }
            line.report(definition, attribute: attribute.key,
                        details: ["type": .string(type), "reason": .string("type \"\(type)\" is neither image classification nor object detection")])
        }
    }
}

public struct InvalidLabelAttributeMetadataFormat: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_LABEL_ATTRIBUTE_METADATA_FORMAT", severity: .error, scope: .metadata, effect: .attributeInvalid, origin: .service,
        title: "Label metadata malformed",
        message: "The format of the label attribute metadata is invalid.",
        explanation: """
            `K-metadata` must be an object with `type`, `human-annotated` ("yes" or "no") and \
            `creation-date` (a UTC timestamp). Classification metadata also needs `class-name` \
            (a non-empty string) and `confidence` (a number from 0 to 1); detection metadata needs \
            `class-map` (class id to label name) and `objects`. The attribute is left out.
            """,
        fix: "Complete the metadata; the finding's reason names each missing or malformed field.",
        examples: [
            .init("No class-name", triggers: true,
                  training: [classification.replacing("\"class-name\":\"cat\",", with: "")], images: images, line: 1),
            .init("human-annotated is true instead of \"yes\"", triggers: true,
                  training: [classification.replacing("\"human-annotated\":\"yes\"", with: "\"human-annotated\":true")],
                  images: images, line: 1),
            .init("Complete metadata", triggers: false, training: [classification, detection], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes where !attribute.metadataProblems.isEmpty {
            line.report(definition, attribute: attribute.key,
                        details: ["reason": .string(attribute.metadataProblems.joined(separator: "; "))])
        }
    }
}

public struct InvalidLabelAttributeFormat: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_LABEL_ATTRIBUTE_FORMAT", severity: .error, scope: .labelAttribute, effect: .attributeInvalid, origin: .service,
        title: "Label attribute malformed",
        message: "The format of the label attribute {} is invalid.",
        explanation: """
            For classification, the value of `K` must be an integer. For detection it must be an \
            object with `image_size` (an array of one {width, height, depth}) and `annotations` \
            (boxes with integer `class_id` and numeric `top`, `left`, `width`, `height`). \
            The attribute is left out.
            """,
        fix: "Correct the attribute's value; the finding's reason says what is wrong.",
        examples: [
            .init("Classification value is a string", triggers: true,
                  training: [classification.replacing("\"label\":1", with: "\"label\":\"cat\"")], images: images, line: 1),
            .init("Detection without image_size", triggers: true,
                  training: [detection.replacing("\"image_size\"", with: "\"size\"")], images: images, line: 1),
            .init("Well-formed attributes", triggers: false, training: [classification, detection], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes where !attribute.formatProblems.isEmpty && attribute.kind.useCase != nil {
            line.report(definition, message: "The format of the label attribute \(attribute.key) is invalid.",
                        attribute: attribute.key, details: ["reason": .string(attribute.formatProblems.joined(separator: "; "))])
        }
    }
}

public struct MissingBoundingBoxConfidence: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MISSING_BOUNDING_BOX_CONFIDENCE", severity: .error, scope: .metadata, effect: .attributeInvalid, origin: .service,
        title: "Box without confidence",
        message: "One or more bounding boxes has a missing confidence value.",
        explanation: "Detection metadata holds `objects`, one `{\"confidence\": n}` per annotation in the same order. When an annotation has no matching confidence, the attribute is refused (Preflight leaves the whole attribute out, as the safer reading of the service).",
        fix: "Write one objects entry with a numeric confidence for every annotation.",
        examples: [
            .init("Two boxes, one confidence", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(0, 10, 10, 30, 20), (0, 40, 40, 20, 20)], confidences: 1)],
                  images: images, line: 1),
            .init("One confidence per box", triggers: false, training: [detection], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes where attribute.kind == .detection && !attribute.boxes.isEmpty {
            let confidences = attribute.confidences ?? []
            let missing = attribute.boxes.map(\.index).filter { $0 >= confidences.count || confidences[$0] == nil }
            guard !missing.isEmpty else { continue }
            line.report(definition, attribute: attribute.key, details: [
                "annotations_without_confidence": .array(missing.map { .number(JSONNumber($0)) }),
                "reason": .string("\(counted(attribute.boxes.count, "box", "boxes")) but \(counted(confidences.compactMap { $0 }.count, "confidence value"))"),
            ])
        }
    }
}

public struct MissingClassMapID: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MISSING_CLASS_MAP_ID", severity: .error, scope: .metadata, effect: .attributeInvalid, origin: .service,
        title: "Class id not in class map",
        message: "One of more class ids is missing from the class map.",
        explanation: "Every annotation's `class_id` must be a key of the metadata's `class-map`, which gives the label name. A box whose class has no name cannot be trained on (Preflight leaves the whole attribute out).",
        fix: "Add the missing ids to class-map, or correct the annotations' class_id.",
        examples: [
            .init("class_id 1 with a map of only 0", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [(1, 10, 10, 30, 20)])], images: images, line: 1),
            .init("Every id mapped", triggers: false, training: [detection], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes where attribute.kind == .detection {
            var missing: [Int] = []
            for box in attribute.boxes {
                guard let id = box.classID, !missing.contains(id), attribute.labelName(ofClass: id) == nil else { continue }
                missing.append(id)
            }
            missing.sort()
            guard !missing.isEmpty else { continue }
            line.report(definition, attribute: attribute.key, details: [
                "missing_class_ids": .array(missing.map { .number(JSONNumber($0)) }),
            ])
        }
    }
}

public struct InvalidLabelNameLength: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_INVALID_LABEL_NAME_LENGTH", severity: .error, scope: .metadata, effect: .attributeInvalid, origin: .service,
        title: "Label name too long",
        message: "The label name length is invalid.",
        explanation: "Label names (`class-name`, or the values of `class-map`) may be at most 256 characters long.",
        fix: "Shorten the label name.",
        examples: [
            .init("A 257-character label", triggers: true,
                  training: [ExampleLines.classification("a.jpg", label: String(repeating: "x", count: 257))], images: images, line: 1),
            .init("A 256-character label", triggers: false,
                  training: [ExampleLines.classification("a.jpg", label: String(repeating: "x", count: 256))], images: images),
        ])

    public static func check(_ line: LineCheck) {
        let limit = ServiceLimits.maxLabelNameLength
        for attribute in line.line.attributes {
            // A name of at most `limit` UTF-8 bytes has at most `limit` characters: skip counting those.
            func tooLong(_ name: String) -> Bool { name.utf8.count > limit && name.count > limit }
            let long = attribute.className.flatMap { tooLong($0) ? $0 : nil } ?? attribute.classMap.first { tooLong($0.name) }?.name
            guard let long else { continue }
            line.report(definition, attribute: attribute.key, details: [
                "reason": .string("label name of \(long.count) characters; the limit is \(limit)"),
            ])
        }
    }
}

public struct TooManyBoundingBoxes: LineRule {
    public static let definition = RuleDefinition(
        code: "ERROR_TOO_MANY_BOUNDING_BOXES", severity: .error, scope: .labelAttribute, effect: .attributeInvalid, origin: .service,
        title: "More than 50 boxes",
        message: "There are more bounding boxes than the allowed maximum.",
        explanation: "An image may carry at most 50 bounding boxes.",
        fix: "Split crowded images into tiles, or keep the 50 most useful boxes.",
        examples: [
            .init("51 boxes", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: Array(repeating: (0, 10, 10, 5, 5), count: 51))], images: images, line: 1),
            .init("50 boxes", triggers: false,
                  training: [ExampleLines.detection("a.jpg", boxes: Array(repeating: (0, 10, 10, 5, 5), count: 50))], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes where attribute.kind == .detection && attribute.boxes.count > ServiceLimits.maxBoxesPerImage {
            line.report(definition, attribute: attribute.key, details: [
                "boxes": .number(JSONNumber(attribute.boxes.count)),
                "reason": .string("\(attribute.boxes.count) boxes; the limit is \(ServiceLimits.maxBoxesPerImage)"),
            ])
        }
    }
}

public struct NoAttributeAnnotations: LineRule {
    public static let definition = RuleDefinition(
        code: "WARNING_NO_ATTRIBUTE_ANNOTATIONS", severity: .warning, scope: .labelAttribute, effect: .none, origin: .service,
        title: "Detection attribute without boxes",
        message: "No attribute annotations were found.",
        explanation: "A detection attribute whose `annotations` list is empty or absent adds no labels.",
        fix: "Draw the boxes, or remove the attribute if the image shows none of the labels.",
        examples: [
            .init("Empty annotations", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [])], images: images, line: 1),
            .init("One box", triggers: false, training: [detection], images: images),
        ])

    public static func check(_ line: LineCheck) {
        for attribute in line.line.attributes where attribute.kind == .detection && attribute.formatProblems.isEmpty && attribute.boxes.isEmpty {
            line.report(definition, attribute: attribute.key)
        }
    }
}

public struct NoAnnotations: LineRule {
    public static let definition = RuleDefinition(
        code: "WARNING_NO_ANNOTATIONS", severity: .warning, scope: .line, effect: .lineIgnored, origin: .service,
        title: "Line without any box",
        message: "No annotations were found.",
        explanation: "Every valid attribute of the line is a detection attribute with no boxes, though the image was human-annotated. The line is valid but ignored; it does not count toward the invalid-line limit.",
        fix: "Draw the boxes, or remove the line if the image shows none of the labels.",
        examples: [
            .init("The only attribute has no boxes", triggers: true,
                  training: [ExampleLines.detection("a.jpg", boxes: [])], images: images, line: 1),
            .init("A box on the line", triggers: false, training: [detection], images: images),
        ])

    public static func check(_ line: LineCheck) {
        let attributes = line.validAttributes
        guard !line.isInvalid, !attributes.isEmpty,
              attributes.allSatisfy({ $0.kind == .detection && $0.boxes.isEmpty }),
              attributes.contains(where: { $0.humanAnnotated == "yes" }) else { return }
        line.report(definition)
    }
}
