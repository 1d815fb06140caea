import ArgumentParser
import ImageEngine
import PreflightKit
import PreflightStore

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Write the manifests a dataset needs: from a folder, merged, split, fixed or converted.",
        discussion: """
            Inputs are never changed, and naming an input as the output is refused. Every output \
            is written atomically (a temporary file, then a rename).

            Exit codes: 0 the output was written; 1 it was written, but the operation found \
            problems it reports (conflicting labels in merge, a label that cannot be on both sides \
            in split, errors fix cannot remove, parts convert could not convert, an empty manifest \
            from from-folder); 2 nothing was written (usage error, unreadable input, output not \
            writable).
            """,
        subcommands: [FromFolder.self, Merge.self, Split.self, Fix.self, Convert.self]
    )
}

/// Runs an operation: an `OperationError` means nothing was written (exit code 2).
private func perform<T>(_ body: () throws(OperationError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printToStandardError("preflight: \(error.description)")
        throw ExitCode(ExitStatus.couldNotRun)
    }
}

/// Prints the log; exits with 1 when it reports a problem.
private func finish(_ log: [LogLine], onStandardError: Bool = false) throws {
    let text = log.map { $0.text + "\n" }.joined()
    if onStandardError {
        writeToStandardError(text)
    } else {
        var out = StandardOutput()
        out.write(text)
        out.flush()
    }
    if log.contains(where: \.isProblem) { throw ExitCode(ExitStatus.findings) }
}

