import Foundation
import Testing
import PreflightStore
import PreflightTestSupport

/// A local folder served as buckets answers as S3 does.
@Suite("A folder served as buckets")
struct FolderStoreTests {
    func store(_ files: [String: [UInt8]]) throws -> (FolderStore, URL) {
        let root = try makeTemporaryFolder("folder-store")
        var made = Set<String>()
        for (key, bytes) in files {
            let url = root.appendingPathComponent(key)
            if made.insert(url.deletingLastPathComponent().path).inserted {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            // Plain system calls: the listing test makes thousands of files.
            let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(fd >= 0)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return (FolderStore(root: root.path, maxReadBytes: 100), root)
    }

    func failure(_ store: FolderStore, _ location: ObjectLocation) async -> StoreError? {
        do throws(StoreError) {
            _ = try await store.read(location)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsWholeObjectsAndRanges() async throws {
        let (store, root) = try store(["b/a/x.bin": Array(0..<50)])
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = try await store.read(.s3(bucket: "b", key: "a/x.bin"))
        #expect(whole.bytes == Array(0..<50) && whole.info.size == 50 && whole.range == 0..<50)
        let part = try await store.read(.s3(bucket: "b", key: "a/x.bin"), range: 10..<20)
        #expect(part.bytes == Array(10..<20) && part.info.size == 50 && part.range == 10..<20)
        let past = try await store.read(.s3(bucket: "b", key: "a/x.bin"), range: 40..<400)
        #expect(past.bytes == Array(40..<50))
    }

    @Test func refusesAsS3Would() async throws {
        let (store, root) = try store(["b/big.bin": Array(repeating: 1, count: 150), "b/ok.bin": [1], "b/secret.bin": [2]])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(chmod(root.appendingPathComponent("b/secret.bin").path, 0) == 0)
        #expect(await failure(store, .s3(bucket: "b", key: "missing.bin")) == .notFound(.s3(bucket: "b", key: "missing.bin")))
        #expect(await failure(store, .s3(bucket: "nope", key: "ok.bin")) == .noSuchBucket("nope"))
        #expect(await failure(store, .s3(bucket: "b", key: "secret.bin")) == .accessDenied(.s3(bucket: "b", key: "secret.bin"), identity: "this user"))
        #expect(await failure(store, .s3(bucket: "b", key: "big.bin")) == .tooLarge(.s3(bucket: "b", key: "big.bin"), size: 150, limit: 100))
        // A key is a name: `x/../ok.bin` is not `ok.bin`.
        #expect(await failure(store, .s3(bucket: "b", key: "x/../ok.bin")) == .notFound(.s3(bucket: "b", key: "x/../ok.bin")))
    }

    @Test func listsInPagesOfAThousandInKeyOrder() async throws {
        var files: [String: [UInt8]] = [:]
        for i in 0..<2345 { files["b/p/\(i).bin"] = [UInt8(i % 256)] }
        files["b/q/other.bin"] = [0]
        let (store, root) = try store(files)
        defer {
            for key in files.keys { unlink(root.appendingPathComponent(key).path) }
            try? FileManager.default.removeItem(at: root)
        }
        var keys: [String] = []
        var pages = 0

        try await store.list(prefix: .s3(bucket: "b", key: "p/")) { objects in
            pages += 1
            keys += objects.compactMap { if case let .s3(_, key) = $0.location { key } else { nil } }
        }
        #expect(pages == 3)
        #expect(keys == files.keys.filter { $0.hasPrefix("b/p/") }.map { String($0.dropFirst(2)) }.sorted())
    }
}
