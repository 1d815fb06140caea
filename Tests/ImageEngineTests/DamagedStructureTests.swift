import Foundation
import Testing
@testable import ImageEngine

/// Damage that real files carry (seen in decoder test suites): the probe must name it the
/// way libpng and libjpeg would, and still report what the headers say.
@Suite("Damaged structures")
struct DamagedStructureTests {
    let full = ImageProbe(options: ProbeOptions(mode: .full))
    let header = ImageProbe(options: ProbeOptions(mode: .header))

    func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixturePaths.image(name))))
    }

    func write(_ bytes: [UInt8], _ name: String, in dir: TemporaryDirectory) throws -> String {
        let path = dir.path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func strayBytesBeforeAJPEGMarkerAreSkippedLikeLibjpegDoes() throws {
        let dir = try TemporaryDirectory()
        var bytes = try fixture("jpeg-baseline.jpg")
        bytes.insert(contentsOf: [0x00, 0x11, 0x22, 0xFF, 0x00], at: 2)
        let path = try write(bytes, "stray.jpg", in: dir)
        let headerFacts = header.examine(path: path)
        #expect(headerFacts.width == 96 && headerFacts.height == 72)
        #expect(headerFacts.integrity == .corrupt)
        #expect(headerFacts.problems.map(\.code) == [.corruptData])
        let fullFacts = full.examine(path: path)
        #expect(fullFacts.integrity == .corrupt)
        #expect(fullFacts.problems.first?.message.contains("extraneous bytes") == true)
    }

    @Test func aDamagedFirstMarkerIsStillAJPEG() throws {
        let dir = try TemporaryDirectory()
        var bytes = try fixture("jpeg-baseline.jpg")
        bytes[2] = 0xFE // FF D8 FE E0 ...: the APP0 marker's 0xFF is damaged
        let facts = full.examine(path: try write(bytes, "damaged-app0.jpg", in: dir))
        #expect(facts.format == .jpeg)
        #expect(facts.width == 96)
        #expect(facts.integrity == .corrupt)
    }

    @Test func anImpossibleSegmentLengthIsReadPastAsLibjpegDoes() throws {
        let dir = try TemporaryDirectory()
        var bytes = try fixture("jpeg-baseline.jpg")
        bytes.insert(contentsOf: [0xFF, 0xFE, 0x00, 0x00], at: 2) // a comment segment of length 0
        let facts = header.examine(path: try write(bytes, "zero-length.jpg", in: dir))
        #expect(facts.width == 96 && facts.height == 72)
        #expect(facts.integrity == .corrupt)
    }

    @Test func aPNGSignatureMangledByATextModeTransferIsAPNG() throws {
        let dir = try TemporaryDirectory()
        var bytes = try fixture("png-rgb8.png")
        bytes[4] = 0x0A // CR LF turned into LF LF
        for probe in [full, header] {
            let facts = probe.examine(path: try write(bytes, "ascii.png", in: dir))
            #expect(facts.format == .png)
            #expect(facts.integrity == .corrupt)
            #expect(facts.problems.map(\.code) == [.damagedHeader])
            #expect(facts.problems.first?.message.contains("text-mode") == true)
        }
    }

    @Test(arguments: [(9, 8, "colour type 9"), (2, 3, "bit depth 3")])
    func impossibleIHDRValuesAreDamageEvenInHeaderMode(color: Int, depth: Int, words: String) throws {
        let dir = try TemporaryDirectory()
        var bytes = try fixture("png-rgb8.png")
        bytes[24] = UInt8(depth)
        bytes[25] = UInt8(color)
        let crc = crc32(Array(bytes[12..<29]))
        bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        let facts = header.examine(path: try write(bytes, "ihdr.png", in: dir))
        #expect(facts.integrity == .corrupt)
        #expect(facts.problems.map(\.code) == [.damagedHeader])
        #expect(facts.problems.first?.message.contains(words) == true)
    }

    @Test func aWarningAboutAnOptionalChunkIsANoticeNotCorruption() throws {
        // A grayscale PNG whose tRNS chunk names a gray level its bit depth cannot hold.
        let dir = try TemporaryDirectory()
        var bytes = try fixture("png-gray8.png")
        let payload: [UInt8] = [0x01, 0x2C]
        var chunk: [UInt8] = [0, 0, 0, 2] + Array("tRNS".utf8) + payload
        let crc = crc32(Array(chunk[4...]))
        chunk += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        bytes.insert(contentsOf: chunk, at: 33) // right after IHDR
        let facts = full.examine(path: try write(bytes, "trns.png", in: dir))
        #expect(facts.integrity == .ok)
        #expect(facts.problems.map(\.code) == [.decoderNotice])
    }

    /// The PNG chunk CRC, written out so the test does not lean on the code under test.
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
