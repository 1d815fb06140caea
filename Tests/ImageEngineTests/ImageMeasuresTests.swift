import Foundation
import Testing
import PreflightTestSupport
@testable import ImageEngine

/// What full mode measures of the quality fixtures (Fixtures/images/quality/README.md says
/// what each one is), and when it measures nothing.
@Suite("Image measures")
struct ImageMeasuresTests {
    static let full = ImageProbe(options: ProbeOptions(mode: .full))

    static func measures(_ file: String, _ probe: ImageProbe = full) -> ImageMeasures? {
        probe.examine(path: FixturePaths.image(file)).measures
    }

    static func quality(_ name: String) -> ImageMeasures? { measures("quality/" + name) }

    static func hash(_ name: String) throws -> UInt64 {
        try #require(quality(name)?.perceptualHash, "\(name) has no hash")
    }

    // MARK: The perceptual hash

    /// Copies of scene A that the near-duplicate check must find: within its default 10 bits.
    @Test(arguments: ["scene-a-half.jpg", "scene-a-q40.jpg", "scene-a-crop.jpg", "scene-a-border.jpg",
                      "scene-a-brighter.jpg", "scene-a.png"])
    func copiesHashCloseToTheOriginal(_ copy: String) throws {
        let distance = ImageMeasures.distance(try Self.hash("scene-a.jpg"), try Self.hash(copy))
        #expect(distance <= 10, "\(copy) is \(distance) bits from scene-a.jpg")
    }

    /// Other pictures, a mirror image and a similar scene included, stay well out of reach.
    @Test(arguments: ["scene-a-mirrored.jpg", "scene-a-similar.jpg", "scene-b.jpg", "scene-c.jpg", "scene-d.jpg"])
    func otherPicturesHashFarFromTheOriginal(_ other: String) throws {
        let distance = ImageMeasures.distance(try Self.hash("scene-a.jpg"), try Self.hash(other))
        #expect(distance >= 20, "\(other) is only \(distance) bits from scene-a.jpg")
    }

    @Test func theHashHasSixtyThreeBitsAndItsLowFrequencies() throws {
        let a = try #require(Self.quality("scene-a.jpg"))
        let hash = try #require(a.perceptualHash)
        #expect(hash >> 63 == 0, "63 bits, the constant coefficient left out")
        #expect(a.lowFrequencies.count == 63)
        #expect(a.lowFrequencies.contains { abs(Int($0)) == 127 }, "scaled by the largest")
    }

    // MARK: Measured values against the default thresholds

    // The defaults of QualityThresholds (PreflightKit): min-sharpness 0.1, dark-highlights 60,
    // bright-shadows 180, min-information 2.5.

    @Test func blurIsUnderTheSharpnessThresholdAndSharpPicturesOver() throws {
        let blurred = try #require(Self.quality("blur-6.jpg")?.sharpness)
        #expect(blurred < 0.1)
        for name in ["sharp.jpg", "scene-a.jpg", "scene-b.jpg", "scene-c.jpg", "scene-d.jpg"] {
            let sharpness = try #require(Self.quality(name)?.sharpness, "\(name) is judged")
            #expect(sharpness > 0.1, "\(name): \(sharpness)")
        }
    }

    @Test func darkHighlightsAreUnderSixtyAndDimOnesNot() throws {
        let dark = try #require(Self.quality("dark.jpg"))
        let dim = try #require(Self.quality("dim.jpg"))
        #expect(dark.highlights < 60, "dark.jpg: \(dark.highlights)")
        #expect(dim.highlights >= 60, "dim.jpg: \(dim.highlights)")
        #expect(dark.brightness < dim.brightness)
    }

    @Test func washedOutShadowsReachOneHundredEighty() throws {
        let washed = try #require(Self.quality("washed-out.jpg"))
        #expect(washed.shadows >= 180, "washed-out.jpg: \(washed.shadows)")
        for name in ["scene-a.jpg", "scene-a-brighter.jpg", "dim.jpg"] {
            let shadows = try #require(Self.quality(name)).shadows
            #expect(shadows < 180, "\(name): \(shadows)")
        }
    }

