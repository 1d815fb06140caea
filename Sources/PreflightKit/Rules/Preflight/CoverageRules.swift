import ImageEngine
import PreflightJSON

// What Preflight could not check, said where it happened: a report never claims more
// than was examined.

private let classification = ExampleLines.classification("a.png", label: "cat")

public struct ImageNotDecoded: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_IMAGE_NOT_DECODED", severity: .info, scope: .line, effect: .none, origin: .preflight,
        title: "Image data not checked",
        message: "This image's data was not checked: it was not decoded.",
        explanation: "In full mode every PNG and JPEG is decoded to prove its data intact, except an image whose header declares more pixels than `--max-pixels` (100,000,000 by default), or whose file is larger than the decoding limit: decoding it could take more memory or time than a check should. Its header facts (format, size, orientation) are still checked; corruption in its data is not. Reported on usable lines (a line the service leaves out for another reason needs no word on it); the summary counts every such image apart from those checked.",
        fix: "Raise `--max-pixels` if the image is meant to be that large (the service refuses sides over 4096 pixels anyway), or shrink the image.",
        examples: [
            RuleExample("A 2560 x 1440 PNG checked with --max-pixels 1000000", triggers: true, training: [classification],
                        images: ["a.png": .fixture("png-2560x1440.png")], line: 1).withMaxPixels(1_000_000),
            .init("A PNG whose header declares 100000 x 100000 pixels: refused by the service anyway", triggers: false,
                  training: [classification], images: ["a.png": .fixture("png-huge-header.png")]),
            .init("A PNG within the limit", triggers: false, training: [classification], images: ["a.png": .fixture("png-rgb8.png")]),
            .init("Header mode, which decodes nothing and says so in the summary", triggers: false, training: [classification],
                  images: ["a.png": .fixture("png-huge-header.png")]).headersOnly(),
        ])

    public static func check(_ line: LineCheck) {
        // A line the service leaves out anyway (an image it refuses, say) needs no word on it.
        guard line.options.mode == .full, !line.isInvalid, let image = line.image, image.isUndecoded else { return }
        let problem = image.problems.first { $0.code == .tooManyPixels || $0.code == .tooLargeToDecode }
        line.report(definition, details: [
            "reason": .string(problem?.message ?? "not decoded"),
        ])
    }
}

public struct ImageAccessDenied: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_IMAGE_ACCESS_DENIED", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Image not readable with these credentials",
        message: "The store refused this image to the credentials Preflight ran with: the image was not checked.",
        explanation: "Reading the image from S3 was denied (HTTP 403 AccessDenied) to the identity Preflight's credentials belong to. The service reads the images with the permissions of whoever starts the training, which may differ, so this is not the service's own error: the line is judged on its text alone, and nothing about the image (format, size, dimensions, data) was checked. The summary counts it among the images that could not be read.",
        fix: "Run Preflight with credentials that may read the bucket (`s3:GetObject` on the objects, `s3:ListBucket` on the bucket for cached re-runs), or check that the identity the service runs as can read them.",
        examples: [
            RuleExample("An object whose policy denies reading", triggers: true, training: [classification],
                        images: ["a.png": .denied("png-rgb8.png")], line: 1).readFromStore(),
            .init("A readable object", triggers: false, training: [classification],
                  images: ["a.png": .fixture("png-rgb8.png")]).readFromStore(),
            .init("A missing object: the service's own error, not this one", triggers: false, training: [classification]).readFromStore(),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, let denied = image.problems.first(where: { $0.code == .accessDenied }) else { return }
        line.report(definition, details: ["reason": .string(denied.message)])
    }
}

public struct ImageUnavailable: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_IMAGE_UNAVAILABLE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Image not delivered by the store",
        message: "The store did not deliver this image, after every retry: the image was not checked.",
        explanation: "Reading the image from S3 failed for a reason that says nothing about the image: still throttled (503 SlowDown) or timed out after every retry with backoff, a connection that kept dropping, or an answer S3 should not give. Nothing about the image (format, size, dimensions, data) is known, so the line is judged on its text alone; the summary counts the image among those that could not be read. It is not the service's `ERROR_INVALID_IMAGE`: the image may well be fine.",
        fix: "Run the check again (a cached re-run reads only the images not yet examined); with many such images, lower `--s3-requests` or check the endpoint and the network.",
        examples: [
            RuleExample("An object the store cannot deliver (its file is a link to itself)", triggers: true, training: [classification],
                        images: ["a.png": .symlink("a.png")], line: 1).readFromStore(),
            .init("A readable object", triggers: false, training: [classification],
                  images: ["a.png": .fixture("png-rgb8.png")]).readFromStore(),
            .init("A missing object: the service's own error, not this one", triggers: false, training: [classification]).readFromStore(),
        ])

    public static func check(_ line: LineCheck) {
        guard let image = line.image, let problem = image.problems.first(where: { $0.code == .unavailable }) else { return }
        line.report(definition, details: ["reason": .string(problem.message)])
    }
}

extension ImageFacts {
    /// A PNG or JPEG that full mode read but did not decode (over a decoding limit).
    var isUndecoded: Bool {
        mode == .full && integrity == .notChecked && format?.isAcceptedByService == true
    }
}
