import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport
import Synchronization

/// The HTML report as written by `preflight check --report html=PATH`, read as text and, when a
/// browser is installed (`.ci/install-browser`), as headless Chromium renders it.
enum HTMLReportRun {
    /// Runs `preflight` with `--report html=` (and `json=`) into a new folder; returns the page and the JSON report.
    static func make(_ arguments: [String], in folder: URL? = nil) throws -> (html: String, json: JSONValue, path: URL) {
        let folder = try folder ?? makeTemporaryFolder("html-report")
        let page = folder.appendingPathComponent("report.html"), json = folder.appendingPathComponent("report.json")
        let run = try Preflight.run(arguments + ["--report", "html=\(page.path)", "--report", "json=\(json.path)", "--quiet"])
        #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        let report = try JSONParser.parse(Array(try Data(contentsOf: json)))
        return (html, report, page)
    }

    /// (role, line) of every finding on a line, from the JSON report.
    static func flaggedLines(_ report: JSONValue) -> Set<String> {
        var lines = Set<String>()
        for finding in report["findings"]?.arrayValue ?? [] {
            guard let role = finding["dataset"]?.stringValue ?? finding["role"]?.stringValue,
                  let line = finding["line"]?.numberValue else { continue }
            lines.insert("\(role)-\(line)")
        }
        return lines
    }

    /// The text of the card of one line.
    static func card(_ html: String, _ id: String) -> String? {
        guard let start = html.range(of: "<article class=\"card\" id=\"\(id)\"") else { return nil }
        guard let end = html[start.upperBound...].range(of: "</article>") else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
}

/// Headless Chromium, when installed. Under CI=true a missing browser is a failure.
enum Browser {
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in path.split(separator: ":") {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// Records a failure under CI when there is no browser; returns whether to go on.
    static func available() -> Bool {
        if executable != nil { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("no chromium on the PATH: run .ci/install-browser (CI=true needs the browser tests)")
        }
        return false
    }

    struct Output {
        var stdout: String
        var stderr: String
    }

    /// Runs the browser headless on `page` with `arguments` (`--dump-dom`, `--screenshot=...`).
    static func run(_ page: URL, _ arguments: [String]) throws -> Output {
        let profile = try makeTemporaryFolder("chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable!)
        // As root the sandbox cannot start; the page is our own and forbids every request.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             "--disable-breakpad", "--disable-crash-reporter", "--timeout=30000",
                             "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"]
            + arguments + [page.absoluteString]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained at once: chromium writes a lot to stderr.
        let stderrData = Mutex(Data())
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            stderrData.withLock { $0 = data }
        }
        // A page that opens a dialog (an unescaped alert) never finishes loading.
        let stop = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: stop)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        stop.cancel()
        group.wait()
        if process.terminationReason == .uncaughtSignal {
            Issue.record("chromium did not finish with \(page.lastPathComponent) within 90 s (a dialog the page opened?)")
        }
        return Output(stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderrData.withLock { $0 }, as: UTF8.self))
    }

    /// Console messages chromium logged while loading the page.
    static func consoleMessages(_ output: Output) -> [String] {
        output.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    }
}

@Suite("HTML report")
struct HTMLReportTests {
    static let hostileLabel = "<script>alert(1)</script>"
    static let hostileKey = "bb<img src=x onerror=alert(2)>"

