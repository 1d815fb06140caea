// The service's checks of the manifest file itself. Any of these ends the check: the
// service reports nothing else.

private let oneLine = ExampleLines.classification("a.jpg", label: "cat")
private let oneImage: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg")]

public struct ManifestInaccessibleOrUnsupportedFormat: ManifestFileRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MANIFEST_INACCESSIBLE_OR_UNSUPPORTED_FORMAT", severity: .error, scope: .manifestFile, effect: .stopsTraining, origin: .service,
        title: "Manifest unreadable or without extension",
        message: "The manifest file extension or contents are invalid.",
        explanation: "The manifest must be a readable file with an extension (by convention `.manifest`); the service refuses a manifest file name with no extension. The service reports this without a code; Preflight names it so reports can carry it.",
        fix: "Rename the file to end in .manifest, and check that the path is right and readable.",
        examples: [
            RuleExample("A manifest file with no extension", triggers: true, training: [oneLine], images: oneImage).manifestNamed("train"),
            RuleExample("A .manifest file", triggers: false, training: [oneLine], images: oneImage).manifestNamed("train.manifest"),
        ])

    public static func check(path: String, size: Int) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else {
            return "the manifest file name \"\(name)\" has no extension; name it NAME.manifest"
        }
        return nil
    }
}

public struct EmptyManifest: ManifestFileRule {
    public static let definition = RuleDefinition(
        code: "ERROR_EMPTY_MANIFEST", severity: .error, scope: .manifestFile, effect: .stopsTraining, origin: .service,
        title: "Manifest is empty",
        message: "The manifest file is empty.",
        explanation: "A manifest with no bytes describes no images. The service reports this without a code; Preflight names it.",
        fix: "Check that the manifest was written completely (a failed export often leaves an empty file).",
        examples: [
            .init("A 0-byte manifest", triggers: true, training: []),
            .init("A one-line manifest", triggers: false, training: [oneLine], images: oneImage),
        ])

    public static func check(path: String, size: Int) -> String? {
        size == 0 ? "the manifest file is 0 bytes" : nil
    }
}

public struct ManifestSizeTooLarge: ManifestFileRule {
    public static let definition = RuleDefinition(
        code: "ERROR_MANIFEST_SIZE_TOO_LARGE", severity: .error, scope: .manifestFile, effect: .stopsTraining, origin: .service,
        title: "Manifest over 1 GB",
        message: "The manifest file size exceeds the maximum supported size.",
        explanation: "A manifest file may be at most 1 GB (1,073,741,824 bytes). The service reports this without a code; Preflight names it.",
        fix: "Split the images into several datasets, or remove fields the service does not read from each line.",
        examples: [
            RuleExample("A manifest of 1 GB and 1 byte", triggers: true, training: [oneLine]).manifestSized(ServiceLimits.maxManifestBytes + 1),
            RuleExample("A one-line manifest", triggers: false, training: [oneLine], images: oneImage),
        ])

    public static func check(path: String, size: Int) -> String? {
        size > ServiceLimits.maxManifestBytes ? "the manifest is \(size) bytes; the limit is \(ServiceLimits.maxManifestBytes)" : nil
    }
}
