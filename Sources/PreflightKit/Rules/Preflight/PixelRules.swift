import ImageEngine
import PreflightJSON

// Preflight's checks of what the pixels show, from the measures full mode takes of every
// intact image (`ImageMeasures`, on a grey picture about 256 pixels long). The service
// trains on all of these images; they teach the model little, or make its test score lie.
// Header mode reads no pixels, so none of these run there.

private func q(_ name: String) -> ExampleImage { .fixture("quality/" + name) }
private func line(_ name: String, _ label: String = "cat") -> String { ExampleLines.classification(name, label: label) }
private func number(_ value: Double) -> JSONValue { .number(JSONNumber(value)) }
private func shown(_ value: Double) -> String { QualityThresholds.format(value) }

/// The measures of a line the service uses, of an image not nearly uniform (a uniform
/// picture is reported as such, not also as dark, washed out or blurred).
private func measured(_ line: LineCheck) -> ImageMeasures? {
    guard line.isUsable, let measures = line.image?.measures,
          measures.information >= line.options.thresholds.minInformation else { return nil }
    return measures
}

public struct BlurryImage: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_BLURRY_IMAGE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Blurred image",
        message: "The image is blurred: even its sharpest edges are soft.",
        explanation: """
            The service asks for sharp images: a blurred one shows the model no edges or detail to \
            learn from, and a model trained on many learns to expect blur. Sharpness is measured on \
            a grey copy of the image about 256 pixels long: the strength of its sharpest edges (the \
            99.9th percentile of the Laplacian) over its contrast (the range from the 5th to the \
            95th percentile of luminance). A crisp edge scores about 1 and photographs 0.3 to 3; \
            fires under 0.1 (`--threshold min-sharpness=VALUE`). An image blurred by 0.6% of its \
            width or more falls below. Images too flat to judge (a range under 16 grey levels) are \
            not judged. Full mode only.
            """,
        fix: "Replace the image with a sharp one, or remove it; if blur is what the model will see in use, keep a few and say so.",
        examples: [
            .init("A photograph blurred by a radius of 1.25% of its width", triggers: true,
                  training: [line("a.jpg")], images: ["a.jpg": q("blur-6.jpg")], line: 1),
            .init("A sharp photograph", triggers: false, training: [line("a.jpg")], images: ["a.jpg": q("sharp.jpg")]),
            RuleExample("The blurred photograph with --threshold min-sharpness=0.02", triggers: false,
                        training: [line("a.jpg")], images: ["a.jpg": q("blur-6.jpg")]).withThreshold("min-sharpness=0.02"),
            RuleExample("The blurred photograph in header mode, which reads no pixels", triggers: false,
                        training: [line("a.jpg")], images: ["a.jpg": q("blur-6.jpg")]).headersOnly(),
        ])

    public static func check(_ line: LineCheck) {
        let limit = line.options.thresholds.minSharpness
        guard let measures = measured(line), let sharpness = measures.sharpness, sharpness < limit else { return }
        line.report(definition, details: [
            "sharpness": number(sharpness),
            "threshold": number(limit),
            "reason": .string("sharpness \(shown(sharpness)), under \(shown(limit))"),
        ])
    }
}

public struct DarkImage: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_DARK_IMAGE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Too dark",
        message: "The image is too dark: even its brightest parts are dark.",
        explanation: """
            The service asks for well-lit images: in a picture this dark, the object's shape and \
            colour are lost in the noise. Measured on a grey copy of the image: its highlights, the \
            luminance (0 black to 255 white) that 99% of the picture is at or below. Fires when the \
            highlights are under 60 (`--threshold dark-highlights=VALUE`): a photograph exposed a \
            quarter as long, or less. A dim but usable picture (half the light) is not flagged. \
            Full mode only.
            """,
        fix: "Replace the image with a better-lit one, or brighten it (raise exposure, not just contrast) before labelling.",
        examples: [
            .init("A photograph at 12% of its brightness", triggers: true,
                  training: [line("a.jpg")], images: ["a.jpg": q("dark.jpg")], line: 1),
            .init("A photograph at half its brightness", triggers: false, training: [line("a.jpg")], images: ["a.jpg": q("dim.jpg")]),
            RuleExample("The dark photograph with --threshold dark-highlights=20", triggers: false,
                        training: [line("a.jpg")], images: ["a.jpg": q("dark.jpg")]).withThreshold("dark-highlights=20"),
        ])

    public static func check(_ line: LineCheck) {
        let limit = line.options.thresholds.darkHighlights
        guard let measures = measured(line), measures.highlights < limit else { return }
        line.report(definition, details: [
            "highlights": number(measures.highlights),
            "brightness": number(measures.brightness),
            "threshold": number(limit),
            "reason": .string("99% of the image is at luminance \(shown(measures.highlights)) or below (0 to 255), under \(shown(limit))"),
        ])
    }
}

