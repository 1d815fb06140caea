import Foundation
import Testing
@testable import ImageEngine

/// A PNG writer for pictures the tests choose pixel by pixel: 8-bit RGB, stored (uncompressed)
/// deflate blocks, optionally Adam7-interlaced.
enum TinyPNG {
    static func rgb(width: Int, height: Int, interlaced: Bool = false, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
        var raw: [UInt8] = []
        let passes: [(x0: Int, y0: Int, dx: Int, dy: Int)] = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        for pass in passes {
            let xs = Array(stride(from: pass.x0, to: width, by: pass.dx))
            guard !xs.isEmpty else { continue }
            for y in stride(from: pass.y0, to: height, by: pass.dy) {
                raw.append(0)
                for x in xs {
                    let (r, g, b) = pixel(x, y)
                    raw += [r, g, b]
                }
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let last: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += be32(b << 16 | a)
        var out: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, interlaced ? 1 : 0])
        out += chunk("IDAT", zlib)
        out += chunk("IEND", [])
        return out
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xffff_ffff
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return be32(UInt32(data.count)) + body + be32(~crc)
    }
}

@Suite("Thumbnails")
struct ThumbnailTests {
    /// Left half red, right half blue.
    static func halves(_ x: Int, _ y: Int, width: Int) -> (UInt8, UInt8, UInt8) { x < width / 2 ? (220, 20, 20) : (20, 20, 220) }

    @Test func pngIsAveragedDownKeepingItsColoursAndShape() throws {
        let png = TinyPNG.rgb(width: 600, height: 300) { x, y in Self.halves(x, y, width: 600) }
        let small = try Thumbnail.pixels(png, maxSide: 200, maxPixels: 1 << 30).get()
        #expect((small.width, small.height, small.imageWidth, small.imageHeight) == (200, 100, 600, 300))
        #expect(Array(small.rgb[0..<3]) == [220, 20, 20])
        let lastPixel = (small.width * small.height - 1) * 3
        #expect(Array(small.rgb[lastPixel..<(lastPixel + 3)]) == [20, 20, 220])
    }

    @Test func interlacedPNGGivesThePictureItsPlainTwinGives() throws {
        for (width, height) in [(61, 47), (300, 5), (9, 1)] {
            let plain = TinyPNG.rgb(width: width, height: height) { x, y in Self.halves(x, y, width: width) }
            let interlaced = TinyPNG.rgb(width: width, height: height, interlaced: true) { x, y in Self.halves(x, y, width: width) }
            let a = try Thumbnail.pixels(plain, maxSide: 32, maxPixels: 1 << 30).get()
            let b = try Thumbnail.pixels(interlaced, maxSide: 32, maxPixels: 1 << 30).get()
            #expect(a.rgb == b.rgb, "\(width) x \(height)")
            #expect(b.note == nil)
        }
    }

    @Test func jpegIsDecodedAtReducedScaleAndEncodedSmall() throws {
        let thumbnail = try Thumbnail.make(path: FixturePaths.image("jpeg-640x480.jpg"), maxSide: 256).get()
        #expect((thumbnail.width, thumbnail.height, thumbnail.imageWidth, thumbnail.imageHeight) == (256, 192, 640, 480))
        let facts = ImageProbe(options: ProbeOptions(mode: .full)).examine(path: try write(thumbnail.jpeg))
        #expect(facts.format == .jpeg && facts.width == 256 && facts.height == 192 && facts.integrity == .ok)
        #expect(thumbnail.jpeg.count < 30_000)
    }

    @Test func encodedColoursSurviveTheRoundTrip() throws {
        let rgb = (0..<(64 * 32)).flatMap { i -> [UInt8] in
            let (r, g, b) = Self.halves(i % 64, i / 64, width: 64)
            return [r, g, b]
        }
        let jpeg = try Thumbnail.encode(rgb, width: 64, height: 32).get()
        let back = try Thumbnail.pixels(jpeg, maxSide: 64, maxPixels: 1 << 30).get()
        #expect((back.width, back.height) == (64, 32))
        #expect(abs(Int(back.rgb[0]) - 220) < 12 && abs(Int(back.rgb[2]) - 20) < 12)
    }

    @Test func everyFixtureGivesAPictureOrAReasonQuickly() throws {
        let folders = ["images", "hostile/images"].map { FixturePaths.root.appendingPathComponent($0) }
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where !name.hasSuffix(".md") {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = Thumbnail.make(path: folder.appendingPathComponent(name).path)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                // The slowest is png-zlib-bomb.png, a real 10000 x 10000 image (1.5 s in a debug
                // build); files built to take minutes (2 GB chunks, thousands of scans) stay far under.
                #expect(seconds < 10, "\(name) took \(seconds) s")
                switch result {
                case .success(let thumbnail):
                    #expect(max(thumbnail.width, thumbnail.height) <= Thumbnail.defaultMaxSide, "\(name)")
                    #expect(thumbnail.jpeg.starts(with: [0xff, 0xd8, 0xff]), "\(name)")
                case .failure(let failure):
                    #expect(!failure.message.isEmpty, "\(name)")
                }
            }
        }
    }

    @Test func damagedImagesSayWhy() throws {
        let truncated = try Thumbnail.make(path: FixturePaths.image("png-truncated.png")).get()
        #expect(truncated.note?.contains("stops where decoding did") == true)
        guard case .failure(let text) = Thumbnail.make(path: FixturePaths.image("text-named.png")) else {
            Issue.record("a text file gave a picture")
            return
        }
        #expect(text.message.contains("only PNG and JPEG"))
        guard case .failure(let huge) = Thumbnail.make(path: FixturePaths.image("png-huge-header.png"), maxPixels: 1_000_000) else {
            Issue.record("a header over the pixel limit gave a picture")
            return
        }
        #expect(huge.message.contains("more than the limit"))
    }

    private func write(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("thumbnail-\(UUID().uuidString).jpg")
        try Data(bytes).write(to: url)
        return url.path
    }
}
