import PreflightJSON

/// The state of a line's `source-ref`.
public enum SourceRefState: Sendable, Equatable {
    case missing
    /// Present but not `s3://BUCKET/KEY`; holds a short description of the value.
    case invalid(String)
    case valid(S3URI)

    public var uri: S3URI? {
        if case .valid(let uri) = self { return uri }
        return nil
    }
}

/// Which of the service's use cases a label attribute belongs to.
public enum UseCase: String, Sendable, Codable {
    case imageLevelLabels = "IMAGE_LEVEL_LABELS"
    case objectLocalization = "OBJECT_LOCALIZATION"
    case notDetermined = "NOT_DETERMINED"
}

/// One bounding box of a detection attribute, in pixels of the labelled image.
public struct BoundingBox: Sendable, Equatable {
    public var index: Int
    public var classID: Int?
    public var top: Double
    public var left: Double
    public var width: Double
    public var height: Double

    public var right: Double { left + width }
    public var bottom: Double { top + height }

    public var jsonValue: JSONValue {
        .object(JSONObject([
            ("class_id", classID.map { .number(JSONNumber($0)) } ?? .null),
            ("top", .number(JSONNumber(top))), ("left", .number(JSONNumber(left))),
            ("width", .number(JSONNumber(width))), ("height", .number(JSONNumber(height))),
        ]))
    }
}

public enum AttributeKind: Sendable, Equatable {
    case classification
    case detection
    /// The metadata `type` names another task type.
    case unsupported(type: String)
    /// The metadata is missing or has no usable `type`.
    case unknown

    public var useCase: UseCase? {
        switch self {
        case .classification: .imageLevelLabels
        case .detection: .objectLocalization
        default: nil
        }
    }
}

/// A label attribute: a key `K` with a sibling `K-metadata`.
public struct LabelAttribute: Sendable, Equatable {
    public var key: String
    public var kind: AttributeKind = .unknown
    /// Why the value of `K` is malformed, when it is.
    public var formatProblems: [String] = []
    /// Why `K-metadata` is malformed, when it is.
    public var metadataProblems: [String] = []
    /// Classification: the label.
    public var className: String?
    /// Detection: the boxes, in order.
    public var boxes: [BoundingBox] = []
    /// Detection: false when the `annotations` key is absent.
    public var annotationsPresent = false
    /// Detection: `image_size` as declared.
    public var declaredWidth: Int?
    public var declaredHeight: Int?
    /// Detection: `class-map` entries in order (id as written, label name).
    public var classMap: [(id: String, name: String)] = []
    /// Detection: one confidence per `objects` entry (nil where missing); nil when `objects` is absent.
    public var confidences: [Double?]?
    public var humanAnnotated: String?

    public init(key: String) { self.key = key }

    public static func == (a: LabelAttribute, b: LabelAttribute) -> Bool {
        a.key == b.key && a.kind == b.kind && a.formatProblems == b.formatProblems
            && a.metadataProblems == b.metadataProblems && a.className == b.className && a.boxes == b.boxes
            && a.classMap.map(\.id) == b.classMap.map(\.id) && a.classMap.map(\.name) == b.classMap.map(\.name)
    }

    /// The label name of a box's class id, from the class map.
    public func labelName(ofClass id: Int?) -> String? {
        guard let id else { return nil }
        let text = String(id)
        for entry in classMap.reversed() where entry.id == text { return entry.name }
        return nil
    }
}

/// One line of a manifest, interpreted the way the service reads it.
public struct ManifestLine: Sendable {
    public var number: Int
    /// Why the line is not a JSON object, when it is not.
    public var parseError: String?
    public var sourceRef: SourceRefState = .missing
    public var attributes: [LabelAttribute] = []
    /// Keys that are neither `source-ref`, service keys, label attributes nor their metadata.
    public var otherKeys: [String] = []
    /// Keys written more than once in one object of the line, at any depth, by path
    /// (`bounding-box.annotations[2].class_id`; see `JSONValue.duplicateKeyPaths`).
    public var duplicateKeys: [String] = []

    public init(number: Int) { self.number = number }
}