public struct BrightImage: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_BRIGHT_IMAGE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Washed out",
        message: "The image is washed out: even its darkest parts are pale.",
        explanation: """
            An overexposed or hazy picture has lost its contrast: shapes and colours fade into the \
            white. Measured on a grey copy of the image: its shadows, the luminance (0 black to 255 \
            white) that 95% of the picture is at or above. Fires when the shadows are at 180 or \
            more (`--threshold bright-shadows=VALUE`). A bright scene with some dark parts (a \
            product on white with its shadow and outline) is not flagged. Full mode only.
            """,
        fix: "Replace the image with a properly exposed one, or remove it.",
        examples: [
            .init("A photograph washed out to a quarter of its contrast", triggers: true,
                  training: [line("a.jpg")], images: ["a.jpg": q("washed-out.jpg")], line: 1),
            .init("A bright photograph", triggers: false, training: [line("a.jpg")], images: ["a.jpg": q("scene-a-brighter.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        let limit = line.options.thresholds.brightShadows
        guard let measures = measured(line), measures.shadows >= limit else { return }
        line.report(definition, details: [
            "shadows": number(measures.shadows),
            "brightness": number(measures.brightness),
            "threshold": number(limit),
            "reason": .string("95% of the image is at luminance \(shown(measures.shadows)) or above (0 to 255), not under \(shown(limit))"),
        ])
    }
}

public struct LowInformationImage: LineRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_LOW_INFORMATION_IMAGE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Nearly uniform image",
        message: "The image is nearly uniform: it shows almost nothing.",
        explanation: """
            A black frame, a blank wall, a lens cap, a picture of the sky: nearly one colour, with \
            nothing for the label to name. Such images usually come from a camera or an export \
            that failed. Measured on a grey copy of the image: the information of its luminance \
            (the entropy of its histogram, 0 to 8 bits). Fires under 2.5 bits \
            (`--threshold min-information=VALUE`); well-exposed photographs carry 6 to 8. Such an image is not \
            also reported as dark, washed out, blurred or a near-duplicate. Full mode only.
            """,
        fix: "Remove the image, or replace it with the picture that was meant.",
        examples: [
            .init("Flat grey with faint noise", triggers: true, training: [line("a.jpg")], images: ["a.jpg": q("uniform.jpg")], line: 1),
            .init("A photograph", triggers: false, training: [line("a.jpg")], images: ["a.jpg": q("scene-b.jpg")]),
        ])

    public static func check(_ line: LineCheck) {
        let limit = line.options.thresholds.minInformation
        guard line.isUsable, let measures = line.image?.measures, measures.information < limit else { return }
        line.report(definition, details: [
            "information": number(measures.information),
            "threshold": number(limit),
            "reason": .string("\(shown(measures.information)) bits of information, under \(shown(limit))"),
        ])
    }
}

private let sceneA = ["a.jpg": q("scene-a.jpg")]

