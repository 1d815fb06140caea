import Testing
@testable import ImageEngine

/// What the probe must say about one committed fixture.
struct Expectation: Sendable, CustomTestStringConvertible {
    var file: String
    var format: ImageFormat?
    var width: Int?
    var height: Int?
    var bitDepth: Int? = nil
    var colorSpace: String? = nil
    /// Integrity after a full decode.
    var full: Integrity
    /// Problem codes expected in full mode (exactly these).
    var fullProblems: Set<ImageProblemCode> = []
    /// Problem codes expected in header mode (exactly these).
    var headerProblems: Set<ImageProblemCode> = []
    /// Integrity in header mode; not_checked unless the header alone decides.
    var header: Integrity = .notChecked
    var testDescription: String { file }
}

let expectations: [Expectation] = [
    .init(file: "png-gray8.png", format: .png, width: 80, height: 64, bitDepth: 8, colorSpace: "grayscale", full: .ok),
    .init(file: "png-rgb8.png", format: .png, width: 96, height: 72, bitDepth: 8, colorSpace: "rgb", full: .ok),
    .init(file: "png-rgba8.png", format: .png, width: 64, height: 64, bitDepth: 8, colorSpace: "rgba", full: .ok),
    .init(file: "png-palette.png", format: .png, width: 72, height: 64, bitDepth: 8, colorSpace: "palette", full: .ok),
    .init(file: "png-gray16.png", format: .png, width: 64, height: 64, bitDepth: 16, colorSpace: "grayscale", full: .ok),
    .init(file: "png-rgb16.png", format: .png, width: 64, height: 64, bitDepth: 16, colorSpace: "rgb", full: .ok),
    .init(file: "png-interlaced.png", format: .png, width: 80, height: 80, bitDepth: 8, colorSpace: "rgb", full: .ok),
    .init(file: "apng.png", format: .png, width: 64, height: 64, full: .ok),
    .init(file: "png-exif-orientation6.png", format: .png, width: 96, height: 64, full: .ok),
    .init(file: "png-truncated.png", format: .png, width: 96, height: 72, full: .corrupt, fullProblems: [.truncated]),
    .init(file: "png-bad-crc.png", format: .png, width: 64, height: 64, full: .corrupt, fullProblems: [.corruptData]),
    .init(file: "png-bad-zlib.png", format: .png, width: 64, height: 64, full: .corrupt, fullProblems: [.corruptData]),
    .init(file: "png-trailing-data.png", format: .png, width: 64, height: 64, full: .ok, fullProblems: [.trailingData]),
    .init(file: "png-huge-header.png", format: .png, width: 100_000, height: 100_000, full: .notChecked,
          fullProblems: [.tooManyPixels], headerProblems: [.tooManyPixels]),
    .init(file: "png-named.jpg", format: .png, width: 96, height: 72, full: .ok,
          fullProblems: [.extensionMismatch], headerProblems: [.extensionMismatch]),
    .init(file: "jpeg-baseline.jpg", format: .jpeg, width: 96, height: 72, bitDepth: 8, colorSpace: "ycbcr", full: .ok),
    .init(file: "jpeg-progressive.jpg", format: .jpeg, width: 96, height: 72, colorSpace: "ycbcr", full: .ok),
    .init(file: "jpeg-gray.jpg", format: .jpeg, width: 80, height: 64, colorSpace: "grayscale", full: .ok),
    .init(file: "jpeg-cmyk.jpg", format: .jpeg, width: 64, height: 64, colorSpace: "cmyk", full: .ok),
    .init(file: "jpeg-arithmetic.jpg", format: .jpeg, width: 64, height: 64, full: .ok),
    .init(file: "jpeg-restart.jpg", format: .jpeg, width: 96, height: 72, full: .ok),
    .init(file: "jpeg-truncated.jpg", format: .jpeg, width: 96, height: 72, full: .corrupt, fullProblems: [.truncated]),
    .init(file: "jpeg-corrupt-entropy.jpg", format: .jpeg, width: 96, height: 72, full: .corrupt, fullProblems: [.corruptData]),
    .init(file: "jpeg-trailing-data.jpg", format: .jpeg, width: 96, height: 72, full: .ok, fullProblems: [.trailingData]),
    .init(file: "jpeg-12bit.jpg", format: .jpeg, width: 96, height: 72, bitDepth: 12, full: .unsupported,
          fullProblems: [.unsupportedEncoding], headerProblems: [.unsupportedEncoding], header: .unsupported),
    .init(file: "jpeg-lossless.jpg", format: .jpeg, width: 96, height: 72, full: .unsupported,
          fullProblems: [.unsupportedEncoding], headerProblems: [.unsupportedEncoding], header: .unsupported),
    .init(file: "gif-named.jpg", format: .gif, width: 64, height: 64, full: .unsupported,
          fullProblems: [.unsupportedFormat, .extensionMismatch], headerProblems: [.unsupportedFormat, .extensionMismatch], header: .unsupported),
    .init(file: "webp-image.webp", format: .webp, width: 64, height: 64, full: .unsupported,
          fullProblems: [.unsupportedFormat], headerProblems: [.unsupportedFormat], header: .unsupported),
    .init(file: "bmp-image.bmp", format: .bmp, width: 64, height: 64, full: .unsupported,
          fullProblems: [.unsupportedFormat], headerProblems: [.unsupportedFormat], header: .unsupported),
    .init(file: "tiff-image.tif", format: .tiff, width: nil, height: nil, full: .unsupported,
          fullProblems: [.unsupportedFormat], headerProblems: [.unsupportedFormat], header: .unsupported),
    .init(file: "heic-header.heic", format: .heif, width: nil, height: nil, full: .unsupported,
          fullProblems: [.unsupportedFormat], headerProblems: [.unsupportedFormat], header: .unsupported),
    .init(file: "avif-header.avif", format: .avif, width: nil, height: nil, full: .unsupported,
          fullProblems: [.unsupportedFormat], headerProblems: [.unsupportedFormat], header: .unsupported),
    .init(file: "text-named.png", format: .unknown, width: nil, height: nil, full: .unsupported,
          fullProblems: [.unsupportedFormat], headerProblems: [.unsupportedFormat], header: .unsupported),
    .init(file: "empty.jpg", format: nil, width: nil, height: nil, full: .corrupt,
          fullProblems: [.emptyFile], headerProblems: [.emptyFile], header: .corrupt),
] + (1...8).map { orientation in
    Expectation(file: "jpeg-exif-orientation-\(orientation).jpg", format: .jpeg, width: 96, height: 64, full: .ok)
}

