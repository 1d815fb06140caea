import Foundation
import PreflightJSON

// Preflight's checks of where a line's image is on the local disk.

private let line = ExampleLines.classification("a.jpg", label: "cat")

public struct SourceRefEscapesRoot: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_SOURCE_REF_ESCAPES_ROOT", severity: .error, scope: .line, effect: .none, origin: .preflight,
        title: "source-ref leaves its local folder",
        message: "The source-ref's key would leave the local folder it is mapped to; the file was not read.",
        explanation: """
            A key with a `..` component, an absolute path, or a symbolic link that points outside \
            the mapped folder would make Preflight read a file outside the folder you named. \
            Preflight never reads it. On S3 such a key is legal but almost always a mistake made \
            when the manifest was built from local paths.
            """,
        fix: "Rewrite the source-ref as the image's plain S3 key, with no '..' segments.",
        examples: [
            .init("A key with '..'", triggers: true,
                  training: [line.replacingOccurrences(of: "a.jpg", with: "../secret.jpg")], line: 1),
            .init("A nested key", triggers: false,
                  training: [line.replacingOccurrences(of: "a.jpg", with: "sub/a.jpg")], images: ["sub/a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard case .escapes(let reason)? = line.resolution else { return }
        line.report(definition, details: ["reason": .string(reason)])
    }
}

public struct SourceRefUnmapped: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_SOURCE_REF_UNMAPPED", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Image not found locally: no mapping",
        message: "No --map or --root covers this source-ref, so its image was not checked.",
        explanation: "Preflight reads images from local folders named by `--map s3://BUCKET[/PREFIX]=DIR` or `--root DIR`. A source-ref that none of them covers cannot be checked: image and box checks are skipped for the line.",
        fix: "Add a --map for this bucket or prefix.",
        examples: [
            .init("A bucket no --map covers", triggers: true,
                  training: [line.replacingOccurrences(of: "example-bucket", with: "other-bucket")], line: 1),
            .init("A mapped source-ref", triggers: false, training: [line], images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        guard line.resolution == .unmapped, !line.options.resolver.isEmpty else { return }
        line.report(definition)
    }
}

public struct ImagesNotChecked: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_IMAGES_NOT_CHECKED", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "Images not checked",
        message: "No --root or --map was given, so no image was read: image and bounding-box checks against the images did not run.",
        explanation: "Without a local copy of the images Preflight checks the manifest alone. Boxes are then judged against the declared `image_size` only.",
        fix: "Download the images and pass --map s3://BUCKET=DIR (or --root DIR).",
        examples: [
            RuleExample("No --root or --map given", triggers: true, training: [line]).withoutImageMaps(),
            .init("Images mapped", triggers: false, training: [line], images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.options.resolver.isEmpty, dataset.stats.totalLines > 0 else { return }
        dataset.report(definition)
    }
}