    @Test func uniformCarriesLittleInformationAndScenesMuch() throws {
        let uniform = try #require(Self.quality("uniform.jpg"))
        #expect(uniform.information < 2.5, "uniform.jpg: \(uniform.information)")
        for name in ["scene-a.jpg", "scene-b.jpg", "scene-c.jpg", "scene-d.jpg"] {
            let information = try #require(Self.quality(name)).information
            #expect(information > 5, "\(name): \(information)")
        }
    }

    // MARK: EXIF orientation

    /// Scene A stored as each orientation requires (the stored grid made with `EXIFPixels`,
    /// independent of Preflight's own formulas) hashes as the upright picture; without its
    /// tag, the turned grid does not. At 256 x 192 the picture is measured as stored (no
    /// averaging) and the hash must be the same to the bit; at its full 480 x 360, averaging
    /// down to 256 pixels does not fall on the same pixel boundaries once the grid is turned,
    /// and a bit or two may differ.
    @Test(arguments: [256, 480])
    func aPictureStoredTurnedWithItsOrientationHashesAsTheUprightOne(side: Int) throws {
        let folder = try makeTemporaryFolder("measures-orientation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let upright = try SyntheticPNG.scene(maxSide: side)
        #expect(upright.width == side)
        let uprightFacts = try SyntheticPNG.probe(upright.png(), in: folder, name: "upright.png")
        let uprightHash = try #require(uprightFacts.measures?.perceptualHash)
        for orientation in 2...8 {
            // Orientations 6 and 8 undo each other; every other one undoes itself.
            let inverse = orientation == 6 ? 8 : orientation == 8 ? 6 : orientation
            let stored = upright.transformed(orientation: inverse)
            let tagged = try SyntheticPNG.probe(stored.png(orientation: orientation), in: folder, name: "o\(orientation).png")
            #expect(tagged.orientation?.rawValue == orientation)
            let measures = try #require(tagged.measures)
            let distance = ImageMeasures.distance(try #require(measures.perceptualHash), uprightHash)
            #expect(distance <= (side <= ImageMeasures.pictureSide ? 0 : 2), "orientation \(orientation): \(distance) bits")
            #expect(cosine(measures.lowFrequencies, uprightFacts.measures!.lowFrequencies) > 0.98, "orientation \(orientation)")
            let untagged = try #require(try SyntheticPNG.probe(stored.png(), in: folder, name: "u\(orientation).png").measures?.perceptualHash)
            #expect(ImageMeasures.distance(untagged, uprightHash) >= 20, "orientation \(orientation) untagged")
        }
    }

    /// A band along one side of the displayed picture is trimmed whichever way the picture is
    /// stored: the border is looked for on the upright picture, against its own top-left
    /// corner, not the stored grid's.
    @Test func aOneSidedBandIsTrimmedHoweverThePictureIsStored() throws {
        let folder = try makeTemporaryFolder("measures-band")
        defer { try? FileManager.default.removeItem(at: folder) }
        var banded = try SyntheticPNG.scene(maxSide: 256)
        // A dark band over the top 20 of 192 rows, as a caption strip or a status bar.
        for i in 0..<(20 * banded.width * 3) { banded.samples[i] = 20 }
        let uprightHash = try #require(try SyntheticPNG.probe(banded.png(), in: folder, name: "upright.png").measures?.perceptualHash)
        for orientation in 2...8 {
            let inverse = orientation == 6 ? 8 : orientation == 8 ? 6 : orientation
            let stored = banded.transformed(orientation: inverse).png(orientation: orientation)
            let hash = try #require(try SyntheticPNG.probe(stored, in: folder, name: "o\(orientation).png").measures?.perceptualHash)
            #expect(ImageMeasures.distance(hash, uprightHash) == 0, "orientation \(orientation)")
        }
    }

    @Test func theHashAppliesTheOrientationToAGreyArray() throws {
        // A 64 x 32 grey picture (whole cells of the 32 x 32 grid either way up) and the same
        // picture turned 90° counter-clockwise, so that orientation 6 (turn 90° clockwise)
        // shows it upright again.
        let width = 64, height = 32
        let grid = (0..<height).map { y in (0..<width).map { x in (x * 3 + y * y + (x > 40 && y < 12 ? 120 : 0)) % 256 } }
        let turned = EXIFPixels.displayed(grid, orientation: 8)
        let plain = try #require(ImageMeasures.perceptualHash(grey: grid.flatMap { $0.map(UInt8.init) }, width: width, height: height,
                                                               orientation: .normal))
        let shown = try #require(ImageMeasures.perceptualHash(grey: turned.flatMap { $0.map(UInt8.init) }, width: height,
                                                               height: width, orientation: .rotate90CW))
        let notShown = try #require(ImageMeasures.perceptualHash(grey: turned.flatMap { $0.map(UInt8.init) }, width: height,
                                                                  height: width, orientation: .normal))
        #expect(shown.hash == plain.hash)
        #expect(shown.coefficients == plain.coefficients)
        #expect(ImageMeasures.distance(notShown.hash, plain.hash) >= 20)
    }

    // MARK: When nothing is measured

    @Test func headerModeMeasuresNothing() {
        let header = ImageProbe(options: ProbeOptions(mode: .header))
        for name in ["quality/scene-a.jpg", "quality/scene-a.png", "png-rgb8.png", "jpeg-baseline.jpg"] {
            #expect(Self.measures(name, header) == nil, "\(name)")
            #expect(Self.measures(name) != nil, "\(name) is measured in full mode")
        }
    }

    @Test func measuresSwitchedOffMeasureNothing() {
        let off = ImageProbe(options: ProbeOptions(mode: .full, measures: false))
        for name in ["quality/scene-a.jpg", "quality/scene-a.png", "png-interlaced.png"] {
            let facts = off.examine(path: FixturePaths.image(name))
            #expect(facts.integrity == .ok, "\(name): the data is still checked")
            #expect(facts.measures == nil, "\(name)")
        }
    }

    @Test func aCMYKJPEGIsCheckedButNotMeasured() {
        let facts = Self.full.examine(path: FixturePaths.image("jpeg-cmyk.jpg"))
        #expect(facts.integrity == .ok)
        #expect(facts.measures == nil)
    }

    @Test(arguments: ["jpeg-truncated.jpg", "jpeg-corrupt-entropy.jpg", "png-truncated.png", "png-bad-crc.png", "png-bad-zlib.png"])
    func aDamagedImageIsNotMeasured(_ name: String) {
        let facts = Self.full.examine(path: FixturePaths.image(name))
        #expect(facts.integrity == .corrupt)
        #expect(facts.measures == nil)
    }

    @Test(arguments: ["png-gray8.png", "png-rgba8.png", "png-palette.png", "png-gray16.png", "png-rgb16.png", "apng.png",
                      "jpeg-gray.jpg", "jpeg-progressive.jpg", "jpeg-restart.jpg", "png-interlaced.png"])
    func everyIntactKindIsMeasured(_ name: String) {
        #expect(Self.measures(name)?.perceptualHash != nil, "\(name)")
    }

    // MARK: PNG: the fast check and libpng give the same picture

    /// The same pixels stored interlaced and not. The plain one's rows, each with another
    /// filter, are unfiltered by the fast image-data check; the interlaced one is drawn by
    /// libpng from its last pass, each odd row standing for the row above too: close measures,
    /// on the same side of every default threshold (the blurred picture stays blurred).
    @Test(arguments: ["quality/scene-a.png", "quality/blur-6.jpg", "quality/sharp.jpg", "quality/dark.jpg", "quality/washed-out.jpg",
                      "quality/uniform.jpg"])
    func anInterlacedPNGMeasuresCloseToItsNonInterlacedTwin(_ source: String) throws {
        let folder = try makeTemporaryFolder("measures-interlace")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rgb = try SyntheticPNG.decoded(source, maxSide: 4096)
        for picture in [rgb, rgb.grey()] {
            let plain = try SyntheticPNG.probe(picture.png(filters: true), in: folder, name: "plain.png")
            let interlaced = try SyntheticPNG.probe(picture.png(interlaced: true), in: folder, name: "interlaced.png")
            #expect(plain.integrity == .ok && interlaced.integrity == .ok)
            #expect(interlaced.interlaced == true)
            let a = try #require(plain.measures), b = try #require(interlaced.measures)
            let label = "\(source), \(picture.channels) channels"
            #expect(abs(a.brightness - b.brightness) < 1, "\(label)")
            #expect(abs(a.highlights - b.highlights) <= 2 && abs(a.shadows - b.shadows) <= 2, "\(label)")
            if a.information >= 2.5 {
                // The hash of a nearly uniform picture is the hash of its noise: it says nothing.
                #expect(ImageMeasures.distance(try #require(a.perceptualHash), try #require(b.perceptualHash)) <= 4, "\(label)")
                #expect(cosine(a.lowFrequencies, b.lowFrequencies) > 0.98, "\(label)")
                #expect(abs(a.information - b.information) < 0.1, "\(label)")
            }
            #expect((a.highlights < 60) == (b.highlights < 60) && (a.shadows >= 180) == (b.shadows >= 180), "\(label)")
            #expect((a.information < 2.5) == (b.information < 2.5), "\(label)")
            #expect(((a.sharpness ?? 1) < 0.1) == ((b.sharpness ?? 1) < 0.1), "\(label): \(String(describing: a.sharpness)) and \(String(describing: b.sharpness))")
            if let x = a.sharpness, let y = b.sharpness { #expect(max(x, y) / min(x, y) < 1.5, "\(label): \(x) and \(y)") }
        }
    }

    /// The fast check's unfiltering (every filter type, RGB and grey, odd sizes) gives the
    /// picture libpng gives: the same measures to the last digit.
    @Test func theFastCheckUnfiltersAsLibpngDoes() throws {
        let folder = try makeTemporaryFolder("measures-filters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let libpng = ImageProbe(options: ProbeOptions(mode: .full, pngMethod: .libpng))
        for picture in [try SyntheticPNG.decoded("quality/scene-a.png", maxSide: 4096), SyntheticPNG(width: 203, height: 77, channels: 3),
                        SyntheticPNG(width: 203, height: 77, channels: 3).grey(), SyntheticPNG(width: 9, height: 600, channels: 1)] {
            let url = folder.appendingPathComponent("filtered.png")
            try Data(picture.png(filters: true)).write(to: url)
            let fast = try #require(Self.full.examine(path: url.path).measures, "\(picture.width) x \(picture.height)")
            #expect(libpng.examine(path: url.path).measures == fast, "\(picture.width) x \(picture.height), \(picture.channels) channels")
        }
    }

    @Test(arguments: ["quality/scene-a.png", "png-rgb8.png", "png-palette.png", "png-gray16.png", "png-rgba8.png", "png-interlaced.png"])
    func bothPNGMethodsMeasureAlike(_ name: String) throws {
        let libpng = ImageProbe(options: ProbeOptions(mode: .full, pngMethod: .libpng))
        let fast = try #require(Self.measures(name, ImageProbe(options: ProbeOptions(mode: .full, pngMethod: .inflate))))
        #expect(Self.measures(name, libpng) == fast)
    }

    @Test func thePNGAndTheJPEGOfOnePictureMeasureAlike() throws {
        let png = try #require(Self.quality("scene-a.png")), jpeg = try #require(Self.quality("scene-a.jpg"))
        #expect(abs(png.brightness - jpeg.brightness) < 2)
        #expect(abs(png.information - jpeg.information) < 0.3)
    }
}

/// The cosine of two vectors of low frequencies.
func cosine(_ a: [Int8], _ b: [Int8]) -> Double {
    guard a.count == b.count, !a.isEmpty else { return 0 }
    var dot = 0.0, aa = 0.0, bb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        aa += Double(x) * Double(x)
        bb += Double(y) * Double(y)
    }
    return aa > 0 && bb > 0 ? dot / (aa.squareRoot() * bb.squareRoot()) : 0
}