@Suite("Probe facts of every fixture")
struct ProbeFixtureTests {
    @Test(arguments: expectations)
    func fullMode(_ expected: Expectation) {
        let facts = ImageProbe(options: ProbeOptions(mode: .full)).examine(path: FixturePaths.image(expected.file))
        check(facts, expected, integrity: expected.full, problems: expected.fullProblems)
    }

    @Test(arguments: expectations)
    func headerMode(_ expected: Expectation) {
        let facts = ImageProbe(options: ProbeOptions(mode: .header)).examine(path: FixturePaths.image(expected.file))
        check(facts, expected, integrity: expected.header, problems: expected.headerProblems)
        #expect(facts.trailingBytes == nil, "header mode does not establish trailing bytes")
    }

    private func check(_ facts: ImageFacts, _ expected: Expectation, integrity: Integrity, problems: Set<ImageProblemCode>) {
        #expect(facts.format == expected.format)
        #expect(facts.width == expected.width)
        #expect(facts.height == expected.height)
        if let bitDepth = expected.bitDepth { #expect(facts.bitDepth == bitDepth) }
        if let colorSpace = expected.colorSpace { #expect(facts.colorSpace == colorSpace) }
        #expect(facts.integrity == integrity)
        #expect(Set(facts.problems.map(\.code)) == problems, "\(facts.problems)")
    }

    @Test func everyCorruptFixtureIsCaughtOnlyByFullMode() {
        for expected in expectations where expected.full == .corrupt && expected.header == .notChecked {
            let header = ImageProbe(options: ProbeOptions(mode: .header)).examine(path: FixturePaths.image(expected.file))
            let full = ImageProbe(options: ProbeOptions(mode: .full)).examine(path: FixturePaths.image(expected.file))
            #expect(header.integrity == .notChecked, "\(expected.file)")
            #expect(full.integrity == .corrupt, "\(expected.file)")
        }
    }
}
