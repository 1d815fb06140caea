import PreflightJSON

/// The files the service itself writes after validating a dataset, reproduced from a
/// check: `manifest_summary.json` and a copy of each manifest with `errors` and
/// `warnings` arrays placed where the problem is. Only the service's own codes appear.
public enum RekognitionFiles {
    public static let summaryName = "manifest_summary.json"

    public static func validationManifestName(for role: DatasetRole) -> String {
        role == .training ? "training_manifest_with_validation.json" : "test_manifest_with_validation.json"
    }

    static func serviceFindings(_ result: CheckResult) -> [Finding] {
        result.findings.filter { $0.origin == .service }
    }

    static func entry(_ finding: Finding) -> JSONValue {
        .object(["code": .string(finding.code), "message": .string(finding.message)])
    }

    /// `manifest_summary.json`.
    public static func summary(_ result: CheckResult) -> JSONValue {
        let findings = serviceFindings(result)
        var statistics = JSONObject()
        for stats in result.stats {
            let datasetErrors = findings.filter {
                $0.role == stats.role && $0.line == nil && $0.scope != .project && $0.severity == .error
            }
            statistics[stats.role.rawValue] = .object([
                "use_case": .string(stats.useCase.rawValue),
                "total_json_lines": .number(JSONNumber(stats.totalLines)),
                "valid_json_lines": .number(JSONNumber(stats.validLines)),
                "invalid_json_lines": .number(JSONNumber(stats.invalidLines)),
                "ignored_json_lines": .number(JSONNumber(stats.ignoredLines)),
                "error_json_line_indices": .array(stats.errorLineNumbers.map { .number(JSONNumber($0)) }),
                "errors": .array(datasetErrors.map(entry)),
            ])
        }
        let projectErrors = findings.filter { $0.scope == .project && $0.severity == .error }
        return .object(["statistics": .object(statistics), "errors": .array(projectErrors.map(entry))])
    }

    /// The validation manifest for one input: every line of the input, in order, with the
    /// line's service findings placed at their scope. Streams the input.
    public static func validationManifest(_ result: CheckResult, input: ManifestInput, into sink: inout AtomicFile.Sink) {
        var out: [UInt8] = []
        let findings = serviceFindings(result).filter { $0.role == input.role && $0.line != nil }
        var byLine: [Int: [Finding]] = [:]
        for finding in findings { byLine[finding.line!, default: []].append(finding) }
        ManifestReader(path: input.path).forEachLine { number, line in
            let lineFindings = byLine[number] ?? []
            var object: JSONObject?
            if case .bytes(let bytes) = line, case .object(let parsed)? = try? JSONParser.parse(bytes) {
                object = parsed
            }
            guard var object else {
                // The service replaces a line it cannot parse by a line holding only the error.
                // With that check switched off (--ignore), the line is written as it is, like
                // every line without errors.
                let errors = lineFindings.filter { $0.code == InvalidJSONLine.definition.code }
                if errors.isEmpty, case .bytes(let bytes) = line {
                    out += bytes
                    out.append(0x0A)
                    sink.write(out)
                    out.removeAll(keepingCapacity: true)
                    return
                }
                let fallback = errors.isEmpty ? [Finding(rule: InvalidJSONLine.definition, file: input.name, role: input.role, line: number)] : errors
                JSONWriter.write(.object(["errors": .array(fallback.map(entry))]), into: &out)
                out.append(0x0A)
                sink.write(out)
                out.removeAll(keepingCapacity: true)
                return
            }
            place(lineFindings, in: &object)
            JSONWriter.write(.object(object), into: &out)
            out.append(0x0A)
            sink.write(out)
            out.removeAll(keepingCapacity: true)
        }
    }

    /// Adds each finding to the `errors` or `warnings` array of the object it concerns.
    static func place(_ findings: [Finding], in line: inout JSONObject) {
        func append(_ finding: Finding, to object: inout JSONObject) {
            let key = finding.severity == .error ? "errors" : "warnings"
            var list = object[key]?.arrayValue ?? []
            list.append(entry(finding))
            object[key] = .array(list)
        }
        for finding in findings {
            guard let attribute = finding.attribute else {
                append(finding, to: &line)
                continue
            }
            let metadataKey = attribute + "-metadata"
            switch finding.scope {
            case .annotation:
                if case .object(var body)? = line[attribute], case .array(var boxes)? = body["annotations"],
                   let index = finding.annotationIndex, boxes.indices.contains(index), case .object(var box) = boxes[index] {
                    append(finding, to: &box)
                    boxes[index] = .object(box)
                    body["annotations"] = .array(boxes)
                    line[attribute] = .object(body)
                } else {
                    append(finding, to: &line)
                }
            case .labelAttribute:
                if case .object(var body)? = line[attribute] {
                    append(finding, to: &body)
                    line[attribute] = .object(body)
                } else if case .object(var metadata)? = line[metadataKey] {
                    // A classification attribute's value is a number: its errors go beside it, in the metadata.
                    append(finding, to: &metadata)
                    line[metadataKey] = .object(metadata)
                } else {
                    append(finding, to: &line)
                }
            default:
                if case .object(var metadata)? = line[metadataKey], finding.scope == .metadata {
                    append(finding, to: &metadata)
                    line[metadataKey] = .object(metadata)
                } else {
                    append(finding, to: &line)
                }
            }
        }
    }

    /// Writes the summary and one validation manifest per input into `directory`, atomically.
    public static func write(_ result: CheckResult, to directory: String) throws(AtomicFile.WriteError) {
        var summaryBytes = Array(JSONWriter.serialize(summary(result), options: [.prettyPrinted]).utf8)
        summaryBytes.append(0x0A)
        try AtomicFile.write(summaryBytes, to: directory + "/" + summaryName)
        // A manifest stopped at the file level (unreadable, empty, too large) has no lines to annotate.
        let stopped = Set(result.findings.filter { $0.scope == .manifestFile }.map(\.file))
        for input in result.inputs where !stopped.contains(input.name) {
            try AtomicFile.write(to: directory + "/" + validationManifestName(for: input.role)) { sink in
                validationManifest(result, input: input, into: &sink)
            }
        }
    }
}