/// An 8-bit picture written as a PNG by the test itself: stored (uncompressed) deflate blocks,
/// any of the five row filters, Adam7 interlacing and an eXIf orientation on demand.
struct SyntheticPNG {
    var width: Int
    var height: Int
    var channels: Int
    var samples: [UInt8]

    /// A seeded picture of gradients, blocks and noise.
    init(width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        samples = []
        samples.reserveCapacity(width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    let block = (x / 23 + y / 17 + c) % 3 == 0 ? 90 : 0
                    samples.append(UInt8((x * 255 / width + y * 2 + block + Int(seed >> 60)) % 256))
                }
            }
        }
    }

    init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// Scene A of the quality fixtures (480 x 360), as RGB pixels decoded by libpng, at most
    /// `maxSide` pixels long.
    static func scene(maxSide: Int = 4096) throws -> SyntheticPNG { try decoded("quality/scene-a.png", maxSide: maxSide) }

    /// A fixture's RGB pixels, as the thumbnail code decodes them (libpng, libjpeg).
    static func decoded(_ fixture: String, maxSide: Int) throws -> SyntheticPNG {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixturePaths.image(fixture))))
        let pixels = try Thumbnail.pixels(bytes, maxSide: maxSide, maxPixels: ProbeOptions.defaultMaxPixels).get()
        return SyntheticPNG(width: pixels.width, height: pixels.height, channels: 3, samples: pixels.rgb)
    }

    func grey() -> SyntheticPNG {
        precondition(channels == 3)
        var out: [UInt8] = []
        out.reserveCapacity(width * height)
        for i in stride(from: 0, to: samples.count, by: 3) {
            let r: Int = 299 * Int(samples[i]), g: Int = 587 * Int(samples[i + 1]), b: Int = 114 * Int(samples[i + 2])
            out.append(UInt8((r + g + b + 500) / 1000))
        }
        return SyntheticPNG(width: width, height: height, channels: 1, samples: out)
    }

    /// The picture a viewer shows for these pixels stored with `orientation` (EXIFPixels' table).
    func transformed(orientation: Int) -> SyntheticPNG {
        let grid = (0..<height).map { y in (0..<width).map { x in y * width + x } }
        let shown = EXIFPixels.displayed(grid, orientation: orientation)
        var out: [UInt8] = []
        out.reserveCapacity(samples.count)
        for row in shown {
            for index in row { out.append(contentsOf: samples[(index * channels)..<((index + 1) * channels)]) }
        }
        return SyntheticPNG(width: shown[0].count, height: shown.count, channels: channels, samples: out)
    }

    func png(interlaced: Bool = false, filters: Bool = false, orientation: Int? = nil) -> [UInt8] {
        var data: [UInt8] = []
        func appendRows(_ xs: StrideTo<Int>, _ ys: StrideTo<Int>) {
            let columns = Array(xs)
            guard !columns.isEmpty else { return }
            var prior = [UInt8](repeating: 0, count: columns.count * channels)
            for (n, y) in ys.enumerated() {
                var row: [UInt8] = []
                for x in columns { row.append(contentsOf: samples[((y * width + x) * channels)..<((y * width + x + 1) * channels)]) }
                let filter = filters ? n % 5 : 0
                data.append(UInt8(filter))
                data.append(contentsOf: Self.filtered(row, prior: prior, type: filter, bpp: channels))
                prior = row
            }
        }
        if interlaced {
            for (x0, y0, dx, dy) in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)] {
                appendRows(stride(from: x0, to: width, by: dx), stride(from: y0, to: height, by: dy))
            }
        } else {
            appendRows(stride(from: 0, to: width, by: 1), stride(from: 0, to: height, by: 1))
        }
        let colourType: UInt8 = channels == 3 ? 2 : 0
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += Self.chunk("IHDR", Self.be32(width) + Self.be32(height) + [8, colourType, 0, 0, interlaced ? 1 : 0])
        if let orientation {
            // A big-endian TIFF header and one IFD entry: Orientation (0x0112), SHORT, 1 value.
            let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0, 0, 0, 0, 0]
            out += Self.chunk("eXIf", tiff)
        }
        out += Self.chunk("IDAT", Self.storedZlib(data))
        out += Self.chunk("IEND", [])
        return out
    }

    static func filtered(_ row: [UInt8], prior: [UInt8], type: Int, bpp: Int) -> [UInt8] {
        (0..<row.count).map { i in
            let a = i >= bpp ? Int(row[i - bpp]) : 0, b = Int(prior[i]), c = i >= bpp ? Int(prior[i - bpp]) : 0
            let predicted: Int
            switch type {
            case 1: predicted = a
            case 2: predicted = b
            case 3: predicted = (a + b) / 2
            case 4:
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
            default: predicted = 0
            }
            return UInt8(truncatingIfNeeded: Int(row[i]) - predicted)
        }
    }

    static func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return be32(data.count) + typed + be32(Int(Checksum.crc32(typed)))
    }

    /// A zlib stream of stored deflate blocks.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65535, data.count)
            let n = end - start
            out += [end == data.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var a = 1, b = 0
        for byte in data {
            a = (a + Int(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(b << 16 | a)
    }

    static func probe(_ bytes: [UInt8], in folder: URL, name: String) throws -> ImageFacts {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return ImageProbe(options: ProbeOptions(mode: .full)).examine(path: url.path)
    }
}
