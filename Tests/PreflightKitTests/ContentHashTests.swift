import Foundation
import Testing
@testable import PreflightKit
import PreflightTestSupport

/// `--cache-verify` trusts a cache entry only when the file's SHA-256 is the one stored; the
/// digest is `sha256sum`'s, so that a user can check an entry by hand.
@Suite("The content hash of --cache-verify")
struct ContentHashTests {
    /// What coreutils' `sha256sum` prints for each file, by path.
    func sha256sum(_ paths: [String]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = ["--"] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var digests: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            digests[String(parts[1].dropFirst())] = String(parts[0])
        }
        return digests
    }

    @Test func everyFixtureImageHashesAsSha256sumDoes() throws {
        let folders = ["images", "images/quality", "example/images"].map { KitFixtures.root.appendingPathComponent($0).path }
        var paths: [String] = []
        for folder in folders {
            paths += try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { "\(folder)/\($0)" }
                .filter { path in
                    var isFolder: ObjCBool = false
                    return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
                }
        }
        #expect(paths.count > 60)
        let expected = try sha256sum(paths)
        for path in paths {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(ContentHash.sha256Hex(bytes) == expected[path], "\(path)")
        }
    }

    /// Lengths around SHA-256's 64-byte blocks and its 9 bytes of padding, where a digest goes wrong first.
    @Test func lengthsAtBlockEdgesHashAsSha256sumDoes() throws {
        let folder = try makeTemporaryFolder("content-hash")
        defer { try? FileManager.default.removeItem(at: folder) }
        var contents: [String: [UInt8]] = [:]
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 1 << 20] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ length) }
            let path = folder.appendingPathComponent("\(length).bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            contents[path] = bytes
        }
        let expected = try sha256sum(contents.keys.sorted())
        for (path, bytes) in contents {
            #expect(ContentHash.sha256Hex(bytes) == expected[path], "\(bytes.count) bytes")
        }
    }

    @Test func theCacheStoresEachImagesSha256sumWhenVerifying() throws {
        let workspace = try ResultCacheTests.Workspace()
        let (_, cache) = workspace.run(verify: true)
        let stored = try String(contentsOfFile: cache!.file, encoding: .utf8)
        let image = workspace.image("train-01.jpg").path
        let digest = try #require(try sha256sum([image])[image])
        #expect(stored.contains("\"h\":\"\(digest)\""))
    }
}