    /// A detection manifest with hostile names, a box off the image, a stale image_size, an
    /// EXIF-turned image, an image that is not an image and one that is missing.
    static func hostileDataset() throws -> (folder: URL, arguments: [String]) {
        let folder = try makeTemporaryFolder("html-hostile")
        let images = folder.appendingPathComponent("img")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let fixtures = Preflight.repository.appendingPathComponent("Fixtures/images")
        for (from, to) in [("jpeg-exif-orientation-6-640x480.jpg", "turned.jpg"), ("jpeg-640x480-half.jpg", "half.jpg"),
                           ("text-named.png", "text.png"), ("png-rgb8.png", "plain.png")] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(from), to: images.appendingPathComponent(to))
        }
        func line(_ image: String, width: Int, height: Int, boxes: [(Int, Int, Int, Int)]) -> String {
            let key = hostileKey.replacingOccurrences(of: "\"", with: "\\\"")
            let annotations = boxes.map { #"{"class_id": 0, "left": \#($0.0), "top": \#($0.1), "width": \#($0.2), "height": \#($0.3)}"# }
            let objects = boxes.map { _ in #"{"confidence": 0.9}"# }
            return #"{"source-ref": "s3://b/img/\#(image)", "\#(key)": {"image_size": [{"width": \#(width), "height": \#(height), "depth": 3}], "annotations": [\#(annotations.joined(separator: ", "))]}, "\#(key)-metadata": {"objects": [\#(objects.joined(separator: ", "))], "class-map": {"0": "\#(hostileLabel)"}, "type": "groundtruth/object-detection", "human-annotated": "yes", "creation-date": "2024-05-14T09:02:18", "job-name": "labeling-job/x"}}"#
        }
        let lines = [
            line("turned.jpg", width: 640, height: 480, boxes: [(500, 100, 100, 100), (20, 20, 50, 50)]),
            line("half.jpg", width: 640, height: 480, boxes: [(400, 300, 200, 150), (10, 10, 40, 40)]),
            line("text.png", width: 100, height: 100, boxes: [(10, 10, 20, 20)]),
            line("missing.jpg", width: 100, height: 100, boxes: [(10, 10, 20, 20)]),
            line("plain.png", width: 96, height: 72, boxes: [(-20, 10, 60, 30), (10, 10, 20, 20)]),
        ]
        let manifest = folder.appendingPathComponent("hostile.manifest")
        try (lines.joined(separator: "\n") + "\n").write(to: manifest, atomically: true, encoding: .utf8)
        return (folder, ["check", manifest.path, "--map", "s3://b=\(folder.path)", "--fail-on", "never"])
    }

    // MARK: The page as text

    @Test func everyFlaggedLineOfTheExampleHasACardWithItsBoxes() throws {
        let (html, report, _) = try HTMLReportRun.make(Preflight.example)
        let flagged = HTMLReportRun.flaggedLines(report)
        #expect(flagged.count == 8)
        for id in flagged { #expect(HTMLReportRun.card(html, id) != nil, "no card for \(id)") }
        // Training line 8: image_size 640 x 480 on a 320 x 240 image; box 1 kept, boxes 2 and 3 dropped.
        let eight = try #require(HTMLReportRun.card(html, "training-8"))
        #expect(HTMLReportRun.count("class=\"box kept\"", in: eight) == 1)
        #expect(HTMLReportRun.count("class=\"box dropped\"", in: eight) == 2)
        #expect(eight.contains("class=\"frame declared\" x=\"0\" y=\"0\" width=\"640\" height=\"480\""))
        #expect(eight.contains("<image href=\"data:image/jpeg;base64,"))
        // The missing image shows why instead of a picture.
        let thirteen = try #require(HTMLReportRun.card(html, "training-13"))
        #expect(thirteen.contains("the file does not exist") && !thirteen.contains("data:image"))
        // With no image, boxes are drawn on the frame image_size declares, outlined as declared.
        #expect(thirteen.contains("<rect class=\"frame declared\" x=\"0\" y=\"0\" width=\"320\" height=\"240\">"))
        // Every finding links to its rule's explanation, which is there.
        for code in ["ERROR_INVALID_BOUNDING_BOX", "PREFLIGHT_TRAIN_TEST_OVERLAP", "PREFLIGHT_IMAGE_SIZE_MISMATCH"] {
            #expect(html.contains("href=\"#rule-\(code)\"") && html.contains("<section id=\"rule-\(code)\">"))
        }
        let rules = try Preflight.run(["rules", "ERROR_INVALID_BOUNDING_BOX"])
        let escaped = rules.stdout.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
        #expect(html.contains(escaped.trimmingCharacters(in: .newlines)))
        // The test image that is also in training, beside it.
        #expect(html.contains("id=\"same-images\"") && html.contains("training line 7"))
    }

    @Test func nothingOnThePageReachesTheNetwork() throws {
        let (html, _, _) = try HTMLReportRun.make(Preflight.example)
        #expect(html.contains("content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\""))
        let references = html.matches(of: /(?:src|href)\s*=\s*"([^"]*)"/).map { String($0.output.1) }
        #expect(!references.isEmpty)
        for reference in references {
            #expect(reference.hasPrefix("data:image/jpeg;base64,") || reference.hasPrefix("#"), "\(reference.prefix(80))")
        }
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("url("))
    }

    @Test func namesFromTheManifestAreShownAsText() throws {
        let (folder, arguments) = try Self.hostileDataset()
        let (html, report, _) = try HTMLReportRun.make(arguments, in: folder)
        #expect(!html.contains(Self.hostileLabel) && !html.contains(Self.hostileKey))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("bb&lt;img src=x onerror=alert(2)&gt;"))
        #expect(HTMLReportRun.count("<script", in: html) == 2)
        for id in HTMLReportRun.flaggedLines(report) { #expect(HTMLReportRun.card(html, id) != nil, "no card for \(id)") }
        // EXIF orientation 6: the stored 640 x 480 frame and the displayed 480 x 640 outline.
        let turned = try #require(HTMLReportRun.card(html, "training-1"))
        #expect(turned.contains("class=\"frame displayed\" x=\"0\" y=\"0\" width=\"480\" height=\"640\""))
        // A box off the left edge: the canvas reaches past the frame to show it.
        let left = try #require(HTMLReportRun.card(html, "training-5"))
        #expect(left.contains("class=\"box dropped\" data-box=\"b0-0\" x=\"-20\""))
        let viewBox = try #require(left.firstMatch(of: #/viewBox="(-?[0-9.]+)\s/#)?.output.1)
        #expect(try #require(Double(viewBox)) <= -20, "the canvas starts at \(viewBox), inside the box")
        let text = try #require(HTMLReportRun.card(html, "training-3"))
        #expect(text.contains("no picture:") && !text.contains("data:image"))
    }

    @Test func headerModeAndFolderDatasetsDrawTheirFlaggedImages() throws {
        let (header, _, _) = try HTMLReportRun.make(Preflight.example + ["--mode", "header"])
        #expect(try #require(HTMLReportRun.card(header, "training-8")).contains("data:image/jpeg;base64,"))

        let folder = try makeTemporaryFolder("html-folder")
        let fixtures = Preflight.repository.appendingPathComponent("Fixtures/images")
        for (from, to) in [("png-rgb8.png", "cat/a.png"), ("png-named.jpg", "cat/b.jpg"), ("jpeg-baseline.jpg", "dog/c.jpg"),
                           ("jpeg-truncated.jpg", "dog/d.jpg")] {
            let target = folder.appendingPathComponent("data/" + to)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(from), to: target)
        }
        let (html, report, _) = try HTMLReportRun.make(["check", folder.appendingPathComponent("data").path], in: folder)
        let flagged = HTMLReportRun.flaggedLines(report)
        #expect(!flagged.isEmpty)
        for id in flagged {
            let card = try #require(HTMLReportRun.card(html, id))
            #expect(card.contains("data:image/jpeg;base64,"), "\(id) has no picture")
        }
    }

    // MARK: In a browser

    @Test func theBrowserRendersEveryCardWithNoErrorAndNoRequest() throws {
        guard Browser.available() else { return }
        let (folder, arguments) = try Self.hostileDataset()
        for (run, flaggedExpected) in [(try HTMLReportRun.make(Preflight.example), 8), (try HTMLReportRun.make(arguments, in: folder), 5)] {
            let output = try Browser.run(run.path, ["--dump-dom"])
            let dom = output.stdout
            #expect(dom.contains("<body data-script=\"ran\">"), "the page's script did not run")
            #expect(dom.contains("<pre id=\"page-errors\" hidden=\"\"></pre>"), "\(dom.matches(of: /<pre id="page-errors"[^>]*>[^<]*/).first.map { String($0.output) } ?? "")")
            #expect(Browser.consoleMessages(output).isEmpty, "\(Browser.consoleMessages(output))")
            let flagged = HTMLReportRun.flaggedLines(run.json)
            #expect(flagged.count == flaggedExpected)
            for id in flagged {
                let card = try #require(HTMLReportRun.card(dom, id), "no card for \(id) in the rendered page")
                let boxes = HTMLReportRun.count("class=\"box ", in: card)
                #expect(boxes == HTMLReportRun.count("<tr data-box=", in: card), "\(id)")
            }
            #expect(!dom.contains("<script>alert"))
        }
        // The hostile label is in the rendered page as text.
        let hostile = try Browser.run(folder.appendingPathComponent("report.html"), ["--dump-dom"]).stdout
        #expect(hostile.contains("<span class=\"chip\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"))

        let shot = folder.appendingPathComponent("screenshot.png")
        _ = try Browser.run(folder.appendingPathComponent("report.html"), ["--window-size=1280,2000", "--screenshot=\(shot.path)"])
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47]) && png.count > 20_000)
    }

    @Test func theBrowserCheckSeesAnErrorAndARequestWhenThereAreSome() throws {
        // The checks above can fail: the same page with a script error and an image from the
        // network shows both in the page and on the console.
        guard Browser.available() else { return }
        let (html, _, path) = try HTMLReportRun.make(Preflight.example)
        let broken = path.deletingLastPathComponent().appendingPathComponent("broken.html")
        try html.replacingOccurrences(of: "<main>", with: "<main><img src=\"http://127.0.0.1:9/x.png\"><script>notDefined();</script>")
            .write(to: broken, atomically: true, encoding: .utf8)
        let output = try Browser.run(broken, ["--dump-dom"])
        #expect(output.stdout.contains("error: Uncaught ReferenceError: notDefined is not defined"))
        #expect(output.stdout.contains("blocked: http://127.0.0.1:9/x.png (img-src)"))
        #expect(Browser.consoleMessages(output).count >= 2)
    }
}
