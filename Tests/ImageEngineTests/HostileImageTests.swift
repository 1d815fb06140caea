import Foundation
import Testing
import PreflightTestSupport
@testable import ImageEngine
#if canImport(Glibc)
import Glibc
#endif

/// Files from Fixtures/hostile (made by make_hostile.py), and a scratch folder for the ones
/// a test builds itself.
enum HostileImages {
    static let folder = FixturePaths.root.appendingPathComponent("hostile/images")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static func bytes(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path(name)) ?? Data()) }

    static func scratch() throws -> URL {
        let url = try makeTemporaryFolder("hostile")
        return url
    }

    static let full = ImageProbe(options: ProbeOptions(mode: .full))
    static let header = ImageProbe(options: ProbeOptions(mode: .header))

    /// The probe's facts and how long it took.
    static func timed(_ probe: ImageProbe, _ path: String) -> (facts: ImageFacts, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let facts = probe.examine(path: path)
        return (facts, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    static func codes(_ facts: ImageFacts) -> Set<ImageProblemCode> { Set(facts.problems.map(\.code)) }
}

@Suite("Hostile images")
struct HostileImageTests {
    // MARK: Sizes that would need gigabytes

    @Test func gigapixelHeadersAreRefusedBeforeDecoding() {
        for name in ["png-width-2g.png", "png-wide-row.png"] {
            for probe in [HostileImages.full, HostileImages.header] {
                let (facts, seconds) = HostileImages.timed(probe, HostileImages.path(name))
                #expect(facts.integrity == .notChecked, "\(name)")
                #expect(seconds < timeBound(1), "\(name) took \(seconds) s")
            }
            // Full mode says why it did not decode (header mode never decodes).
            let full = HostileImages.full.examine(path: HostileImages.path(name))
            #expect(HostileImages.codes(full) == [.tooManyPixels], "\(name): \(full.problems)")
        }
        let refused = HostileImages.full.examine(path: HostileImages.path("png-width-2g.png"))
        #expect(refused.width == 2_147_483_647 && refused.height == 1)
    }

    @Test(arguments: PNGDecodeMethod.allCases)
    func aRowOfEightHundredMegabytesIsRefusedByTheDecoder(method: PNGDecodeMethod) {
        // 100,000,000 x 1 is within the default pixel limit; the row size is not.
        let outcome = PNGDecoder.decode(HostileImages.bytes("png-wide-row.png"), maxPixels: ProbeOptions.defaultMaxPixels,
                                        method: method)
        guard case .refused(let message) = outcome.status else {
            Issue.record("expected a refusal, got \(outcome.status)")
            return
        }
        #expect(message.contains("rows of 800000000 bytes"))
        #expect(outcome.rowsDecoded == 0)
    }

    // MARK: Compressed data that expands

    @Test(arguments: PNGDecodeMethod.allCases)
    func aZlibBombDecodesRowByRow(method: PNGDecodeMethod) {
        let probe = ImageProbe(options: ProbeOptions(mode: .full, pngMethod: method))
        let (facts, seconds) = HostileImages.timed(probe, HostileImages.path("png-zlib-bomb.png"))
        #expect(facts.integrity == .ok)
        #expect(facts.width == 10000 && facts.height == 10000)
        #expect(seconds < timeBound(3), "took \(seconds) s")
    }

    @Test(arguments: PNGDecodeMethod.allCases)
    func compressedDataAfterTheImageIsNotInflated(method: PNGDecodeMethod) {
        let bytes = HostileImages.bytes("png-idat-surplus.png")
        let outcome = PNGDecoder.decode(bytes, maxPixels: ProbeOptions.defaultMaxPixels, method: method)
        #expect(outcome.status == .decoded)
        #expect(outcome.rowsDecoded == 64)
        #expect(outcome.firstWarning?.contains("left unread") == true, "\(String(describing: outcome.firstWarning))")
        let probe = ImageProbe(options: ProbeOptions(mode: .full, pngMethod: method))
        let facts = probe.examine(path: HostileImages.path("png-idat-surplus.png"))
        #expect(facts.problems.contains { $0.message.contains("Too much image data") })
    }

    @Test func textAndProfileChunksAreNotInflated() {
        for name in ["png-ztxt-bomb.png", "png-iccp-bomb.png"] {
            let (facts, seconds) = HostileImages.timed(HostileImages.full, HostileImages.path(name))
            #expect(facts.integrity == .ok, "\(name): \(facts.problems)")
            // 24 chunks of 16 MB each took 3 s to inflate; skipped, they cost nothing.
            #expect(seconds < timeBound(1), "\(name) took \(seconds) s")
        }
    }

    // MARK: JPEG

    @Test func thousandsOfScansAreRefused() {
        let (refused, elapsed) = HostileImages.timed(HostileImages.full, HostileImages.path("jpeg-many-scans.jpg"))
        #expect(refused.integrity == .notChecked)
        #expect(refused.problems.contains { $0.message.contains("more than 100 scans") }, "\(refused.problems)")
        #expect(elapsed < timeBound(1))
        // Within the limit, a large image's scans are all decoded in bounded time.
        let (facts, seconds) = HostileImages.timed(HostileImages.full, HostileImages.path("jpeg-scans-4096.jpg"))
        #expect(facts.integrity == .ok, "\(facts.problems)")
        #expect(seconds < timeBound(5), "took \(seconds) s")
    }

    @Test func aDecodeOverTheMemoryLimitIsRefusedNotCalledCorrupt() {
        // 64 progressive scans of 4096 x 4096 hold 32 MB of coefficients.
        var limits = JPEGDecoder.Limits(maxPixels: ProbeOptions.defaultMaxPixels)
        limits.maxMemoryBytes = 4 << 20
        let outcome = JPEGDecoder.decode(HostileImages.bytes("jpeg-scans-4096.jpg"), limits: limits)
        guard case .refused(let message) = outcome.status else {
            Issue.record("expected a refusal, got \(outcome.status)")
            return
        }
        #expect(message.contains("memory limit"))
    }

    @Test func aTruncatedProgressiveGiantIsReportedAsTruncated() {
        let facts = HostileImages.full.examine(path: HostileImages.path("jpeg-progressive-huge-cut.jpg"))
        #expect(facts.integrity == .corrupt)
        #expect(HostileImages.codes(facts).contains(.truncated), "\(facts.problems)")
    }

    @Test func cmykYcckTwelveBitAndLosslessJPEGs() {
        let ycck = HostileImages.full.examine(path: HostileImages.path("jpeg-ycck.jpg"))
        #expect(ycck.colorSpace == "ycck")
        #expect(ycck.integrity == .ok, "\(ycck.problems)")
        let cmyk = HostileImages.full.examine(path: FixturePaths.image("jpeg-cmyk.jpg"))
        #expect(cmyk.colorSpace == "cmyk" && cmyk.integrity == .ok)
        for name in ["jpeg-12bit.jpg", "jpeg-lossless.jpg"] {
            for probe in [HostileImages.full, HostileImages.header] {
                let facts = probe.examine(path: FixturePaths.image(name))
                #expect(facts.integrity == .unsupported, "\(name)")
                #expect(HostileImages.codes(facts).contains(.unsupportedEncoding), "\(name)")
            }
        }
    }

    @Test func markersOfTheLongestLengthAreSkipped() {
        for probe in [HostileImages.full, HostileImages.header] {
            let facts = probe.examine(path: HostileImages.path("jpeg-huge-markers.jpg"))
            #expect(facts.width == 96 && facts.height == 72, "\(facts.problems)")
            #expect(!HostileImages.codes(facts).contains(.truncated))
        }
    }

    @Test func markersFillingSeventeenMegabytesAreNotCalledTruncated() throws {
        // Past the 16 MB header mode reads at most: the file does not end there.
        let folder = try HostileImages.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baseline = Array(FileManager.default.contents(atPath: FixturePaths.image("jpeg-baseline.jpg"))!)
        var bytes = Array(baseline[0..<2])
        let segment: [UInt8] = [0xFF, 0xFE, 0xFF, 0xFF] + [UInt8](repeating: 0x41, count: 65533)
        for _ in 0..<260 { bytes += segment }
        bytes += baseline[2...]
        let path = folder.appendingPathComponent("markers.jpg").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))

        let header = HostileImages.header.examine(path: path)
        #expect(header.integrity == .notChecked)
        #expect(HostileImages.codes(header) == [.tooLargeToDecode], "\(header.problems)")
        let full = HostileImages.full.examine(path: path)
        #expect(full.integrity == .ok && full.width == 96, "\(full.problems)")
    }

    // MARK: PNG structure

    @Test func absurdChunkLengths() {
        let over = HostileImages.full.examine(path: HostileImages.path("png-chunk-length-over.png"))
        #expect(over.integrity == .corrupt && HostileImages.codes(over).contains(.damagedHeader), "\(over.problems)")
        for name in ["png-chunk-length-max.png", "png-idat-length-max.png"] {
            let (facts, seconds) = HostileImages.timed(HostileImages.full, HostileImages.path(name))
            #expect(facts.integrity == .corrupt, "\(name)")
            #expect(HostileImages.codes(facts).contains(.truncated), "\(name): \(facts.problems)")
            #expect(seconds < timeBound(1))
            #expect(HostileImages.header.examine(path: HostileImages.path(name)).width == 64)
        }
    }

    @Test func chunksDeclaringTwoGigabytesAreSkippedUnread() {
        // Found by the png fuzz target: libpng allocated an eXIf chunk's declared length
        // before reading it (the command-line tests measure the address space). Such chunks
        // are now skipped, reading no further than the file.
        for name in ["png-exif-length-2g.png", "png-splt-length-2g.png"] {
            for method in PNGDecodeMethod.allCases {
                let outcome = PNGDecoder.decode(HostileImages.bytes(name), maxPixels: ProbeOptions.defaultMaxPixels, method: method)
                #expect(outcome.status != .decoded, "\(name), \(method)")
            }
            let (facts, seconds) = HostileImages.timed(HostileImages.full, HostileImages.path(name))
            #expect(facts.integrity == .corrupt && HostileImages.codes(facts).contains(.truncated), "\(name): \(facts.problems)")
            #expect(seconds < timeBound(1))
        }
    }

    // MARK: Files that end early

    @Test func filesEndingInsideAHeader() {
        let cases: [(String, ImageFormat)] = [
            ("png-cut-in-signature.png", .png), ("png-cut-in-ihdr.png", .png), ("jpeg-soi-only.jpg", .jpeg),
            ("jpeg-cut-in-sof.jpg", .jpeg), ("jpeg-cut-in-marker.jpg", .jpeg),
        ]
        for (name, format) in cases {
            for probe in [HostileImages.full, HostileImages.header] {
                let facts = probe.examine(path: HostileImages.path(name))
                #expect(facts.format == format, "\(name)")
                #expect(facts.integrity == .corrupt, "\(name) in \(probe.options.mode) mode")
                #expect(HostileImages.codes(facts).contains(.truncated), "\(name): \(facts.problems)")
            }
        }
    }

    @Test func theTwoByteStartOfImageNoLongerCrashes() {
        // Found by the sniff fuzz target: the sniffer took FF D8 for a JPEG, the marker
        // walker wanted 3 bytes, and the probe unwrapped its nil.
        #expect(ImageFormat.sniff([0xFF, 0xD8]) == .jpeg)
        #expect(JPEGHeader.read([0xFF, 0xD8])?.ranOutOfBytes == true)
    }

    @Test func everyPrefixOfAnImageIsReportedAsDamaged() throws {
        let folder = try HostileImages.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["png-rgb8.png", "jpeg-baseline.jpg", "jpeg-progressive.jpg"] {
            let whole = Array(FileManager.default.contents(atPath: FixturePaths.image(name))!)
            let path = folder.appendingPathComponent(name).path
            for length in stride(from: 0, to: whole.count, by: 7) {
                FileManager.default.createFile(atPath: path, contents: Data(whole[0..<length]))
                let full = HostileImages.full.examine(path: path)
                #expect(full.integrity != .ok, "\(name) cut to \(length) bytes was found intact")
                #expect(!full.problems.isEmpty, "\(name) cut to \(length) bytes: no problem reported")
                _ = HostileImages.header.examine(path: path)
            }
        }
    }

    // MARK: What is there instead of a file

    @Test func aFileThatChangesWhileBeingReadNeverCrashesTheProbe() throws {
        let folder = try HostileImages.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("changing.png").path
        let whole = Array(FileManager.default.contents(atPath: FixturePaths.image("png-rgb8.png"))!)
        FileManager.default.createFile(atPath: path, contents: Data(whole))
        let stop = ManagedAtomicFlag()
        let writer = Thread {
            var step = 0
            while !stop.isSet {
                switch step % 4 {
                case 0: FileManager.default.createFile(atPath: path, contents: Data(whole))
                case 1: truncate(path, off_t(whole.count / 3))
                case 2: unlink(path)
                default: FileManager.default.createFile(atPath: path, contents: Data(whole + whole))
                }
                step += 1
            }
        }
        writer.start()
        defer { stop.set() }
        var outcomes = Set<Integrity>()
        for index in 0..<400 {
            let facts = (index % 2 == 0 ? HostileImages.full : HostileImages.header).examine(path: path)
            outcomes.insert(facts.integrity)
            if facts.integrity != .ok && facts.integrity != .notChecked {
                #expect(!facts.problems.isEmpty)
            }
            if facts.integrity == .ok { #expect(facts.width == 96 && facts.height == 72) }
        }
        stop.set()
        while !writer.isFinished { usleep(1000) }
        #expect(!outcomes.isEmpty)
    }

    @Test func fifosDirectoriesAndDevicesAreRefusedWithoutWaiting() throws {
        let folder = try HostileImages.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.jpg").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let directory = folder.appendingPathComponent("folder.png").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        for path in [fifo, directory, "/dev/zero", "/dev/null"] {
            for probe in [HostileImages.full, HostileImages.header] {
                let (facts, seconds) = HostileImages.timed(probe, path)
                #expect(facts.integrity == .unreadable, "\(path)")
                #expect(HostileImages.codes(facts) == [.notRegularFile], "\(path): \(facts.problems)")
                #expect(seconds < timeBound(1))
            }
        }
    }

    @Test func anUnreadableFileIsReportedAsSuch() throws {
        let folder = try HostileImages.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("secret.png").path
        try FileManager.default.copyItem(atPath: FixturePaths.image("png-rgb8.png"), toPath: path)
        #expect(chmod(path, 0) == 0)
        let facts = withoutFileAccessPrivileges { HostileImages.full.examine(path: path) }
        #expect(facts.integrity == .unreadable)
        #expect(HostileImages.codes(facts) == [.permissionDenied], "\(facts.problems)")
    }
}

/// A flag one thread sets and another reads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
