import Foundation
import PreflightJSON
import PreflightTestSupport
import Testing

/// The errors `preflight check` reports on lines of MANIFEST (with the given map), by line.
private func lineErrors(_ manifest: String, map: String) throws -> [Int: [String]] {
    let run = try Preflight.run(["check", manifest, "--map", map, "--no-cache", "--format", "json"])
    var errors: [Int: [String]] = [:]
    for finding in try JSONParser.parse(run.stdout)["findings"]?.arrayValue ?? [] where finding["severity"]?.stringValue == "error" {
        guard let line = finding["line"]?.numberValue?.int64 else { continue }
        errors[Int(line), default: []].append(finding["code"]?.stringValue ?? "?")
    }
    return errors
}

private func boxes(_ line: String) throws -> [[Int64]] {
    try (JSONParser.parse(line)["bounding-box"]?["annotations"]?.arrayValue ?? []).map { box in
        ["left", "top", "width", "height"].map { box[$0]?.numberValue?.int64 ?? -1 }
    }
}

@Suite("preflight manifest fix")
struct FixCommandTests {
    static let fixMap = "s3://fix-bucket=Fixtures/images"

    @Test func resizedBoxesAreScaledAndLinesNoEditPlacesAreReported() throws {
        let scratch = try Scratch()
        let output = scratch.path("fixed.manifest")
        let run = try Preflight.run(["manifest", "fix", "Fixtures/fix/resized.manifest", "--map", Self.fixMap, "--no-cache", "-o", output])
        #expect(run.status == 1, "written, with lines not fixed: \(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("line 2: 3 boxes of bounding-box scaled by 0.5 to the decoded 320 x 240; image_size set\n"))
        #expect(run.stdout.contains("line 3: 2 boxes of bounding-box scaled by 2 to the decoded 2560 x 1440; image_size set\n"))
        #expect(run.stdout.contains("line 8: dropped (PREFLIGHT_SOURCE_REF_ESCAPES_ROOT: the key contains a '..' path component)"))
        #expect(run.stdout.contains("not fixed, line 5 (written as it was): [bounding-box] image_size says 192 x 96, the decoded image is 96 x 72: "
            + "the sides changed by different factors (0.5 and 0.75)"))
        #expect(run.stdout.contains("not fixed, line 6 (written as it was): [bounding-box] image_size says 640 x 480, the decoded image is 320 x 240, and the boxes fit neither"))
        #expect(run.stdout.contains("not fixed, line 7 (written as it was): EXIF orientation 6"))
        #expect(run.stdout.contains("say which with --boxes-drawn-on displayed or --boxes-drawn-on stored"))

        let input = try String(contentsOfFile: Preflight.repository.appendingPathComponent("Fixtures/fix/resized.manifest").path, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let fixed = try scratch.read("fixed.manifest").split(separator: "\n").map(String.init)
        #expect(fixed.count == 7)
        #expect(Array(fixed[4...6]) == Array(input[4...6]), "lines 5 to 7 are written as they were")
        // The half-size picture's shapes (Fixtures/images/README.md: exactly halved).
        #expect(try boxes(fixed[1]) == [[32, 24, 96, 96], [176, 48, 80, 80], [96, 144, 112, 80]])
        // Errors remain only on the lines reported as not fixed.
        #expect(try lineErrors(output, map: Self.fixMap).keys.sorted() == [5, 6, 7])

        let displayed = try Preflight.run(["manifest", "fix", "Fixtures/fix/resized.manifest", "--map", Self.fixMap, "--no-cache",
                                           "--boxes-drawn-on", "displayed", "-o", scratch.path("displayed.manifest")])
        #expect(displayed.status == 1)
        #expect(displayed.stdout.contains("line 7: 3 boxes of bounding-box moved from the 480 x 640 picture as displayed"))
        #expect(!displayed.stdout.contains("not fixed, line 7"))
        let moved = try scratch.read("displayed.manifest").split(separator: "\n").map(String.init)
        #expect(try lineErrors(scratch.path("displayed.manifest"), map: Self.fixMap).keys.sorted() == [5, 6])
        #expect(try boxes(moved[6]) == [[64, 48, 192, 192], [352, 96, 160, 160], [192, 288, 224, 160]])

        #expect(try Preflight.run(["manifest", "fix", "Fixtures/fix/resized.manifest", "--map", Self.fixMap,
                                   "--boxes-drawn-on", "sideways", "-o", scratch.path("x.manifest")]).status == 2)
    }

    @Test func boxesDrawnOnTheDisplayedPictureMoveToTheStoredPixelsForEveryOrientation() throws {
        let scratch = try Scratch()
        // Two boxes per image, drawn on the picture as displayed; the images are stored 96 x 64.
        let drawn: [EXIFPixels.Box] = [(5, 10, 20, 30), (40, 2, 17, 50)]
        var lines: [String] = []
        for orientation in 1...8 {
            try scratch.copy("jpeg-exif-orientation-\(orientation).jpg", to: "images/\(orientation).jpg")
            let size = EXIFPixels.displayedSize(storedWidth: 96, storedHeight: 64, orientation: orientation)
            let annotations = drawn.enumerated().map { index, box in
                "{\"class_id\":\(index),\"left\":\(box.left),\"top\":\(box.top),\"width\":\(box.width),\"height\":\(box.height)}"
            }
            lines.append("{\"source-ref\":\"s3://b/\(orientation).jpg\",\"bounding-box\":{\"image_size\":[{\"width\":\(size.width),\"height\":\(size.height),\"depth\":3}],"
                + "\"annotations\":[\(annotations.joined(separator: ","))]},\"bounding-box-metadata\":{\"objects\":[{\"confidence\":1},{\"confidence\":1}],"
                + "\"class-map\":{\"0\":\"cat\",\"1\":\"dog\"},\"type\":\"groundtruth/object-detection\",\"human-annotated\":\"yes\","
                + "\"creation-date\":\"2024-06-03T10:00:00.000\"}}")
        }
        let input = try scratch.write("in.manifest", lines.joined(separator: "\n") + "\n")
        let map = "s3://b=\(scratch.path("images"))"

        let run = try Preflight.run(["manifest", "fix", input, "--map", map, "--no-cache", "--boxes-drawn-on", "displayed", "-o", scratch.path("out.manifest")])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let fixed = try scratch.read("out.manifest").split(separator: "\n").map(String.init)
        try #require(fixed.count == 8)
        for orientation in 1...8 {
            let expected = drawn.map { box in
                let stored = EXIFPixels.storedBox(ofDisplayed: box, storedWidth: 96, storedHeight: 64, orientation: orientation)
                return [stored.left, stored.top, stored.width, stored.height].map(Int64.init)
            }
            #expect(try boxes(fixed[orientation - 1]) == expected, "orientation \(orientation)")
            #expect(fixed[orientation - 1].contains("\"image_size\":[{\"width\":96,\"height\":64,\"depth\":3}]"), "orientation \(orientation)")
            if orientation > 1 {
                #expect(run.stdout.contains("line \(orientation): 2 boxes of bounding-box moved from the"), "orientation \(orientation)")
            }
        }
        #expect(try lineErrors(scratch.path("out.manifest"), map: map).isEmpty)

        // Without the choice, every turned line is left as it was.
        let undecided = try Preflight.run(["manifest", "fix", input, "--map", map, "--no-cache", "-o", scratch.path("undecided.manifest")])
        #expect(undecided.status == 1)
        #expect((2...8).allSatisfy { undecided.stdout.contains("not fixed, line \($0) (written as it was): EXIF orientation \($0)") })
        #expect(try scratch.read("undecided.manifest") == (try scratch.read("in.manifest")))
    }

    @Test func theFixedExampleHoldsNoLineWithAnError() throws {
        let scratch = try Scratch()
        let map = "s3://example-bucket=Fixtures/example"
        for name in ["train", "test"] {
            let output = scratch.path("\(name).manifest")
            let run = try Preflight.run(["manifest", "fix", "Fixtures/example/\(name).manifest", "--map", map, "--no-cache", "-o", output])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(!(try lineErrors("Fixtures/example/\(name).manifest", map: map)).isEmpty, "the example has line errors to fix")
            #expect(try lineErrors(output, map: map).isEmpty, "\(name)")
        }
        let train = try Preflight.run(["manifest", "fix", "Fixtures/example/train.manifest", "--map", map, "--no-cache", "-o", scratch.path("t.manifest")])
        #expect(train.stdout.contains("line 8: 3 boxes of bounding-box scaled by 0.5 to the decoded 320 x 240; image_size set\n"))
    }
}
