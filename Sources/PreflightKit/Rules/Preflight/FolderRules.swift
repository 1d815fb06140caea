import PreflightJSON

// Preflight's checks of a folder dataset's files and folders (`preflight check DIR`):
// what an import by folder name would leave out, or label differently than expected.

/// A folder example: the tree (paths relative to the dataset folder) and where the rule must fire.
private func folder(_ title: String, triggers: Bool, _ tree: [String: ExampleImage], entry: String? = nil,
                    location: String? = nil) -> RuleExample {
    var example = RuleExample(title, triggers: triggers, training: [])
    example.folder = tree
    example.entry = entry
    example.location = location
    return example
}

/// Two labels of one image each: a tree every folder rule is quiet on.
private let twoLabels: [String: ExampleImage] = ["cat/a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "dog/b.jpg": .tagged("jpeg-baseline.jpg", tag: 2)]

private func with(_ extra: [String: ExampleImage]) -> [String: ExampleImage] {
    twoLabels.merging(extra) { _, new in new }
}

public struct FolderUnlabeledImage: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_UNLABELED_IMAGE", severity: .warning, scope: .folderEntry, effect: .lineIgnored, origin: .preflight,
        title: "Image outside every label folder",
        message: "The image is not inside a label folder, so it gets no label and will not be used.",
        explanation: """
            The service labels each image by the direct child folder of the folder location it \
            imports from, however deep the image lies below it. An image directly in the location \
            gets no label: it is imported unlabelled and used neither for training nor for testing. \
            Preflight does not put it in the folder's manifest. With --location, the location is \
            that subfolder.
            """,
        fix: "Move the image into the folder of its label, or out of the dataset folder.",
        examples: [
            folder("An image beside the label folders", triggers: true, with(["root.jpg": .tagged("jpeg-baseline.jpg", tag: 3)]), entry: "root.jpg"),
            folder("Every image in a label folder", triggers: false, twoLabels),
            folder("With --location cat, an image directly in cat", triggers: true,
                   with(["cat/tabby/c.jpg": .tagged("jpeg-baseline.jpg", tag: 3)]), entry: "cat/a.jpg", location: "cat"),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for image in folder.listing.images where image.label == nil {
            folder.report(definition, path: image.path, details: [
                "reason": .string("\(image.path) lies directly in \(folder.listing.locationPath)"),
            ])
        }
    }
}

public struct FolderNotAnImage: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_NOT_AN_IMAGE", severity: .info, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "File that is not an image",
        message: "The file is not an image; it is not part of the dataset.",
        explanation: """
            Only images become dataset entries; notes, label lists and other files in the dataset \
            folder are skipped. Reported so that a picture saved without its extension, or a file \
            that should not be there, does not go unnoticed. Named pipes, sockets and devices are \
            reported without being opened.
            """,
        fix: "Nothing, if the file is meant to be there; otherwise move it out of the dataset folder.",
        examples: [
            folder("A text file in a label folder", triggers: true, with(["cat/notes.txt": .text("tabby or not")]), entry: "cat/notes.txt"),
            folder("Only images", triggers: false, twoLabels),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for entry in folder.skipped(where: { if case .notAnImage = $0 { true } else { false } }) {
            guard case .notAnImage(let kind) = entry.skip else { continue }
            folder.report(definition, path: entry.path, details: [
                "kind": .string(kind),
                "reason": .string(kind == "file" ? "\(entry.path) is not an image file" : "\(entry.path) is a \(kind)"),
            ])
        }
    }
}

public struct FolderUnsupportedImage: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_UNSUPPORTED_IMAGE", severity: .warning, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "Image the service will not import",
        message: "The file is an image, but not one the service imports; it is not part of the dataset.",
        explanation: """
            The service imports PNG and JPEG images only. Preflight takes a file for an image to \
            import when its name ends in .png, .jpg or .jpeg (in any case), and judges its content \
            with every image check of `preflight check`. Any other file whose content is an image \
            (GIF, WebP, BMP, TIFF, HEIF, AVIF, or a PNG or JPEG under another extension such as \
            .jfif) is left out.
            """,
        fix: "Convert the image to PNG or JPEG and name it .png, .jpg or .jpeg.",
        examples: [
            folder("A GIF", triggers: true, with(["cat/c.gif": .fixture("gif-named.jpg")]), entry: "cat/c.gif"),
            folder("A WebP", triggers: true, with(["dog/d.webp": .fixture("webp-image.webp")]), entry: "dog/d.webp"),
            folder("A PNG named .jpg is imported (and checked as an image)", triggers: false,
                   with(["cat/c.jpg": .fixture("png-named.jpg")])),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for entry in folder.skipped(where: { if case .unsupportedImage = $0 { true } else { false } }) {
            guard case .unsupportedImage(let format) = entry.skip else { continue }
            let why = format.isAcceptedByService
                ? "\(format.article) \(format.displayName) image whose name does not end in .png, .jpg or .jpeg"
                : "\(format.article) \(format.displayName) image; only PNG and JPEG are imported"
            folder.report(definition, path: entry.path, details: [
                "format": .string(format.rawValue),
                "reason": .string("\(entry.path) is \(why)"),
            ])
        }
    }
}

