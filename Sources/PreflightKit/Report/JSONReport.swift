import ImageEngine
import PreflightJSON

/// The versioned JSON report that dashboards read. Field by field in docs/REPORT.md.
public enum JSONReport: Reporter {
    public static let name = "json"
    /// Changes only with a documented migration note in docs/REPORT.md.
    public static let schemaVersion = "1.3"

    public static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink) {
        StreamedJSON.write(document(result, failOn: context.failOn, findings: StreamedJSON.placeholder),
                           streaming: result.findings, to: &sink, finding)
        sink.write([UInt8(ascii: "\n")])
    }

    /// The report, with `findings` standing for the findings array.
    static func document(_ result: CheckResult, failOn: Severity?, findings: JSONValue) -> JSONValue {
        .object([
            "schema_version": .string(schemaVersion),
            "tool": .object([
                "name": "preflight", "version": .string(PreflightVersion.current),
                "libpng": .string(CodecVersions.libpng), "libjpeg_turbo": .string(CodecVersions.libjpegTurbo),
            ]),
            "inputs": inputs(result),
            "summary": summary(result, failOn: failOn),
            "findings": findings,
        ])
    }

    static func inputs(_ result: CheckResult) -> JSONValue {
        let options = result.options
        var manifests = JSONObject()
        for input in result.inputs { manifests[input.role.rawValue] = .string(input.name) }
        return .object([
            "manifests": .object(manifests),
            "mode": .string(options.mode.rawValue),
            "maps": .array(options.resolver.mappings.map { .object(["prefix": .string($0.prefix), "directory": .string($0.directory)]) }),
            "root": options.resolver.root.map { .string($0) } ?? .null,
            "images_from_s3": .bool(options.resolver.readsStore),
            "region": options.region.map { .string($0) } ?? .null,
            "ignored_checks": .array(options.ignored.sorted().map { .string($0) }),
            "thresholds": .object(JSONObject(QualityThresholds.settings.map {
                ($0.name, .number(JSONNumber(options.thresholds[keyPath: $0.keyPath])))
            })),
        ])
    }

    static func summary(_ result: CheckResult, failOn: Severity?) -> JSONValue {
        .object([
            "verdict": .string(Verdict.of(result, failOn: failOn ?? .error).rawValue),
            "errors": .number(JSONNumber(result.count(.error))),
            "warnings": .number(JSONNumber(result.count(.warning))),
            "infos": .number(JSONNumber(result.count(.info))),
            "findings_omitted": .object(JSONObject(result.omittedFindings.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) })),
            "images_named": .number(JSONNumber(result.imagesNamed)),
            "images_examined": .number(JSONNumber(result.imagesExamined)),
            "images_unreadable": .number(JSONNumber(result.imagesUnreadable)),
            "images_not_looked_for": .number(JSONNumber(result.imagesNotLookedFor)),
            "images_not_decoded": .number(JSONNumber(result.imagesNotDecoded)),
            "images_from_cache": .number(JSONNumber(result.imagesFromCache)),
            "integrity_checked": .bool(result.integrityChecked),
            "images_measured": .number(JSONNumber(result.imagesMeasured)),
            "pixel_checks_run": .bool(result.pixelChecksRun),
            "images_statement": .string(result.imagesStatement),
            "datasets": .array(result.stats.map(dataset)),
        ])
    }

    static func dataset(_ stats: DatasetStats) -> JSONValue {
        func labels(_ counts: [String: DatasetStats.LabelCount]) -> JSONValue {
            .array(counts.sorted { $0.key < $1.key }.map {
                .object(["name": .string($0.key), "images": .number(JSONNumber($0.value.images)), "boxes": .number(JSONNumber($0.value.boxes))])
            })
        }
        return .object([
            "role": .string(stats.role.rawValue),
            "file": .string(stats.file),
            "file_size": .number(JSONNumber(stats.fileSize)),
            "use_case": .string(stats.useCase.rawValue),
            "lines": .object([
                "total": .number(JSONNumber(stats.totalLines)), "valid": .number(JSONNumber(stats.validLines)),
                "invalid": .number(JSONNumber(stats.invalidLines)), "ignored": .number(JSONNumber(stats.ignoredLines)),
                "unchecked": .number(JSONNumber(stats.uncheckedLines)),
            ]),
            "invalid_line_numbers": .array(stats.invalidLineNumbers.map { .number(JSONNumber($0)) }),
            "error_line_numbers": .array(stats.errorLineNumbers.map { .number(JSONNumber($0)) }),
            "distinct_images": .number(JSONNumber(stats.distinctImages)),
            "buckets": .array(stats.buckets.sorted { $0.value < $1.value }.map { .string($0.key) }),
            "labels": .object([
                "image_level": labels(stats.classificationLabels),
                "object_localization": labels(stats.detectionLabels),
            ]),
        ])
    }

    static func finding(_ f: Finding) -> JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            "code": .string(f.code),
            "severity": .string(f.severity.rawValue),
            "message": .string(f.message),
            "file": .string(f.file),
            "dataset": .string(f.role.rawValue),
            "line": f.line.map { .number(JSONNumber($0)) } ?? .null,
            "scope": .string(f.scope.rawValue),
            "effect": .string(f.effect.rawValue),
            "origin": .string(f.origin.rawValue),
            "source_ref": opt(f.sourceRef),
            "image": opt(f.image),
            "attribute": opt(f.attribute),
            "annotation_index": f.annotationIndex.map { .number(JSONNumber($0)) } ?? .null,
            "details": .object(f.details),
        ])
    }
}