extension ManifestCommand {
    struct FromFolder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-folder",
            abstract: "Write the classification manifest the service would create for a folder-per-label tree.",
            discussion: """
                The label of an image is the name of the direct child folder of DIR (or of \
                DIR/SUBDIR with --location) that holds it, at any depth. Images directly in the \
                location have no label and are left out, as are hidden entries, files that are not \
                PNG or JPEG images, and links out of DIR or into a loop (`preflight check DIR` \
                reports each). Lines are in path order; `preflight check OUT --map S3-URI=DIR` then \
                sees what `preflight check DIR` sees. The manifest goes to standard output unless \
                -o is given; the summary goes to standard error.
                """
        )

        @Argument(help: "The folder whose child folders are the labels: a local folder, or one in S3 (s3://BUCKET/PREFIX/).")
        var folder: String

        @Option(name: .customLong("s3-uri"),
                help: ArgumentHelp("Where DIR is (or will be) uploaded (for a folder in S3: the folder itself, unless given).", valueName: "s3://BUCKET[/PREFIX]"))
        var s3URI: String?

        @Option(help: ArgumentHelp("Label by the child folders of DIR/SUBDIR instead.", valueName: "SUBDIR"))
        var location: String?

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the manifest to OUT.", valueName: "OUT"))
        var output: String?

        func validate() throws {
            if S3Access.names(folder) && !FolderWalker.isStoreFolder(folder) {
                throw ValidationError("\(folder): a folder in S3 is s3://BUCKET/PREFIX/, ending in /")
            }
            if s3URI == nil && !S3Access.names(folder) {
                throw ValidationError("--s3-uri s3://BUCKET[/PREFIX]: where the folder is (or will be) uploaded")
            }
        }

        func run() throws {
            let s3 = S3Access.names(folder) ? try S3Access.open() : nil
            defer { s3?.close() }
            let outcome = try perform { () throws(OperationError) in
                if let output { try OutputPlan(files: [("--output", output)], inputs: s3 == nil ? [folder] : []).approve(roles: []) }
                return try FromFolderOperation(folder: folder, s3URI: s3URI ?? folder, location: location, store: s3?.store).run()
            }
            if let output {
                do {
                    try AtomicFile.write(to: output) { sink in
                        for line in outcome.lines { sink.write(Array((line + "\n").utf8)) }
                    }
                } catch {
                    printToStandardError("preflight: \(error.description)")
                    throw ExitCode(ExitStatus.couldNotRun)
                }
            } else {
                var out = StandardOutput()
                for line in outcome.lines { out.write(line + "\n") }
                out.flush()
            }
            try finish(outcome.log, onStandardError: output == nil)
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge manifests into one, keeping the first line per image and reporting conflicting labels.",
            discussion: """
                Lines keep their order, manifest by manifest. A later line for an image already \
                kept (same source-ref) is dropped; when its labels differ, that is a conflict and \
                is reported (exit code 1). With --drop-duplicate-images (and --root or --map to \
                read the images), a line whose image has the same bytes as an image kept earlier \
                is dropped the same way. Blank lines are dropped.
                """
        )

        @Argument(help: "The manifests, in order of precedence.")
        var inputs: [String]

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The merged manifest.", valueName: "OUT"))
        var output: String

        @Flag(name: .customLong("drop-duplicate-images"), help: "Also drop lines whose image has the same bytes as an earlier line's (reads the images).")
        var dropDuplicateImages = false

        @OptionGroup var images: ImageLocationOptions

        func run() throws {
            let s3 = try S3Access.openIfNamed(inputs, imagesFromS3: images.imagesFromS3)
            defer { s3?.close() }
            let located = try inputs.map { try s3?.input($0, role: .training) ?? ManifestInput(path: $0, role: .training) }
            var operation = MergeOperation(inputs: located.map(\.path), output: output, dropDuplicateContent: dropDuplicateImages,
                                           options: images.checkOptions(mode: .header, s3: s3, manifestInS3: inputs.contains(where: S3Access.names)))
            operation.inputNames = Dictionary(located.map { ($0.path, $0.name) }, uniquingKeysWith: { first, _ in first })
            try finish(try perform { () throws(OperationError) in try operation.run() }.log)
        }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a manifest into training and test manifests, stratified by label.",
            discussion: """
                Each label with n images puts round(n × fraction) of them, at least 1 and at most \
                n − 1, in the test manifest, so that every label with two or more images is on \
                both sides. All lines of one image stay on one side (with --root or --map, so do \
                images with the same bytes). A label with one image stays in training and is \
                reported (exit code 1): the service's 20% auto-split would fail on it. The same \
                --seed gives the same split.
                """
        )

        @Argument(help: "The manifest to split.")
        var input: String

        @Option(name: .customLong("test-fraction"), help: "The share of each label's images that goes to the test manifest.")
        var testFraction: Double = ServiceLimits.autoSplitTestShare

        @Option(help: "Seed of the random placement.")
        var seed: UInt64 = 0

        @Option(name: [.short, .customLong("output")],
                help: ArgumentHelp("Give twice: the training manifest, then the test manifest.", valueName: "OUT"))
        var outputs: [String] = []

        @OptionGroup var images: ImageLocationOptions

        func validate() throws {
            if outputs.count != 2 { throw ValidationError("give -o twice: -o TRAIN.manifest -o TEST.manifest") }
            if !(testFraction > 0 && testFraction < 1) { throw ValidationError("--test-fraction must be between 0 and 1 (exclusive)") }
        }

        func run() throws {
            let s3 = try S3Access.openIfNamed([input], imagesFromS3: images.imagesFromS3)
            defer { s3?.close() }
            let located = try s3?.input(input, role: .training) ?? ManifestInput(path: input, role: .training)
            let operation = SplitOperation(input: located.path, trainingOutput: outputs[0], testOutput: outputs[1], testFraction: testFraction,
                                           seed: seed, options: images.checkOptions(mode: .header, s3: s3, manifestInS3: S3Access.names(input)))
            try finish(try perform { () throws(OperationError) in try operation.run() }.log)
        }
    }

    struct Fix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the manifest the service would actually use, and print what changed.",
            discussion: """
                Runs the whole check, then drops what the service would leave out: invalid and \
                ignored lines, invalid label attributes (with their metadata), invalid boxes (with \
                their confidence entries), and lines with an error no edit removes (a source-ref \
                that leaves its folder, so its image was never read). Where image_size differs \
                from the decoded image by one factor, every box is scaled by it; boxes drawn on \
                the picture as an EXIF orientation displays it are moved to the stored pixels \
                the service reads when --boxes-drawn-on says so. Then each image_size is set to \
                the decoded size, and the moved boxes are checked again. With --clip-boxes, a box \
                off the image is cut to the image instead of dropped. A line whose boxes cannot \
                be placed (the sides changed by different factors, boxes that fit neither frame, \
                an EXIF-turned image without --boxes-drawn-on) is written as it was and listed \
                as not fixed, as are errors no edit can remove (too few labels, a label too thin \
                for the auto-split, ...): exit code 1.
                """
        )

        @Argument(help: "The manifest to fix (never changed).")
        var input: String

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The fixed manifest.", valueName: "OUT"))
        var output: String

        @Flag(name: .customLong("clip-boxes"), help: "Cut boxes that run off the image to the image instead of dropping them.")
        var clipBoxes = false

        @Option(name: .customLong("boxes-drawn-on"),
                help: ArgumentHelp("On images an EXIF orientation turns, the frame the boxes were drawn on: displayed (moved to the stored pixels) or stored (kept).",
                                   valueName: "displayed|stored"))
        var boxesDrawnOn: FixOperation.BoxFrame?

        @Option(help: "full: check all image data, as a decoder reads it (finds corruption). header: read headers only (fast).")
        var mode: ProbeMode = .full

        @OptionGroup var images: ImageLocationOptions

        func run() throws {
            let s3 = try S3Access.openIfNamed([input], imagesFromS3: images.imagesFromS3)
            defer { s3?.close() }
            let located = try s3?.input(input, role: .training) ?? ManifestInput(path: input, role: .training)
            var operation = FixOperation(input: located.path, output: output, clipBoxes: clipBoxes, boxesDrawnOn: boxesDrawnOn,
                                         options: images.checkOptions(mode: mode, s3: s3, manifestInS3: S3Access.names(input)))
            operation.inputName = located.name
            try finish(try perform { () throws(OperationError) in try operation.run() }.log)
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert Ground Truth multi-label output or a COCO file into a manifest the service reads.",
            discussion: """
                --from sagemaker-multilabel: each multi-label attribute becomes one classification \
                attribute per label (K0, K1, ...), as the Rekognition guide's script does. \
                --from coco: one bounding-box line per COCO image, its file_name below --s3-uri. \
                Anything that cannot be converted is reported (exit code 1); the rest is written.
                """
        )

        @Option(name: .customLong("from"), help: "The input's format: sagemaker-multilabel or coco.")
        var source: ConvertOperation.Source

        @Argument(help: "The Ground Truth output manifest, or the COCO JSON file.")
        var input: String

        @Option(name: .customLong("s3-uri"), help: ArgumentHelp("For COCO: where the images are.", valueName: "s3://BUCKET[/PREFIX]"))
        var s3URI: String?

        @Option(name: .customLong("job-name"), help: "For COCO: the job-name written in the metadata.")
        var jobName: String?

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The converted manifest.", valueName: "OUT"))
        var output: String

        func validate() throws {
            if source == .coco && s3URI == nil { throw ValidationError("--from coco needs --s3-uri s3://BUCKET[/PREFIX]") }
        }

        func run() throws {
            let operation = ConvertOperation(source: source, input: input, output: output, s3URI: s3URI, jobName: jobName)
            try finish(try perform { () throws(OperationError) in try operation.run() }.log)
        }
    }
}

extension ConvertOperation.Source: ExpressibleByArgument {}
extension FixOperation.BoxFrame: ExpressibleByArgument {}
