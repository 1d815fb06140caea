import PreflightJSON

/// SARIF 2.1.0: one run, the rule catalogue as the driver's rules, one result per finding
/// located at the manifest file and line. Accepted by GitHub code scanning.
public enum SARIFReport: Reporter {
    public static let name = "sarif"

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        let artifactIndex = Dictionary(result.inputs.map(\.path).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        StreamedJSON.write(document(result), streaming: result.findings, to: &sink) { resultObject($0, artifactIndex: artifactIndex) }
        sink.write([UInt8(ascii: "\n")])
    }

    public static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    private static let ruleIndex = Dictionary(uniqueKeysWithValues: RuleCatalogue.all.enumerated().map { ($1.code, $0) })

    /// The SARIF log, with a placeholder for the results, which `write` streams.
    static func document(_ result: CheckResult) -> JSONValue {
        let rules = RuleCatalogue.all
        let artifacts = result.inputs.map(\.path)

        let driverRules: [JSONValue] = rules.map { rule in
            .object([
                "id": .string(rule.code),
                "name": .string(pascalCase(rule.code)),
                "shortDescription": .object(["text": .string(rule.title)]),
                "fullDescription": .object(["text": .string(rule.explanation)]),
                "messageStrings": .object(["default": .object(["text": .string(rule.message)])]),
                "help": .object([
                    "text": .string(rule.fix),
                    "markdown": .string("**\(rule.title).** \(rule.explanation)\n\n**Fix.** \(rule.fix)"),
                ]),
                "defaultConfiguration": .object(["level": .string(level(rule.severity))]),
                "properties": .object([
                    "tags": .array([.string(rule.origin == .service ? "rekognition" : "preflight"), .string(rule.scope.rawValue)]),
                    "scope": .string(rule.scope.rawValue), "effect": .string(rule.effect.rawValue), "origin": .string(rule.origin.rawValue),
                ]),
            ])
        }

        return .object([
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": .array([.object([
                "tool": .object(["driver": .object([
                    "name": "Preflight",
                    "version": .string(PreflightVersion.current),
                    "semanticVersion": .string(PreflightVersion.current),
                    "rules": .array(driverRules),
                ])]),
                "invocations": .array([.object([
                    "executionSuccessful": .bool(result.unreadableManifests.isEmpty),
                ])]),
                "artifacts": .array(artifacts.map { path in
                    .object(["location": .object(["uri": .string(uri(path))]), "roles": .array(["analysisTarget"])])
                }),
                "results": StreamedJSON.placeholder,
                "columnKind": "unicodeCodePoints",
            ])]),
        ])
    }

    static func resultObject(_ finding: Finding, artifactIndex: [String: Int]) -> JSONValue {
        var physical: JSONObject = [
            "artifactLocation": .object(["uri": .string(uri(finding.file)), "index": .number(JSONNumber(artifactIndex[finding.file] ?? 0))]),
        ]
        if let line = finding.line { physical["region"] = .object(["startLine": .number(JSONNumber(line))]) }
        var text = finding.message
        if let reason = finding.details["reason"]?.stringValue { text += " (\(reason))" }
        var where_: [String] = []
        if let attribute = finding.attribute { where_.append("attribute \(attribute)") }
        if let index = finding.annotationIndex { where_.append("box \(index + 1)") }
        if !where_.isEmpty { text += " [" + where_.joined(separator: ", ") + "]" }
        var properties: JSONObject = ["scope": .string(finding.scope.rawValue), "effect": .string(finding.effect.rawValue),
                                      "dataset": .string(finding.role.rawValue)]
        if let ref = finding.sourceRef { properties["source_ref"] = .string(ref) }
        if let image = finding.image { properties["image"] = .string(image) }
        if let attribute = finding.attribute { properties["attribute"] = .string(attribute) }
        if let index = finding.annotationIndex { properties["annotation_index"] = .number(JSONNumber(index)) }
        if !finding.details.isEmpty { properties["details"] = .object(finding.details) }
        return .object([
            "ruleId": .string(finding.code),
            "ruleIndex": .number(JSONNumber(ruleIndex[finding.code] ?? 0)),
            "level": .string(level(finding.severity)),
            "message": .object(["text": .string(text)]),
            "locations": .array([.object(["physicalLocation": .object(physical)])]),
            "partialFingerprints": .object([
                "preflightFinding/v1": .string([finding.code, finding.role.rawValue, finding.line.map(String.init) ?? "-",
                                                finding.attribute ?? "-", finding.annotationIndex.map(String.init) ?? "-"].joined(separator: ":")),
            ]),
            "properties": .object(properties),
        ])
    }

    /// A URI reference for a path: relative paths stay relative (GitHub resolves them against
    /// the repository root), absolute ones become file URIs; unsafe characters are escaped.
    static func uri(_ path: String) -> String {
        var trimmed = path
        while trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".utf8)
        var out = ""
        for byte in trimmed.utf8 {
            if allowed.contains(byte) { out.append(Character(UnicodeScalar(byte))) } else { out += "%" + hex(byte) }
        }
        return trimmed.hasPrefix("/") ? "file://" + out : out
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    static func pascalCase(_ code: String) -> String {
        code.split(separator: "_").map { $0.prefix(1) + $0.dropFirst().lowercased() }.joined()
    }
}
