#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import ImageEngine
import PreflightJSON
import PreflightKit

// A manifest line in, findings and every report out: the strict JSON reader (and writer,
// read back), the line interpreter, source-ref resolution, the whole check engine with its
// rules, and each report format. The line's source-refs resolve into a folder of real
// images; a symbolic link in it points outside, and nothing outside may ever be read.

private let fixtures: String = {
    // Tests/Fuzz/Sources/FuzzManifestLine/FuzzManifestLine.swift -> the repository's Fixtures folder.
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(5)
    return parts.joined(separator: "/") + "/Fixtures/images"
}()

/// images/: a.jpg b.png c.jpg (EXIF 6) d.gif e.jpg (12-bit) f.png (truncated) big.png,
/// sub/g.jpg, out.jpg -> ../secret.jpg (outside), loop.jpg -> loop.jpg.
private let folder: String = {
    let folder = scratchDirectory + "/dataset"
    let images = folder + "/images"
    mkdir(folder, 0o700)
    mkdir(images, 0o700)
    mkdir(images + "/sub", 0o700)
    let copies = ["a.jpg": "jpeg-baseline.jpg", "b.png": "png-rgb8.png", "c.jpg": "jpeg-exif-orientation-6-640x480.jpg",
                  "d.gif": "gif-named.jpg", "e.jpg": "jpeg-12bit.jpg", "f.png": "png-truncated.png",
                  "big.png": "png-2560x1440.png", "sub/g.jpg": "jpeg-640x480.jpg"]
    for (name, fixture) in copies {
        guard case .success(let file) = FileBytes.read(path: fixtures + "/" + fixture, limit: 1 << 20) else {
            require(false, "fixture \(fixture) missing under \(fixtures)")
            continue
        }
        writeFile(images + "/" + name, file.bytes)
    }
    writeFile(folder + "/secret.jpg", [0xFF, 0xD8, 0xFF])
    symlink("../secret.jpg", images + "/out.jpg")
    symlink("loop.jpg", images + "/loop.jpg")
    return folder
}()

private let manifest = scratchDirectory + "/line.manifest"
private let engine: CheckEngine = {
    var options = CheckOptions()
    options.mode = .full
    options.jobs = 1
    options.maxPixels = 1 << 22
    options.resolver = SourceRefResolver(
        mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(folder)/images")!,
                   SourceRefResolver.parseMapping("s3://example-bucket/sub/deeper=\(folder)/images/sub")!],
        root: folder + "/images")
    return CheckEngine(options: options)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifestLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)

    // JSON: whatever parses must survive being written and read again, in every style.
    let parsed = bytes.withUnsafeBytes { raw in Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(raw) } }
    if case .success(let value) = parsed {
        for options in [JSONWriter.Options(), .prettyPrinted, .sortKeys] {
            let text = JSONWriter.serialize(value, options: options)
            guard let again = try? JSONParser.parse(text) else {
                require(false, "the writer's output does not parse: \(text.prefix(300))")
                return 0
            }
            if options != .sortKeys { require(again == value, "a value changes when written and read back") }
        }
    }

    // Reading only `source-ref` accepts and refuses exactly what the full parse does.
    let skimmed = bytes.withUnsafeBytes { raw in
        Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(raw, keepingTopLevelMembers: { $0 == "source-ref" }) }
    }
    switch (parsed, skimmed) {
    case (.success(let full), .success(let skim)):
        require(full.objectValue?["source-ref"] == skim.objectValue?["source-ref"], "the skimmed source-ref differs")
    case (.failure(let full), .failure(let skim)):
        require(full == skim, "the skimming parse fails differently: \(full) against \(skim)")
    default:
        require(false, "the skimming parse and the full parse disagree on validity")
    }

    // Resolution never leaves the mapped folder.
    let line = bytes.withUnsafeBytes { LineInterpreter.interpret($0, number: 1) }
    if let uri = line.sourceRef.uri, case .located(let path) = engine.options.resolver.resolve(uri) {
        require(path.hasPrefix(folder + "/images/"), "\(uri) resolved outside the mapped folder: \(path)")
        require(!path.split(separator: "/").contains(".."), "\(uri) resolved to a path with '..': \(path)")
    }

    // The whole engine over the line, and every report.
    writeFile(manifest, bytes)
    let result = engine.run([ManifestInput(path: manifest, role: .training)])
    require(result.unreadableManifests.isEmpty, "the manifest was found unreadable")
    for finding in result.findings {
        if let image = finding.image {
            require(!image.hasPrefix(folder + "/secret") && SourceRefResolver.staysInside(image, directory: folder + "/images"),
                    "a finding names an image outside the mapped folder: \(image)")
        }
        let details = JSONWriter.serialize(.object(finding.details))
        require((try? JSONParser.parse(details)) != nil, "finding details are not JSON: \(details.prefix(300))")
    }
    for reporter in ReportFormats.all {
        let report = reporter.render(result, context: ReportContext(failOn: .error))
        require(!report.isEmpty, "\(reporter.name) report is empty")
        if reporter.name == "json" || reporter.name == "sarif" {
            require((try? JSONParser.parse(report)) != nil, "\(reporter.name) report is not JSON")
        }
    }
    return 0
}
