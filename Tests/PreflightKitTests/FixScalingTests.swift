import Foundation
import ImageEngine
import PreflightJSON
import PreflightTestSupport
import Testing
@testable import PreflightKit

/// The shapes of jpeg-640x480.jpg (Fixtures/images/README.md) as (class, top, left, width, height).
private let shapes: [ExampleLines.Box] = [(0, 48, 64, 192, 192), (1, 96, 352, 160, 160), (2, 288, 192, 224, 160)]
private let classMap = [0: "circle", 1: "square", 2: "triangle"]

/// The shapes as the picture EXIF orientation 6 shows them (stored 640 x 480, displayed 480 x 640).
private let shapesDisplayedBy6: [ExampleLines.Box] = shapes.map { box in
    let shown = EXIFPixels.displayedBox(ofStored: (Int(box.left), Int(box.top), Int(box.width), Int(box.height)),
                                        storedWidth: 640, storedHeight: 480, orientation: 6)
    return (box.classID, Double(shown.top), Double(shown.left), Double(shown.width), Double(shown.height))
}

private func boxes(_ line: String, attribute: String = "bounding-box") throws -> [[Double]] {
    try (JSONParser.parse(line)[attribute]?["annotations"]?.arrayValue ?? []).map { box in
        ["left", "top", "width", "height"].map { box[$0]?.numberValue?.double ?? .nan }
    }
}

private func imageSize(_ line: String) throws -> [Int64] {
    let size = try JSONParser.parse(line)["bounding-box"]?["image_size"]?.arrayValue?.first
    return [size?["width"]?.numberValue?.int64 ?? -1, size?["height"]?.numberValue?.int64 ?? -1]
}

/// Errors the check reports on lines (one-line manifests also have dataset errors: too few images to split).
private func lineErrors(_ result: CheckResult) -> [String] {
    errors(result).filter { !$0.hasSuffix("@-") }
}

/// Problems the fix reports on lines.
private func lineProblems(_ outcome: FixOperation.Outcome) -> [String] {
    outcome.log.filter { $0.isProblem && $0.text.hasPrefix("not fixed, line") }.map(\.text)
}

private func options(_ tree: TemporaryTree) -> CheckOptions {
    var options = CheckOptions()
    options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(tree.path("images"))")!])
    return options
}

/// Runs fix on `manifest` and checks its output with the same map; returns the outcome and, per
/// input line, the line-scoped errors the check of the output reports on it.
func fixThenCheck(_ manifest: String, map: String, drawnOn: FixOperation.BoxFrame? = nil, clipBoxes: Bool = false)
    throws -> (outcome: FixOperation.Outcome, errors: [Int: [String]]) {
    let folder = try makeTemporaryFolder("fix-property")
    defer { try? FileManager.default.removeItem(at: folder) }
    var options = CheckOptions()
    options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping(map)!])
    let output = folder.appendingPathComponent("fixed.manifest").path
    let outcome = try FixOperation(input: manifest, output: output, clipBoxes: clipBoxes, boxesDrawnOn: drawnOn, options: options).run()
    let result = CheckEngine(options: options).run([ManifestInput(path: output, role: .training)])
    // Output line n is the n-th input line that was not dropped.
    let dropped = Set(outcome.changes.filter { $0.kind == .lineDropped }.map(\.line))
    let kept = (1...outcome.linesIn).filter { !dropped.contains($0) }
    var errors: [Int: [String]] = [:]
    for finding in result.findings where finding.severity == .error {
        guard let line = finding.line else { continue }
        errors[kept[line - 1], default: []].append(finding.code)
    }
    return (outcome, errors)
}

@Suite("Fix: boxes follow the image they are on")
struct FixScalingTests {
    @Test func everyBoxIsScaledByTheFactorTheImageWasResizedBy() throws {
        let tree = try TemporaryTree(["images/a.jpg": .fixture("jpeg-640x480-half.jpg")])
        let input = try tree.write("in.manifest", lines: [ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: shapes, classMap: classMap)])
        let outcome = try FixOperation(input: input, output: tree.path("out.manifest"), options: options(tree)).run()