public struct FolderHiddenEntry: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_HIDDEN_FILE", severity: .warning, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "Hidden file or folder",
        message: "The name starts with a dot: Preflight leaves it out, but an upload of the folder would include it.",
        explanation: """
            Files and folders whose names start with a dot (.DS_Store, .ipynb_checkpoints, .git) \
            are hidden on your disk but not on S3: `aws s3 sync` and the console upload them like \
            any other. A hidden folder directly in the dataset folder then becomes a label of its \
            own, and a hidden image joins its folder's label. Preflight leaves hidden entries out of \
            the check and out of the manifests it writes, and does not walk hidden folders.
            """,
        fix: "Delete the hidden entry, or keep it out of the upload (for example `aws s3 sync --exclude '.*' --exclude '*/.*'`).",
        examples: [
            folder("A notebook checkpoint folder beside the label folders", triggers: true,
                   with([".ipynb_checkpoints/a.jpg": .tagged("jpeg-baseline.jpg", tag: 3)]), entry: ".ipynb_checkpoints"),
            folder("A .DS_Store in a label folder", triggers: true, with(["cat/.DS_Store": .text("Bud1")]), entry: "cat/.DS_Store"),
            folder("No hidden names", triggers: false, twoLabels),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for entry in folder.skipped(where: { if case .hidden = $0 { true } else { false } }) {
            guard case .hidden(let isFolder) = entry.skip else { continue }
            let atTop = !entry.key.dropFirst(folder.listing.location.map { $0.count + 1 } ?? 0).contains("/")
            var reason = "\(entry.path) is a hidden \(isFolder ? "folder" : "file")"
            if isFolder && atTop { reason += "; uploaded, it would become a label" }
            folder.report(definition, path: entry.path, details: ["folder": .bool(isFolder), "reason": .string(reason)])
        }
    }
}

public struct FolderSymlinkLoop: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_SYMLINK_LOOP", severity: .warning, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "Symbolic link to a folder already walked",
        message: "A symbolic link leads to a folder that was already walked; it was not followed again.",
        explanation: """
            Preflight follows symbolic links as an upload would, but walks each folder once, \
            recognised by its device and inode. A link to one of its own parent folders would make \
            an endless tree; a second link to the same folder would import its images twice, under \
            two keys and possibly two labels. Either way the link is not followed.
            """,
        fix: "Remove the link, or copy the folder's images to where the link is if they belong there too.",
        examples: [
            folder("A link back to the dataset folder", triggers: true, with(["cat/again": .symlink("..")]), entry: "cat/again"),
            folder("A link to an image in another label folder", triggers: false, with(["dog/a.jpg": .symlink("../cat/a.jpg")])),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for entry in folder.skipped(where: { if case .symlinkLoop = $0 { true } else { false } }) {
            guard case .symlinkLoop(let target) = entry.skip else { continue }
            folder.report(definition, path: entry.path, details: [
                "target": .string(target),
                "reason": .string("\(entry.path) leads to \(target), a folder already walked"),
            ])
        }
    }
}

