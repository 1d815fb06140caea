import Foundation
import Testing
import ImageEngine
@testable import PreflightKit
#if canImport(Glibc)
import Glibc
import PreflightTestSupport
#endif

/// source-refs that try to leave the mapped folder: nothing outside it may ever be read.
@Suite("Hostile paths")
struct HostilePathTests {
    let resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=/data/images")!],
                                     root: "/data/root")

    func resolve(_ text: String) -> ResolvedImage? { S3URI(text).map { resolver.resolve($0) } }

    @Test("keys with '..', absolute keys and NUL never resolve to a path", arguments: [
        "s3://example-bucket/../secret.jpg", "s3://example-bucket/a/../../secret.jpg", "s3://example-bucket/a/..",
        "s3://example-bucket/..", "s3://example-bucket//etc/passwd", "s3://other/../x.jpg", "s3://other//etc/passwd",
        "s3://example-bucket/a\u{0}/../../x.jpg",
    ])
    func escapesAreRefused(_ text: String) {
        guard case .escapes? = resolve(text) else {
            Issue.record("\(text) resolved to \(String(describing: resolve(text)))")
            return
        }
    }

    @Test("percent-escapes and backslashes are plain characters of a file name inside the folder", arguments: [
        ("s3://example-bucket/%2e%2e/secret.jpg", "/data/images/%2e%2e/secret.jpg"),
        ("s3://example-bucket/%2E%2E%2Fsecret.jpg", "/data/images/%2E%2E%2Fsecret.jpg"),
        ("s3://example-bucket/..\\..\\secret.jpg", "/data/images/..\\..\\secret.jpg"),
        ("s3://example-bucket/...", "/data/images/..."),
        ("s3://example-bucket/./a.jpg", "/data/images/./a.jpg"),
        ("s3://example-bucket/a//b.jpg", "/data/images/a//b.jpg"),
        ("s3://example-bucket/..a/b..", "/data/images/..a/b.."),
        ("s3://other/%2e%2e/x.jpg", "/data/root/%2e%2e/x.jpg"),
    ])
    func plainCharacters(_ text: String, _ path: String) {
        #expect(resolve(text) == .located(path: path))
    }

    /// images/ holds a.jpg and links: one to a folder outside, one to a file outside, one to
    /// itself, and a folder link to its own folder. outside/ holds a readable image.
    struct Layout {
        let root: URL
        let images: URL
        let outsideImage: String

        init() throws {
            root = try makeTemporaryFolder("paths")
            images = root.appendingPathComponent("images")
            let outside = root.appendingPathComponent("outside")
            let fm = FileManager.default
            try fm.createDirectory(at: images, withIntermediateDirectories: true)
            try fm.createDirectory(at: outside, withIntermediateDirectories: true)
            let fixtures = HostileDataset.fixtures.appendingPathComponent("images")
            try fm.copyItem(at: fixtures.appendingPathComponent("jpeg-baseline.jpg"), to: images.appendingPathComponent("a.jpg"))
            try fm.copyItem(at: fixtures.appendingPathComponent("png-2560x1440.png"), to: outside.appendingPathComponent("a.jpg"))
            try fm.copyItem(at: fixtures.appendingPathComponent("png-2560x1440.png"), to: root.appendingPathComponent("outside.jpg"))
            outsideImage = root.appendingPathComponent("outside.jpg").path
            symlink("../outside", images.appendingPathComponent("link-out").path)
            symlink("../outside.jpg", images.appendingPathComponent("out.jpg").path)
            symlink("loop.jpg", images.appendingPathComponent("loop.jpg").path)
            symlink(".", images.appendingPathComponent("loop-dir").path)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func theEngineNeverReadsOutsideTheMappedFolder() throws {
        let layout = try Layout()
        defer { layout.remove() }
        // Files outside get an access time older than their modification time: reading one
        // would move it forward (relatime). Checked first on a control file, since a
        // filesystem mounted noatime never records reads.
        func age(_ path: String) {
            var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)  /* UTIME_OMIT */]
            utimensat(AT_FDCWD, path, &times, 0)
        }
        func accessTime(_ path: String) -> Int {
            var info = stat()
            stat(path, &info)
            return info.st_atim.tv_sec
        }
        let control = layout.root.appendingPathComponent("control").path
        FileManager.default.createFile(atPath: control, contents: Data("x".utf8))
        age(control)
        _ = FileManager.default.contents(atPath: control)
        let atimeRecordsReads = accessTime(control) != 1_000_000
        let outside = [layout.outsideImage, layout.root.appendingPathComponent("outside/a.jpg").path]
        outside.forEach(age)

        var options = CheckOptions()
        options.resolver = SourceRefResolver(mappings: [SourceRefResolver.parseMapping("s3://example-bucket=\(layout.images.path)")!])
        for mode in [ProbeMode.full, .header] {
            options.mode = mode
            let result = CheckEngine(options: options).run([
                ManifestInput(path: HostileDataset.manifestFixture("path-escapes.manifest"), role: .training),
            ])
            func codes(_ line: Int) -> [String] { result.codes(line: line) }
            for line in [1, 2, 4, 6, 7] {
                #expect(codes(line).contains("PREFLIGHT_SOURCE_REF_ESCAPES_ROOT"), "line \(line): \(codes(line))")
                #expect(result.findings.filter { $0.line == line }.allSatisfy { $0.image == nil })
            }
            #expect(result.reason("PREFLIGHT_SOURCE_REF_ESCAPES_ROOT", line: 6)?.contains("symbolic link") == true)
            for line in [3, 5] {
                #expect(result.reason("ERROR_INVALID_IMAGE", line: line)?.contains("does not exist") == true, "line \(line)")
            }
            #expect(result.reason("ERROR_INVALID_IMAGE", line: 8)?.contains("symbolic links") == true,
                    "\(String(describing: result.reason("ERROR_INVALID_IMAGE", line: 8)))")
            #expect(!codes(9).contains("PREFLIGHT_SOURCE_REF_ESCAPES_ROOT"), "loop-dir is the folder itself")
            #expect(!codes(9).contains("ERROR_INVALID_IMAGE"))
            #expect(!codes(10).contains("ERROR_INVALID_IMAGE"))
            for finding in result.findings {
                if let image = finding.image {
                    #expect(SourceRefResolver.staysInside(image, directory: layout.images.path), "\(image)")
                }
            }
            // The images outside are PNGs named .jpg: had one been read, its name would be
            // reported as lying about its format.
            #expect(!result.findings.contains { $0.code == "PREFLIGHT_FORMAT_EXTENSION_MISMATCH" })
        }
        if atimeRecordsReads {
            for path in outside { #expect(accessTime(path) == 1_000_000, "\(path) was read") }
        }
    }

    @Test func aRootThatIsASymbolicLinkIsFollowedOnce() throws {
        // The mapped folder itself may be a link; only links below it are judged.
        let layout = try Layout()
        defer { layout.remove() }
        let alias = layout.root.appendingPathComponent("alias").path
        symlink(layout.images.path, alias)
        #expect(SourceRefResolver.staysInside(alias + "/a.jpg", directory: alias))
        #expect(!SourceRefResolver.staysInside(alias + "/out.jpg", directory: alias))
        #expect(!SourceRefResolver.staysInside(alias + "/link-out/a.jpg", directory: alias))
        #expect(SourceRefResolver.staysInside(alias + "/loop-dir/loop-dir/a.jpg", directory: alias))
        #expect(SourceRefResolver.staysInside(alias + "/missing/deeper.jpg", directory: alias))
    }
}
