import Foundation
import Testing
@testable import ImageEngine

/// The inflate check must find exactly the faults libpng's row-by-row decode finds, in the
/// same words: every committed PNG, then faults built into real fixtures' chunks.
@Suite("PNG decode methods")
struct PNGMethodTests {
    // MARK: Every committed PNG

    @Test func everyPNGMethodFindsTheSameFaults() throws {
        var checked = 0
        for folder in [FixturePaths.root.appendingPathComponent("images"), HostileImages.folder] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
                let path = folder.appendingPathComponent(name).path
                let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
                guard ImageFormat.sniff(bytes) == .png else { continue }
                let facts = PNGDecodeMethod.allCases.map { PNGCase.probe($0).examine(path: path) }
                #expect(facts[0] == facts[1], "\(name)")
                let outcomes = PNGDecodeMethod.allCases.map {
                    PNGDecoder.decode(bytes, maxPixels: ProbeOptions.defaultMaxPixels, method: $0)
                }
                #expect(outcomes[0] == outcomes[1], "\(name)")
                checked += 1
            }
        }
        #expect(checked >= 30, "only \(checked) PNG fixtures found")
    }

    // MARK: Faults in the image data

    /// png-rgb8.png (96 x 72 RGB) with its image data replaced by `rows`, stored uncompressed.
    static func rgb8(rows: [[UInt8]], chunkSizes: [Int] = []) -> [UInt8] {
        var png = PNGChunks(fixture: "png-rgb8.png")
        png.setImageData(ZlibStored.encode(Array(rows.joined())), chunkSizes: chunkSizes)
        return png.bytes
    }

    static let rgb8Rows = PNGCase.rows(width: 96, height: 72, bytesPerPixel: 3)

    @Test func rebuiltImageDataIsIntact() throws {
        let facts = try PNGCase.facts(Self.rgb8(rows: Self.rgb8Rows))
        #expect(facts.integrity == .ok && facts.problems.isEmpty, "\(facts.problems)")
    }

    @Test func aFilterByteOverFourIsCorrupt() throws {
        var rows = Self.rgb8Rows
        rows[40][0] = 5
        let bytes = Self.rgb8(rows: rows)
        let facts = try PNGCase.facts(bytes)
        #expect(facts.integrity == .corrupt)
        #expect(facts.problems.map(\.message) == ["libpng: bad adaptive filter value"], "\(facts.problems)")
        for method in PNGDecodeMethod.allCases {
            #expect(PNGDecoder.decode(bytes, maxPixels: 1 << 20, method: method).rowsDecoded == 40, "\(method)")
        }
    }

    @Test func imageDataOneRowShortIsTruncated() throws {
        let facts = try PNGCase.facts(Self.rgb8(rows: Array(Self.rgb8Rows.dropLast())))
        #expect(facts.integrity == .corrupt)
        #expect(facts.problems.map(\.code) == [.truncated], "\(facts.problems)")
        #expect(facts.problems.first?.message.contains("71 of 72 rows decoded): libpng: Not enough image data") == true,
                "\(facts.problems)")
    }

    @Test func anExtraRowIsANotice() throws {
        let facts = try PNGCase.facts(Self.rgb8(rows: Self.rgb8Rows + [Self.rgb8Rows[0]]))
        #expect(facts.integrity == .ok)
        #expect(facts.problems.map(\.message) == ["libpng: IDAT: Too much image data"], "\(facts.problems)")
    }

    /// libpng checks the Adler-32 strictly only when it arrives in the same 8 KB read as the
    /// last row; after that it looks for the stream's end leniently.
    @Test func aWrongChecksumIsAnErrorOrANoticeAsLibpngReadsIt() throws {
        var stream = ZlibStored.encode(Array(Self.rgb8Rows.joined()))
        stream[stream.count - 1] ^= 0xFF
        for (sizes, expected) in [([Int](), Integrity.corrupt), ([stream.count - 4], .ok)] {
            var png = PNGChunks(fixture: "png-rgb8.png")
            png.setImageData(stream, chunkSizes: sizes)
            let facts = try PNGCase.facts(png.bytes)
            #expect(facts.integrity == expected, "chunks \(sizes): \(facts.problems)")
            #expect(facts.problems.map(\.message).first?.hasSuffix("IDAT: incorrect data check") == true, "\(facts.problems)")
        }
        // The same in the fixture's own compressed data.
        var png = PNGChunks(fixture: "png-rgb8.png")
        var own = png.imageData
        own[own.count - 2] ^= 0x01
        png.setImageData(own)
        let facts = try PNGCase.facts(png.bytes)
        #expect(facts.integrity == .corrupt && facts.problems.map(\.message) == ["libpng: IDAT: incorrect data check"],
                "\(facts.problems)")
    }

    @Test func aPresetDictionaryIsRefused() throws {
        var png = PNGChunks(fixture: "png-rgb8.png")
        var stream = png.imageData
        stream[1] = stream[1] & 0xC0 | 0x20   // FDICT set, FCHECK made right again
        stream[1] |= UInt8((31 - (Int(stream[0]) << 8 | Int(stream[1])) % 31) % 31)
        stream.insert(contentsOf: [0, 0, 0, 1], at: 2)   // the dictionary's Adler-32
        png.setImageData(stream)
        let facts = try PNGCase.facts(png.bytes)
        #expect(facts.integrity == .corrupt)
        #expect(facts.problems.map(\.message) == ["libpng: IDAT: missing LZ dictionary"], "\(facts.problems)")
    }

    // MARK: Interlaced

    @Test func interlacedImageDataIsCheckedPassByPass() throws {
        // png-interlaced.png: 80 x 80 RGB, Adam7, its IDAT data over several chunks.
        var rows = PNGCase.rows(width: 80, height: 80, bytesPerPixel: 3, interlaced: true)
        var png = PNGChunks(fixture: "png-interlaced.png")
        png.setImageData(ZlibStored.encode(Array(rows.joined())), chunkSizes: [5000, 5000])
        let intact = try PNGCase.facts(png.bytes)
        #expect(intact.integrity == .ok && intact.problems.isEmpty, "\(intact.problems)")

        // The last pass holds the 40 odd rows at full width: the last 40 rows.
        rows[rows.count - 40][0] = 7
        png.setImageData(ZlibStored.encode(Array(rows.joined())), chunkSizes: [5000, 5000])
        let badFilter = try PNGCase.facts(png.bytes)
        #expect(badFilter.problems.map(\.message) == ["libpng: bad adaptive filter value"], "\(badFilter.problems)")

        var original = PNGChunks(fixture: "png-interlaced.png")
        let stream = original.imageData
        original.setImageData(Array(stream.dropLast(300)), chunkSizes: [1000])
        let short = try PNGCase.facts(original.bytes)
        #expect(short.integrity == .corrupt && short.problems.map(\.code) == [.truncated], "\(short.problems)")
    }
}

