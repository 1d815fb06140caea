#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
                  training: [line.replacing("a.jpg", with: "../secret.jpg")], line: 1),
            .init("A nested key", triggers: false,
                  training: [line.replacing("a.jpg", with: "sub/a.jpg")], images: ["sub/a.jpg": .fixture("jpeg-baseline.jpg")]),
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
                  training: [line.replacing("example-bucket", with: "other-bucket")], line: 1),
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

public struct ImagesMostlyMissing: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_IMAGES_MOSTLY_MISSING", severity: .warning, scope: .dataset, effect: .none, origin: .preflight,
        title: "Most images missing where they were looked for",
        message: "Most of the images the manifest names do not exist where --map or --root says they are: the mapping is probably wrong, not the dataset.",
        explanation: "When more than half of the lines whose image was looked for find no file (and at least two do), the usual cause is a `--map` or `--root` folder one level off, or a prefix that does not match the keys. Each such line still gets the service's `ERROR_INVALID_IMAGE`, since that is what the service would say if the objects were missing; this finding says once which key was looked for where, and, when the file exists one level up or down, which mapping finds it.",
        fix: "Compare the example key with the folder searched, and correct --map s3://BUCKET[/PREFIX]=DIR (or --root DIR) as suggested.",
        examples: [
            .init("Two of three images missing", triggers: true,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("b.jpg", label: "cat"),
                             ExampleLines.classification("c.jpg", label: "dog")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")]),
            .init("One of three images missing", triggers: false,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("b.jpg", label: "cat"),
                             ExampleLines.classification("c.jpg", label: "dog")],
                  images: ["a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 2)]),
            .init("Two of three objects missing from the bucket itself, read from S3: no mapping is wrong", triggers: false,
                  training: [ExampleLines.classification("a.jpg", label: "cat"), ExampleLines.classification("b.jpg", label: "cat"),
                             ExampleLines.classification("c.jpg", label: "dog")],
                  images: ["a.jpg": .fixture("jpeg-baseline.jpg")]).readFromStore(),
        ])

    public static func check(_ dataset: DatasetCheck) {
        let stats = dataset.stats
        guard stats.linesMissingImage >= 2, stats.linesMissingImage * 2 > stats.linesLookedUp,
              let example = stats.firstMissingImage else { return }
        // Objects missing from S3 itself are missing for the service too: no mapping to blame.
        guard let uri = S3URI(example.sourceRef), dataset.options.resolver.mapping(for: uri) != nil else { return }
        var reason = "\(stats.linesMissingImage) of \(stats.linesLookedUp) lines name an image that does not exist; "
            + "line \(example.line)'s \(example.sourceRef) was looked for at \(example.path)"
        var details: JSONObject = [
            "lines_missing": .number(JSONNumber(stats.linesMissingImage)),
            "lines_looked_up": .number(JSONNumber(stats.linesLookedUp)),
            "example_source_ref": .string(example.sourceRef),
            "example_path": .string(example.path),
        ]
        if let mapping = dataset.options.resolver.mapping(for: uri) {
            details["searched_folder"] = .string(mapping.directory)
            if let suggestion = suggestedMapping(prefix: mapping.prefix, directory: mapping.directory, relative: mapping.relative) {
                details["suggested_map"] = .string(suggestion)
                reason += "; the file is found with --map \(suggestion)"
            }
        }
        details["reason"] = .string(reason)
        dataset.report(definition, details: details)
    }

    /// A mapping one level off that finds the file: the folder's parent, one of its child
    /// folders, or the key's first folder dropped from it.
    static func suggestedMapping(prefix: String, directory: String, relative: String) -> String? {
        func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
        let folder = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        // The folder is one level too deep: its parent holds the key.
        if let slash = folder.lastIndex(of: "/") {
            let parent = slash == folder.startIndex ? "/" : String(folder[..<slash])
            if exists(parent + "/" + relative) { return "\(prefix)=\(parent)" }
        } else if exists("./" + relative) {
            return "\(prefix)=."
        }
        // The folder holds the files below the key's first folder: map that folder.
        if let slash = relative.firstIndex(of: "/") {
            let rest = relative[relative.index(after: slash)...]
            if exists(folder + "/" + rest) { return "\(prefix)/\(relative[..<slash])=\(folder)" }
        }
        // The folder is one level too shallow: one of its child folders holds the key.
        guard let entries = opendir(folder) else { return nil }
        defer { closedir(entries) }
        var looked = 0
        while let entry = readdir(entries), looked < 200 {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            guard !name.hasPrefix(".") else { continue }
            looked += 1
            if exists(folder + "/" + name + "/" + relative) { return "\(prefix)=\(folder)/\(name)" }
        }
        return nil
    }
}
