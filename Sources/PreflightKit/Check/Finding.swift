import PreflightJSON

/// Which manifest of a project a finding or statistic belongs to.
public enum DatasetRole: String, Sendable, Codable {
    case training
    case testing
}

/// One thing a check found, located as precisely as the service would locate it.
public struct Finding: Sendable {
    public var code: String
    public var severity: Severity
    public var scope: Scope
    public var effect: Effect
    public var origin: RuleOrigin
    public var message: String
    /// The manifest as given on the command line.
    public var file: String
    public var role: DatasetRole
    /// 1-based line number; nil for manifest- and dataset-level findings.
    public var line: Int?
    public var sourceRef: String?
    /// The local path the image was read from.
    public var image: String?
    public var attribute: String?
    public var annotationIndex: Int?
    public var details: JSONObject

    public init(rule: RuleDefinition, message: String? = nil, file: String, role: DatasetRole, line: Int? = nil,
                sourceRef: String? = nil, image: String? = nil, attribute: String? = nil,
                annotationIndex: Int? = nil, details: JSONObject = JSONObject()) {
        code = rule.code
        severity = rule.severity
        scope = rule.scope
        effect = rule.effect
        origin = rule.origin
        self.message = message ?? rule.message
        self.file = file
        self.role = role
        self.line = line
        self.sourceRef = sourceRef
        self.image = image
        self.attribute = attribute
        self.annotationIndex = annotationIndex
        self.details = details
    }
}