        #expect(outcome.changes.map(\.description) == ["line 1: 3 boxes of bounding-box scaled by 0.5 to the decoded 320 x 240; image_size set"])
        #expect(outcome.count(.boxesScaled) == 3 && outcome.count(.boxDropped) == 0)
        #expect(lineProblems(outcome).isEmpty)
        let line = try tree.lines("out.manifest")[0]
        // The half-size picture's shapes are the full-size ones exactly halved.
        #expect(try boxes(line) == shapes.map { [$0.left / 2, $0.top / 2, $0.width / 2, $0.height / 2] })
        #expect(try imageSize(line) == [320, 240])
        #expect(try JSONParser.parse(line)["bounding-box-metadata"]?["objects"]?.arrayValue?.count == 3)
        let result = check(tree.path("out.manifest"), images: tree.path("images"))
        #expect(lineErrors(result) == [])
        #expect(!result.findings.contains { $0.code == ImageSizeMismatch.definition.code })
    }

    @Test func scaledEdgesAreRoundedToWholePixelsAndStayOnTheImage() throws {
        let tree = try TemporaryTree(["images/a.jpg": .fixture("jpeg-640x480-half.jpg")])
        // Odd edges halve to .5; the second box ends on the right and bottom edges.
        let input = try tree.write("in.manifest", lines: [
            ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: [(0, 21, 33, 101, 51), (0, 401, 601, 39, 79)], classMap: classMap),
        ])
        _ = try FixOperation(input: input, output: tree.path("out.manifest"), options: options(tree)).run()
        let line = try tree.lines("out.manifest")[0]
        // left 16.5 → 17, right 67; top 10.5 → 11, bottom 36. left 300.5 → 301, right 320; top 200.5 → 201, bottom 240.
        #expect(try boxes(line) == [[17, 11, 50, 25], [301, 201, 19, 39]])
        let annotations = try #require(JSONParser.parse(line)["bounding-box"]?["annotations"]?.arrayValue)
        #expect(annotations.allSatisfy { box in ["left", "top", "width", "height"].allSatisfy { box[$0]?.numberValue?.isInteger == true } },
                "box values are written as whole numbers")
        #expect(lineErrors(check(tree.path("out.manifest"), images: tree.path("images"))) == [])
    }

    @Test func boxesAlreadyOnTheLargerFileKeepTheirPlace() throws {
        let tree = try TemporaryTree(["images/a.jpg": .fixture("jpeg-640x480.jpg")])
        let input = try tree.write("in.manifest", lines: [ExampleLines.detection("a.jpg", width: 320, height: 240, boxes: shapes, classMap: classMap)])
        let outcome = try FixOperation(input: input, output: tree.path("out.manifest"), options: options(tree)).run()
        #expect(outcome.changes.map(\.kind) == [.imageSizeSet])
        let line = try tree.lines("out.manifest")[0]
        #expect(try boxes(line) == shapes.map { [$0.left, $0.top, $0.width, $0.height] })
        #expect(try imageSize(line) == [640, 480])
    }

    @Test func linesNoScalingPlacesAreWrittenAsTheyWereAndReported() throws {
        let tree = try TemporaryTree([
            "images/a.jpg": .fixture("jpeg-baseline.jpg"), "images/b.jpg": .fixture("jpeg-640x480-half.jpg"),
            "images/c.jpg": .tagged("jpeg-640x480-half.jpg", tag: 1),
        ])
        let lines = [
            // 96 x 72 labelled as 192 x 96: the sides changed by 0.5 and 0.75.
            ExampleLines.detection("a.jpg", width: 192, height: 96, boxes: [(0, 10, 20, 150, 60)], classMap: classMap),
            // 320 x 240 labelled as 640 x 480, one box past both frames.
            ExampleLines.detection("b.jpg", width: 640, height: 480, boxes: [(0, 48, 64, 192, 192), (1, 96, 600, 100, 160)], classMap: classMap),
            ExampleLines.detection("c.jpg", width: 640, height: 480, boxes: shapes, classMap: classMap),
        ]
        let input = try tree.write("in.manifest", lines: lines)
        let outcome = try FixOperation(input: input, output: tree.path("out.manifest"), options: options(tree)).run()

        #expect(outcome.notFixed.map(\.line) == [1, 2])
        #expect(outcome.notFixed.first?.reason.contains("image_size says 192 x 96, the decoded image is 96 x 72: the sides changed by different factors (0.5 and 0.75)") == true)
        #expect(outcome.notFixed.last?.reason.contains("the boxes fit neither") == true)
        #expect(lineProblems(outcome).count == 2 && lineProblems(outcome).allSatisfy { $0.contains("(written as it was)") })
        let written = try tree.lines("out.manifest")
        try #require(written.count == 3)
        #expect(Array(written[0...1]) == Array(lines[0...1]), "lines not fixed are copied byte for byte")
        #expect(outcome.changes.map(\.line) == [3])
        #expect(try boxes(written[2]) == shapes.map { [$0.left / 2, $0.top / 2, $0.width / 2, $0.height / 2] })
    }

    @Test func boxesOnAnEXIFTurnedImageMoveOnlyOnceTheirFrameIsStated() throws {
        let tree = try TemporaryTree(["images/r.jpg": .fixture("jpeg-exif-orientation-6-640x480.jpg")])
        let line = ExampleLines.detection("r.jpg", width: 480, height: 640, boxes: shapesDisplayedBy6, classMap: classMap)
        let input = try tree.write("in.manifest", lines: [line])

        let undecided = try FixOperation(input: input, output: tree.path("undecided.manifest"), options: options(tree)).run()
        #expect(undecided.notFixed.count == 1)
        #expect(undecided.notFixed.first?.reason.contains("--boxes-drawn-on displayed or --boxes-drawn-on stored") == true)
        #expect(undecided.notFixed.first?.reason.contains("they fit the displayed picture only") == true)
        #expect(lineProblems(undecided).count == 1)
        #expect(try tree.lines("undecided.manifest") == [line])

        let displayed = try FixOperation(input: input, output: tree.path("displayed.manifest"), boxesDrawnOn: .displayed, options: options(tree)).run()
        #expect(displayed.notFixed.isEmpty && lineProblems(displayed).isEmpty)
        #expect(displayed.changes.map(\.description) == [
            "line 1: 3 boxes of bounding-box moved from the 480 x 640 picture as displayed (EXIF orientation 6: rotated 90° clockwise) "
                + "to the stored 640 x 480 pixels the service reads; image_size set",
        ])
        let moved = try tree.lines("displayed.manifest")[0]
        #expect(try boxes(moved) == shapes.map { [$0.left, $0.top, $0.width, $0.height] })
        #expect(try imageSize(moved) == [640, 480])
        #expect(lineErrors(check(tree.path("displayed.manifest"), images: tree.path("images"))) == [])

        // Drawn on the stored pixels: the boxes stay, and the one off them (the square, to y = 512) goes.
        let stored = try FixOperation(input: input, output: tree.path("stored.manifest"), boxesDrawnOn: .stored, options: options(tree)).run()
        #expect(stored.changes.map(\.kind) == [.boxDropped, .imageSizeSet])
        let kept = try tree.lines("stored.manifest")[0]
        #expect(try boxes(kept) == [shapesDisplayedBy6[0], shapesDisplayedBy6[2]].map { [$0.left, $0.top, $0.width, $0.height] })
        #expect(try imageSize(kept) == [640, 480])
    }

    @Test func boxesOnAHalvedTurnedImageAreScaledThenMoved() throws {
        let tree = try TemporaryTree(["images/r.jpg": .fixture("jpeg-exif-orientation-6-640x480.jpg")])
        // Labelled on the displayed picture at half size (240 x 320).
        let half = shapesDisplayedBy6.map { ($0.classID, $0.top / 2, $0.left / 2, $0.width / 2, $0.height / 2) }
        let input = try tree.write("in.manifest", lines: [ExampleLines.detection("r.jpg", width: 240, height: 320, boxes: half, classMap: classMap)])
        let outcome = try FixOperation(input: input, output: tree.path("out.manifest"), boxesDrawnOn: .displayed, options: options(tree)).run()
        #expect(outcome.changes.first?.text.contains("scaled by 2 to the displayed 480 x 640 and moved from the 480 x 640 picture as displayed") == true)
        #expect(try boxes(try tree.lines("out.manifest")[0]) == shapes.map { [$0.left, $0.top, $0.width, $0.height] })
    }

    @Test(arguments: 1...8)
    func everyOrientationMovesABoxAsAViewerMovesThePixels(orientation: Int) throws {
        let (width, height) = (13, 7)
        let shown = EXIFPixels.displayedSize(storedWidth: width, storedHeight: height, orientation: orientation)
        let transform = FixOperation.BoxTransform(scaleX: 1, scaleY: 1, orientation: EXIFOrientation(rawValue: orientation)!,
                                     declared: FixOperation.FrameSize(width: shown.width, height: shown.height),
                                     drawn: FixOperation.FrameSize(width: shown.width, height: shown.height),
                                     stored: FixOperation.FrameSize(width: width, height: height), boxes: 1)
        // Every box of the displayed picture, in whole pixels.
        for top in 0..<shown.height {
            for left in 0..<shown.width {
                for boxHeight in 1...(shown.height - top) {
                    for boxWidth in 1...(shown.width - left) {
                        let expected = EXIFPixels.storedBox(ofDisplayed: (left, top, boxWidth, boxHeight), storedWidth: width, storedHeight: height,
                                                            orientation: orientation)
                        let moved = try #require(transform.apply(left: Double(left), top: Double(top), width: Double(boxWidth), height: Double(boxHeight)))
                        #expect([moved.left, moved.top, moved.width, moved.height] == [expected.left, expected.top, expected.width, expected.height].map(Double.init),
                                "orientation \(orientation), displayed box \(left), \(top), \(boxWidth), \(boxHeight)")
                    }
                }
            }
        }
    }

    @Test func movedBoxesStillOffTheImageAreDroppedOrClipped() throws {
        let tree = try TemporaryTree(["images/r.jpg": .fixture("jpeg-exif-orientation-6-640x480.jpg")])
        // Runs 20 pixels past the right edge of the displayed picture: past the top of the stored one.
        let input = try tree.write("in.manifest", lines: [
            ExampleLines.detection("r.jpg", width: 480, height: 640, boxes: [shapesDisplayedBy6[0], (1, 10, 400, 100, 50)], classMap: classMap),
        ])
        let dropped = try FixOperation(input: input, output: tree.path("dropped.manifest"), boxesDrawnOn: .displayed, options: options(tree)).run()
        #expect(dropped.changes.map(\.kind) == [.boxesMoved, .boxDropped])
        #expect(try boxes(try tree.lines("dropped.manifest")[0]) == [[64, 48, 192, 192]])

        let clipped = try FixOperation(input: input, output: tree.path("clipped.manifest"), clipBoxes: true, boxesDrawnOn: .displayed,
                                       options: options(tree)).run()
        #expect(clipped.changes.map(\.kind) == [.boxesMoved, .boxClipped])
        // Stored: x from 10 to 60, y from 480 - 500 = -20 to 80; cut at y = 0.
        #expect(try boxes(try tree.lines("clipped.manifest")[0]) == [[64, 48, 192, 192], [10, 0, 50, 80]])
        #expect(lineErrors(check(tree.path("clipped.manifest"), images: tree.path("images"))) == [])
    }

    @Test func aLineWhoseImageIsNeverReadIsDropped() throws {
        let tree = try TemporaryTree(["images/a.jpg": .fixture("jpeg-640x480.jpg"), "images/b.jpg": .tagged("jpeg-640x480.jpg", tag: 1)])
        let input = try tree.write("in.manifest", lines: [
            ExampleLines.detection("a.jpg", width: 640, height: 480, boxes: shapes, classMap: classMap),
            ExampleLines.detection("../images/b.jpg", width: 640, height: 480, boxes: shapes, classMap: classMap),
        ])
        #expect(lineErrors(check(input, images: tree.path("images"))) == ["PREFLIGHT_SOURCE_REF_ESCAPES_ROOT@2"])
        let outcome = try FixOperation(input: input, output: tree.path("out.manifest"), options: options(tree)).run()
        #expect(outcome.changes.map(\.description) == [
            "line 2: dropped (PREFLIGHT_SOURCE_REF_ESCAPES_ROOT: the key contains a '..' path component): its image was never read, so nothing vouches for the line",
        ])
        #expect(outcome.remaining.allSatisfy { $0.line == nil } && lineProblems(outcome).isEmpty)
        #expect(try tree.lines("out.manifest").count == 1)
        #expect(lineErrors(check(tree.path("out.manifest"), images: tree.path("images"))) == [])
    }

    /// After fix, the check of the output finds no error on any line but those listed as not fixed.
    @Test(arguments: [("example/train.manifest", nil), ("example/test.manifest", nil),
                      ("fix/resized.manifest", nil), ("fix/resized.manifest", FixOperation.BoxFrame.displayed),
                      ("fix/resized.manifest", FixOperation.BoxFrame.stored)] as [(String, FixOperation.BoxFrame?)])
    func aFixedManifestHoldsNoLineWithAnError(manifest: String, drawnOn: FixOperation.BoxFrame?) throws {
        let root = KitFixtures.root.path
        let map = manifest.hasPrefix("fix/") ? "s3://fix-bucket=\(root)/images" : "s3://example-bucket=\(root)/example"
        let path = "\(root)/\(manifest)"
        let before = CheckEngine(options: { var o = CheckOptions(); o.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping(map)!]); return o }())
            .run([ManifestInput(path: path, role: .training)]).findings.filter { $0.severity == .error && $0.line != nil }
        #expect(!before.isEmpty, "the input has line errors to fix")

        for clip in [false, true] {
            let (outcome, errors) = try fixThenCheck(path, map: map, drawnOn: drawnOn, clipBoxes: clip)
            let notFixed = Set(outcome.notFixed.map(\.line))
            #expect(Set(errors.keys).isSubset(of: notFixed), "\(manifest) --clip-boxes \(clip): \(errors)")
            if manifest.hasPrefix("fix/") {
                #expect(notFixed == (drawnOn == nil ? [5, 6, 7] : [5, 6]))
                #expect(outcome.changes.contains { $0.line == 8 && $0.kind == .lineDropped })
            } else {
                #expect(notFixed.isEmpty)
            }
        }
    }
}
