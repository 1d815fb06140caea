import ImageEngine
import PreflightJSON

/// The working state of one manifest line while its rules run. Rules read the line and
/// its image, and report findings; the effects of those findings (a line made invalid,
/// a box dropped) are applied here, so later rules see them.
public final class LineCheck {
    public let line: ManifestLine
    public let file: String
    public let role: DatasetRole
    /// How the `source-ref` was resolved (nil when it is missing or invalid).
    public let resolution: ResolvedImage?
    /// The image as decoded (nil when it could not be located).
    public let image: ImageFacts?
    public let options: CheckOptions

    public private(set) var findings: [Finding] = []
    public private(set) var isInvalid = false
    public private(set) var isIgnored = false
    public private(set) var invalidAttributes: Set<String> = []
    public private(set) var droppedBoxes: [String: Set<Int>] = [:]

    public init(line: ManifestLine, file: String, role: DatasetRole, resolution: ResolvedImage?,
                image: ImageFacts?, options: CheckOptions) {
        self.line = line
        self.file = file
        self.role = role
        self.resolution = resolution
        self.image = image
        self.options = options
    }

    public var imagePath: String? {
        if case .located(let path)? = resolution { return path }
        return nil
    }

    /// Records a finding for `rule` at this line, unless the rule is switched off.
    public func report(_ rule: RuleDefinition, message: String? = nil, attribute: String? = nil,
                       annotation: Int? = nil, details: JSONObject = JSONObject()) {
        guard !options.ignored.contains(rule.code) else { return }
        findings.append(Finding(rule: rule, message: message, file: file, role: role, line: line.number,
                                sourceRef: line.sourceRef.uri?.description, image: imagePath,
                                attribute: attribute, annotationIndex: annotation, details: details))
        switch rule.effect {
        case .lineInvalid: isInvalid = true
        case .lineIgnored: isIgnored = true
        case .attributeInvalid:
            if let attribute {
                invalidAttributes.insert(attribute)
                validAttributesCache = nil
            }
        case .annotationDropped:
            if let attribute, let annotation { droppedBoxes[attribute, default: []].insert(annotation) }
        case .stopsTraining, .none: break
        }
    }

    /// Label attributes not (yet) made invalid. Kept until a finding invalidates one, since
    /// most rules ask for it.
    public var validAttributes: [LabelAttribute] {
        if let cached = validAttributesCache { return cached }
        let valid = line.attributes.filter { !invalidAttributes.contains($0.key) && $0.kind.useCase != nil }
        validAttributesCache = valid
        return valid
    }
    private var validAttributesCache: [LabelAttribute]?

    /// The boxes of an attribute that have not been dropped.
    public func keptBoxes(of attribute: LabelAttribute) -> [BoundingBox] {
        guard let dropped = droppedBoxes[attribute.key], !dropped.isEmpty else { return attribute.boxes }
        return attribute.boxes.filter { !dropped.contains($0.index) }
    }

    /// The frame boxes are judged against: the decoded image when there is one, else `image_size`.
    public func frame(for attribute: LabelAttribute) -> (width: Int, height: Int, decoded: Bool)? {
        if let image, let width = image.width, let height = image.height, image.format?.isAcceptedByService == true {
            return (width, height, true)
        }
        if let width = attribute.declaredWidth, let height = attribute.declaredHeight {
            return (width, height, false)
        }
        return nil
    }

    /// True when the line is usable: not invalid and not ignored.
    public var isUsable: Bool { !isInvalid && !isIgnored }
}

/// A rule judged on one manifest line.
public protocol LineRule: Sendable {
    static var definition: RuleDefinition { get }
    static func check(_ line: LineCheck)
}