public struct NearDuplicateImage: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_NEAR_DUPLICATE_IMAGE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Same picture twice in a dataset",
        message: "This line's image is nearly the same picture as an earlier line's.",
        explanation: """
            A picture resized, re-encoded, brightened or cropped a little is still the same picture: \
            it weighs that scene twice, and when the copies' labels differ, they contradict each \
            other. Found from a perceptual hash of each image (a 64-bit DCT hash of a 32 x 32 grey \
            copy, less any uniform border, turned upright by its EXIF orientation): two images \
            whose hashes differ in at most 10 bits (`--threshold near-duplicate-distance=VALUE`) \
            and whose low frequencies agree closely are one picture. Mirror images and other \
            photographs of the same scene are not. Each image is compared with the first image of \
            every group found so far, through an index, so that the check stays fast at the \
            service's 250,000 images. Copies with the same bytes are `PREFLIGHT_DUPLICATE_IMAGE` \
            instead. Reported on the later line. Full mode only.
            """,
        fix: "Remove the later line, or keep one copy of the picture with the right labels.",
        examples: [
            .init("A photograph and its half-size copy", triggers: true, training: [line("a.jpg"), line("b.jpg")],
                  images: sceneA.merging(["b.jpg": q("scene-a-half.jpg")]) { a, _ in a }, line: 2),
            .init("A photograph and a copy re-encoded at JPEG quality 40", triggers: true, training: [line("a.jpg"), line("b.jpg")],
                  images: sceneA.merging(["b.jpg": q("scene-a-q40.jpg")]) { a, _ in a }, line: 2),
            .init("A photograph and a copy cropped by 4% on each side", triggers: true, training: [line("a.jpg"), line("b.jpg", "dog")],
                  images: sceneA.merging(["b.jpg": q("scene-a-crop.jpg")]) { a, _ in a }, line: 2),
            .init("A photograph and a copy framed in a grey border", triggers: true, training: [line("a.jpg"), line("b.jpg")],
                  images: sceneA.merging(["b.jpg": q("scene-a-border.jpg")]) { a, _ in a }, line: 2),
            .init("A JPEG and the PNG it was made from", triggers: true, training: [line("a.jpg"), line("b.png")],
                  images: sceneA.merging(["b.png": q("scene-a.png")]) { a, _ in a }, line: 2),
            .init("A photograph and its mirror image", triggers: false, training: [line("a.jpg"), line("b.jpg")],
                  images: sceneA.merging(["b.jpg": q("scene-a-mirrored.jpg")]) { a, _ in a }),
            .init("Two photographs of a similar scene", triggers: false, training: [line("a.jpg"), line("b.jpg")],
                  images: sceneA.merging(["b.jpg": q("scene-a-similar.jpg")]) { a, _ in a }),
            RuleExample("The cropped copy with --threshold near-duplicate-distance=2", triggers: false,
                        training: [line("a.jpg"), line("b.jpg")],
                        images: sceneA.merging(["b.jpg": q("scene-a-crop.jpg")]) { a, _ in a })
                .withThreshold("near-duplicate-distance=2"),
            RuleExample("The half-size copy in header mode, which reads no pixels", triggers: false,
                        training: [line("a.jpg"), line("b.jpg")],
                        images: sceneA.merging(["b.jpg": q("scene-a-half.jpg")]) { a, _ in a }).headersOnly(),
        ])

    public static func check(_ dataset: DatasetCheck) {
        for match in dataset.contentGroups.nearDuplicates where match.role == dataset.stats.role && match.firstRole == match.role {
            dataset.report(definition, line: match.line, sourceRef: match.sourceRef, image: match.path, details: [
                "first_line": .number(JSONNumber(match.firstLine)),
                "first_image": .string(match.firstPath),
                "distance": .number(JSONNumber(match.distance)),
                "reason": .string("nearly the same picture as the image of line \(match.firstLine) (hashes \(match.distance) bits apart)"),
            ])
        }
    }
}

public struct TrainTestNearDuplicate: DatasetRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE", severity: .warning, scope: .line, effect: .none, origin: .preflight,
        title: "Test image nearly the same as a training image",
        message: "This test image is nearly the same picture as a training image.",
        explanation: """
            A resized, re-encoded, brightened or slightly cropped copy of a training picture in the \
            test set is tested on what the model was trained on: the test score comes out higher \
            than the model deserves, and it ships worse than measured. Found as \
            `PREFLIGHT_NEAR_DUPLICATE_IMAGE` finds copies (perceptual hashes at most 10 bits \
            apart, `--threshold near-duplicate-distance=VALUE`), across the two manifests; a test \
            image is compared with the training images first. Byte-identical copies are \
            `PREFLIGHT_TRAIN_TEST_OVERLAP` instead. Reported on the test line. Full mode only.
            """,
        fix: "Remove the copy from the test set (or from training), so that the test set holds only pictures the model has not seen.",
        examples: [
            .init("A training photograph re-encoded into the test set", triggers: true,
                  training: [line("a.jpg"), line("b.jpg", "dog")], test: [line("t1.jpg"), line("t2.jpg", "dog")],
                  images: ["a.jpg": q("scene-a.jpg"), "b.jpg": q("scene-b.jpg"), "t1.jpg": q("scene-c.jpg"), "t2.jpg": q("scene-a-q40.jpg")],
                  line: 2, inTest: true),
            .init("A mirror image of a training photograph in the test set", triggers: false,
                  training: [line("a.jpg"), line("b.jpg", "dog")], test: [line("t1.jpg"), line("t2.jpg", "dog")],
                  images: ["a.jpg": q("scene-a.jpg"), "b.jpg": q("scene-b.jpg"), "t1.jpg": q("scene-c.jpg"), "t2.jpg": q("scene-a-mirrored.jpg")]),
        ])

    public static func check(_ dataset: DatasetCheck) {
        guard dataset.stats.role == .testing else { return }
        for match in dataset.contentGroups.nearDuplicates where match.role == .testing && match.firstRole == .training {
            dataset.report(definition, line: match.line, sourceRef: match.sourceRef, image: match.path, details: [
                "training_line": .number(JSONNumber(match.firstLine)),
                "training_image": .string(match.firstPath),
                "distance": .number(JSONNumber(match.distance)),
                "reason": .string("nearly the same picture as the image of training line \(match.firstLine) (hashes \(match.distance) bits apart)"),
            ])
        }
    }
}