public struct FolderSymlinkOutside: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_SYMLINK_OUTSIDE", severity: .warning, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "Symbolic link out of the folder",
        message: "A symbolic link leads out of the dataset folder; Preflight does not follow it.",
        explanation: """
            Preflight reads nothing outside the folder it is given, as with --map and --root for \
            manifests. A link to a file or folder elsewhere is left out of the check and of the \
            manifests Preflight writes, though an upload that follows links would include what it \
            points to.
            """,
        fix: "Copy the linked images into the dataset folder, or check the folder they live in.",
        examples: [
            folder("A link to the file system's root", triggers: true, with(["cat/everything": .symlink("/")]), entry: "cat/everything"),
            folder("A link that stays inside", triggers: false, with(["dog/a.jpg": .symlink("../cat/a.jpg")])),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for entry in folder.skipped(where: { if case .symlinkOutside = $0 { true } else { false } }) {
            guard case .symlinkOutside(let target) = entry.skip else { continue }
            folder.report(definition, path: entry.path, details: [
                "target": .string(target),
                "reason": .string("\(entry.path) leads to \(target), outside \(folder.listing.folder)"),
            ])
        }
    }
}

public struct FolderUnreadable: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_UNREADABLE", severity: .warning, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "File or folder that cannot be read",
        message: "The entry could not be read, so it was not checked and is not part of the dataset.",
        explanation: """
            A folder without read permission, a symbolic link to nothing, a name that is not valid \
            UTF-8 (no S3 key can hold it), or a file that vanished while the folder was being \
            walked. What it holds is neither checked nor in the manifest Preflight writes; an \
            upload would most likely miss it too.
            """,
        fix: "Fix the permissions or the link, or check again once the folder has stopped changing.",
        examples: [
            folder("A link to a file that does not exist", triggers: true, with(["cat/gone.jpg": .symlink("missing.jpg")]), entry: "cat/gone.jpg"),
            folder("Every entry readable", triggers: false, twoLabels),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        for entry in folder.skipped(where: { if case .unreadable = $0 { true } else { false } }) {
            guard case .unreadable(let reason) = entry.skip else { continue }
            folder.report(definition, path: entry.path, details: ["reason": .string("\(entry.path): \(reason)")])
        }
    }
}

public struct FolderNestedLabels: FolderRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_FOLDER_NESTED_LABELS", severity: .info, scope: .folderEntry, effect: .none, origin: .preflight,
        title: "Subfolders inside a label folder",
        message: "Images in this label folder's subfolders take its label; a deeper --location would label them by subfolder.",
        explanation: """
            Only the direct child folders of the location become labels: \
            `echo-dot/white-echo-dot/a.png` is labelled `echo-dot`. Choosing the label folder as \
            the location instead (`--location echo-dot`) makes its subfolders the labels, leaves \
            the images directly in it unlabelled, and leaves everything outside it out. The finding \
            gives the labels that location would have, with their image counts.
            """,
        fix: "Nothing, if the subfolders only keep your images in order. If they are the labels you mean, check with --location LABEL-FOLDER and import from that folder.",
        examples: [
            folder("echo-dot holds white-echo-dot", triggers: true,
                   ["echo/a.jpg": .tagged("jpeg-baseline.jpg", tag: 1), "echo-dot/b.jpg": .tagged("jpeg-baseline.jpg", tag: 2),
                    "echo-dot/white-echo-dot/c.jpg": .tagged("jpeg-baseline.jpg", tag: 3)], entry: "echo-dot"),
            folder("Flat label folders", triggers: false, twoLabels),
        ])

    public static func check(_ folder: FolderEntryCheck) {
        let listing = folder.listing
        var byLabel: [String: [FolderListing.Image]] = [:]
        for image in listing.images { if let label = image.label { byLabel[label, default: []].append(image) } }
        for (label, images) in byLabel.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            var below: [String: Int] = [:]
            for image in images { if let sub = image.subfolder { below[sub, default: 0] += 1 } }
            guard !below.isEmpty else { continue }
            let direct = images.count - below.values.reduce(0, +)
            let location = listing.location.map { $0 + "/" + label } ?? label
            let ordered = below.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            var reason = "all \(images.count) images under \(label) are labelled \(label); with --location \(location) the labels would be "
                + ordered.map { "\($0.key) (\($0.value) image\($0.value == 1 ? "" : "s"))" }.joined(separator: ", ")
            if direct > 0 { reason += ", and the \(direct) image\(direct == 1 ? "" : "s") directly in \(label) would be unlabelled" }
            folder.report(definition, path: FolderListing.join(listing.folder, location), details: [
                "label": .string(label), "images": .number(JSONNumber(images.count)), "location": .string(location),
                "labels_at_location": .array(ordered.map { .object(["name": .string($0.key), "images": .number(JSONNumber($0.value))]) }),
                "unlabeled_at_location": .number(JSONNumber(direct)),
                "reason": .string(reason),
            ])
        }
    }
}
