import Foundation
import Testing
@testable import ImageEngine
import PreflightTestSupport

@Suite("Probe details")
struct ProbeDetailTests {
    let full = ImageProbe(options: ProbeOptions(mode: .full))
    let header = ImageProbe(options: ProbeOptions(mode: .header))

    @Test(arguments: 1...8)
    func exifOrientationAndDisplaySize(_ value: Int) {
        for probe in [full, header] {
            let facts = probe.examine(path: FixturePaths.image("jpeg-exif-orientation-\(value).jpg"))
            #expect(facts.orientation?.rawValue == value)
            #expect(facts.width == 96 && facts.height == 64)
            if value >= 5 {
                #expect(facts.displayWidth == 64 && facts.displayHeight == 96)
            } else {
                #expect(facts.displayWidth == 96 && facts.displayHeight == 64)
            }
        }
    }

    @Test func pngEXIFOrientation() {
        let facts = header.examine(path: FixturePaths.image("png-exif-orientation6.png"))
        #expect(facts.orientation == .rotate90CW)
        #expect(facts.displayWidth == 64 && facts.displayHeight == 96)
    }

    @Test func animationAndInterlacing() {
        #expect(header.examine(path: FixturePaths.image("apng.png")).animationFrames == 3)
        #expect(header.examine(path: FixturePaths.image("png-rgb8.png")).animationFrames == nil)
        #expect(header.examine(path: FixturePaths.image("png-interlaced.png")).interlaced == true)
        #expect(header.examine(path: FixturePaths.image("png-rgb8.png")).interlaced == false)
    }

    @Test func jpegProcesses() {
        #expect(header.examine(path: FixturePaths.image("jpeg-baseline.jpg")).jpegProcess == .baseline)
        #expect(header.examine(path: FixturePaths.image("jpeg-progressive.jpg")).jpegProcess == .progressive)
        #expect(header.examine(path: FixturePaths.image("jpeg-arithmetic.jpg")).arithmeticCoding == true)
        #expect(header.examine(path: FixturePaths.image("jpeg-baseline.jpg")).arithmeticCoding == false)
        #expect(header.examine(path: FixturePaths.image("jpeg-lossless.jpg")).jpegProcess == .lossless)
        #expect(header.examine(path: FixturePaths.image("jpeg-cmyk.jpg")).channels == 4)
    }

    @Test func trailingBytesAreCounted() {
        #expect(full.examine(path: FixturePaths.image("png-trailing-data.png")).trailingBytes == 100)
        #expect(full.examine(path: FixturePaths.image("jpeg-trailing-data.jpg")).trailingBytes == 100)
        #expect(full.examine(path: FixturePaths.image("jpeg-baseline.jpg")).trailingBytes == 0)
    }

    @Test func specialFilesAreFindings() throws {
        let dir = try TemporaryDirectory()
        let missing = full.examine(path: dir.path + "/nope.jpg")
        #expect(missing.integrity == .unreadable)
        #expect(missing.problems.map(\.code) == [.fileMissing])

        let asDirectory = full.examine(path: dir.path)
        #expect(asDirectory.integrity == .unreadable)
        #expect(asDirectory.problems.map(\.code) == [.notRegularFile])

        let fifo = dir.path + "/pipe.jpg"
        #expect(mkfifo(fifo, 0o644) == 0)
        let pipe = full.examine(path: fifo) // must not block waiting for a writer
        #expect(pipe.problems.map(\.code) == [.notRegularFile])
        #expect(pipe.problems.first?.message.contains("FIFO") == true)
    }

    @Test func fileEndingInsideTheHeader() throws {
        let dir = try TemporaryDirectory()
        for (name, keep) in [("jpeg-baseline.jpg", 40), ("png-rgb8.png", 20)] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.image(name)))
            let path = dir.path + "/cut-" + name
            try bytes.prefix(keep).write(to: URL(fileURLWithPath: path))
            for probe in [full, header] {
                let facts = probe.examine(path: path)
                #expect(facts.integrity == .corrupt, "\(name) in \(probe.options.mode)")
                #expect(facts.hasProblem(.truncated), "\(facts.problems)")
            }
        }
    }

    @Test func largeEXIFBlockIsReadPastTheFirstPrefix() throws {
        // A JPEG whose APP segments push the frame header past the first bytes read.
        let dir = try TemporaryDirectory()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FixturePaths.image("jpeg-baseline.jpg"))))
        var padding: [UInt8] = []
        for _ in 0..<3 { padding += [0xFF, 0xE2, 0xFF, 0xFF] + [UInt8](repeating: 0x41, count: 0xFFFD) }
        bytes.insert(contentsOf: padding, at: 2)
        let path = dir.path + "/big-app.jpg"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let facts = header.examine(path: path)
        #expect(facts.width == 96 && facts.height == 72)
        #expect(facts.problems.isEmpty)
        #expect(full.examine(path: path).integrity == .ok)
    }

    @Test func pixelLimitIsConfigurable() {
        let strict = ImageProbe(options: ProbeOptions(mode: .full, maxPixels: 1000))
        let facts = strict.examine(path: FixturePaths.image("jpeg-baseline.jpg"))
        #expect(facts.integrity == .notChecked)
        #expect(facts.problems.map(\.code) == [.tooManyPixels])
    }

    /// Scaled and coefficient-only decoding must find exactly the faults a full-size decode finds.
    @Test func everyJPEGMethodFindsTheSameFaults() {
        let names = ["jpeg-baseline.jpg", "jpeg-progressive.jpg", "jpeg-arithmetic.jpg", "jpeg-cmyk.jpg",
                     "jpeg-truncated.jpg", "jpeg-corrupt-entropy.jpg", "jpeg-trailing-data.jpg", "jpeg-restart.jpg"]
        let methods: [JPEGDecodeMethod] = [.scanlines(scaleDenominator: 1), .scanlines(scaleDenominator: 8), .coefficients]
        for name in names {
            let verdicts = methods.map { method -> [String] in
                let facts = ImageProbe(options: ProbeOptions(mode: .full, jpegMethod: method)).examine(path: FixturePaths.image(name))
                return [facts.integrity.rawValue] + facts.problems.map(\.code.rawValue)
            }
            #expect(Set(verdicts.map { $0.joined(separator: ",") }).count == 1, "\(name): \(verdicts)")
        }
    }

    @Test func sniffingIgnoresNames() {
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff([0xFF, 0xD8]) == .jpeg, "a JPEG whose first marker is damaged is still a JPEG")
        #expect(ImageFormat.sniff([0xFF, 0xD9]) == .unknown)
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0D, 0x0A, 0x1A]) == .png)
        #expect(ImageFormat.sniff([]) == .unknown)
        #expect(ImageFormat.promised(byFileName: "a/b.JPG") == .jpeg)
        #expect(ImageFormat.promised(byFileName: "a.b/noext") == nil)
    }
}

/// A folder under the system's temporary directory, removed when the value goes away.
final class TemporaryDirectory {
    let path: String
    init() throws {
        let url = try makeTemporaryFolder("test")
        path = url.path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