/// Probing bytes with both methods, and the rows of an image.
enum PNGCase {
    static func probe(_ method: PNGDecodeMethod) -> ImageProbe {
        ImageProbe(options: ProbeOptions(mode: .full, pngMethod: method))
    }

    /// The facts both methods find for `bytes`, which must be the same.
    static func facts(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> ImageFacts {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/case.png"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let facts = PNGDecodeMethod.allCases.map { probe($0).examine(path: path) }
        #expect(facts[0] == facts[1], sourceLocation: sourceLocation)
        let outcomes = PNGDecodeMethod.allCases.map { PNGDecoder.decode(bytes, maxPixels: 1 << 20, method: $0) }
        #expect(outcomes[0] == outcomes[1], sourceLocation: sourceLocation)
        return facts[0]
    }

    /// Rows of image data, each a filter byte (cycling through the five) and its pixels;
    /// with `interlaced`, the rows of the seven Adam7 passes in order.
    static func rows(width: Int, height: Int, bytesPerPixel: Int, interlaced: Bool = false) -> [[UInt8]] {
        let passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var rows: [[UInt8]] = []
        for (x0, y0, dx, dy) in passes {
            let columns = width > x0 ? (width - x0 + dx - 1) / dx : 0
            let count = height > y0 ? (height - y0 + dy - 1) / dy : 0
            guard columns > 0 else { continue }
            for y in 0..<count {
                let filter = UInt8(rows.count % 5)
                rows.append([filter] + (0..<columns * bytesPerPixel).map { UInt8(truncatingIfNeeded: $0 * 7 + y * 3) })
            }
        }
        return rows
    }
}

/// A PNG as its list of chunks, written back with every CRC right.
struct PNGChunks {
    var chunks: [(type: [UInt8], data: [UInt8])] = []

    init(fixture name: String) {
        let bytes = Array(FileManager.default.contents(atPath: FixturePaths.image(name)) ?? Data())
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            chunks.append((Array(bytes[offset + 4..<offset + 8]), Array(bytes[offset + 8..<offset + 8 + length])))
            offset += 12 + length
        }
    }

    /// The zlib stream held by the IDAT chunks.
    var imageData: [UInt8] { Array(chunks.filter { $0.type == Array("IDAT".utf8) }.map(\.data).joined()) }

    /// Replaces the IDAT chunks with `stream`, in chunks of `chunkSizes` bytes and the rest.
    mutating func setImageData(_ stream: [UInt8], chunkSizes: [Int] = []) {
        let idat = Array("IDAT".utf8)
        let at = chunks.firstIndex { $0.type == idat }!
        chunks.removeAll { $0.type == idat }
        var pieces: [[UInt8]] = []
        var offset = 0
        for size in chunkSizes {
            pieces.append(Array(stream[offset..<offset + size]))
            offset += size
        }
        pieces.append(Array(stream[offset...]))
        chunks.insert(contentsOf: pieces.map { (idat, $0) }, at: at)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for (type, data) in chunks {
            out += bigEndian(UInt32(data.count)) + type + data + bigEndian(Checksum.crc32(type + data))
        }
        return out
    }
}

/// zlib streams of stored (uncompressed) blocks: image data whose every byte a test controls.
enum ZlibStored {
    static func encode(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let last: UInt8 = offset + count == data.count ? 1 : 0
            out += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8(~count >> 8 & 0xFF)]
            out += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        return out + bigEndian(adler32(data))
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
