import Crypto
import Foundation
import PreflightStore
import XCTest
@testable import PreflightS3

/// Against moto's S3 server with signature and IAM checks on (.ci/s3-test-server): every
/// request is signed by the IAM key the script made, and objects under denied/ are refused.
final class S3ServerTests: XCTestCase {
    var servers: S3TestServers!
    var client: S3Client!
    var bucket: String!

    override func setUp() async throws {
        servers = try S3TestServers.load()
        client = try servers.client()
        bucket = uniqueBucket("signed")
        try await client.createBucket(bucket)
    }

    override func tearDown() async throws {
        await client?.shutdown()
    }

    func testWholeRangedAndHeadReadsCarrySizeAndTag() async throws {
        let bytes = Array("hello, world".utf8)
        try await client.putObject(bucket: bucket, key: "images/a.png", bytes: bytes)
        let store = S3Store(client: client)
        let location = ObjectLocation.s3(bucket: bucket, key: "images/a.png")
        let md5 = Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()

        let whole = try await store.read(location)
        XCTAssertEqual(whole.bytes, bytes)
        XCTAssertEqual(whole.range, 0..<12)
        XCTAssertEqual(whole.info.size, 12)
        XCTAssertEqual(whole.info.tag, md5)

        let head = try await store.read(location, range: 0..<5)
        XCTAssertEqual(head.bytes, Array("hello".utf8))
        XCTAssertEqual(head.info.size, 12, "the total size comes from Content-Range")
        XCTAssertEqual(head.range, 0..<5)

        let tail = try await store.read(location, range: 7..<1000)
        XCTAssertEqual(tail.bytes, Array("world".utf8))
        XCTAssertEqual(tail.range, 7..<12)

        let info = try await store.info(of: location)
        XCTAssertEqual(info.size, 12)
        XCTAssertEqual(info.tag, md5)
        XCTAssertNotNil(info.lastModified)

        let refused = await storeError { () async throws(StoreError) in
            try await S3Store(client: self.client, maxReadBytes: 4).read(location)
        }
        XCTAssertEqual(refused, .tooLarge(location, size: 12, limit: 4))
    }

    func testAListingOfMoreThanOnePageCarriesEveryObjectWithItsTag() async throws {
        let count = 1_003
        let client = self.client!, bucket = self.bucket!
        let failures = await mapConcurrently(Array(0..<count), limit: 16) { index -> StoreError? in
            await storeError { () async throws(StoreError) in
                try await client.putObject(bucket: bucket, key: "many/\(String(format: "%05d", index)).jpg", bytes: Array(repeating: 1, count: index % 5))
            }
        }
        XCTAssertEqual(failures.compactMap { $0 }, [])
        try await client.putObject(bucket: bucket, key: "other.jpg", bytes: [1])

        var pages: [[ObjectInfo]] = []
        try await S3Store(client: client).list(prefix: .s3(bucket: bucket, key: "many/")) { pages.append($0) }
        XCTAssertEqual(pages.map(\.count), [1000, 3])
        let all = pages.flatMap { $0 }
        XCTAssertEqual(all.map(\.location), (0..<count).map { .s3(bucket: bucket, key: "many/\(String(format: "%05d", $0)).jpg") })
        XCTAssertEqual(all.map(\.size), (0..<count).map { $0 % 5 })
        XCTAssertTrue(all.allSatisfy { $0.tag?.count == 32 && $0.lastModified != nil })
    }

    func testAClientConfiguredFromTheEnvironmentAloneSignsKeysWithSpacesAndDotDot() async throws {
        try await client.putObject(bucket: bucket, key: "dir/../with space.png", bytes: [1])
        try await client.putObject(bucket: bucket, key: "with space.png", bytes: [2])
        let home = FileManager.default.temporaryDirectory.path
        let configured = try S3Client.standard(environment: [
            "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": servers.signingEndpoint,
            "AWS_ACCESS_KEY_ID": servers.accessKeyId, "AWS_SECRET_ACCESS_KEY": servers.secretAccessKey,
        ])
        let store = S3Store(client: configured)
        let dotted = await storeError { () async throws(StoreError) in
            let read = try await store.read(.s3(bucket: self.bucket, key: "dir/../with space.png"))
            XCTAssertEqual(read.bytes, [1])
            let plain = try await store.read(.s3(bucket: self.bucket, key: "with space.png"))
            XCTAssertEqual(plain.bytes, [2])
        }
        await configured.shutdown()
        XCTAssertNil(dotted)
    }

    func testAMissingObjectIsNotFound() async throws {
        let location = ObjectLocation.s3(bucket: bucket, key: "images/missing.png")
        let store = S3Store(client: client)
        let read = await storeError { () async throws(StoreError) in try await store.read(location) }
        XCTAssertEqual(read, .notFound(location))
        let head = await storeError { () async throws(StoreError) in try await store.info(of: location) }
        XCTAssertEqual(head, .notFound(location))
    }

    func testADeniedObjectNamesTheKeyAndTheIdentity() async throws {
        try await client.putObject(bucket: bucket, key: "denied/secret.png", bytes: [1, 2, 3])
        let location = ObjectLocation.s3(bucket: bucket, key: "denied/secret.png")
        let error = await storeError { () async throws(StoreError) in try await S3Store(client: self.client).read(location) }
        XCTAssertEqual(error, .accessDenied(location, identity: servers.accessKeyId))
        let message = try XCTUnwrap(error).description
        XCTAssertTrue(message.contains("s3://\(bucket!)/denied/secret.png"), message)
        XCTAssertTrue(message.contains(servers.accessKeyId), message)
    }

    func testAWrongSecretIsInvalidCredentialsAndNeverPrinted() async throws {
        // A wrong secret, then the right one with a token moto never issued, then an unknown key.
        let cases: [(AWSCredentials, String)] = [
            (AWSCredentials(accessKeyId: servers.accessKeyId, secretAccessKey: "wrong-secret-value", source: "test"), "SignatureDoesNotMatch"),
            (AWSCredentials(accessKeyId: servers.accessKeyId, secretAccessKey: servers.secretAccessKey,
                            sessionToken: "a-session-token-value", source: "test"), "InvalidToken"),
            (AWSCredentials(accessKeyId: "AKIAUNKNOWN", secretAccessKey: "another-secret-value", source: "test"), "InvalidAccessKeyId"),
        ]
        for (credentials, code) in cases {
            let badClient = try servers.client(credentials: credentials)
            let read = await storeError { () async throws(StoreError) in
                try await badClient.getObject(bucket: self.bucket, key: "anything.png")
            }
            let list = await storeError { () async throws(StoreError) in
                try await badClient.listObjects(bucket: self.bucket, prefix: "")
            }
            await badClient.shutdown()
            for error in [read, list] {
                XCTAssertEqual(error, .invalidCredentials(identity: credentials.accessKeyId, reason: code))
                let message = error?.description ?? ""
                XCTAssertTrue(message.contains(credentials.accessKeyId), message)
                XCTAssertFalse(message.contains(credentials.secretAccessKey), message)
                XCTAssertFalse(message.contains("a-session-token-value"), message)
            }
        }
    }

    func testAMissingBucketIsNoSuchBucket() async throws {
        let missing = uniqueBucket("missing")
        let read = await storeError { () async throws(StoreError) in try await self.client.getObject(bucket: missing, key: "a.png") }
        XCTAssertEqual(read, .noSuchBucket(missing))
        let list = await storeError { () async throws(StoreError) in try await self.client.listObjects(bucket: missing, prefix: "") }
        XCTAssertEqual(list, .noSuchBucket(missing))
    }

    func testTheBlockingWrapperWorksFromAThread() async throws {
        try await client.putObject(bucket: bucket, key: "t.png", bytes: [9, 8, 7])
        let blocking = BlockingStore(S3Store(client: client))
        let location = ObjectLocation.s3(bucket: bucket, key: "t.png")
        let result: Result<[UInt8], StoreError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(StoreError) in try blocking.read(location).bytes })
            }
        }
        XCTAssertEqual(try result.get(), [9, 8, 7])
    }
}

/// Against moto's server with checks off, where keys that moto's own signature check gets
/// wrong (+, %, =, non-ASCII) can be tested: every key reads back its own bytes and lists as
/// itself, and a `..` stays part of the key.
final class S3KeyEncodingTests: XCTestCase {
    func testAwkwardKeysRoundTripAndListAsThemselves() async throws {
        let servers = try S3TestServers.load()
        try await servers.withClient(endpoint: servers.plainEndpoint) { client in try await roundTrip(client) }
    }

    func roundTrip(_ client: S3Client) async throws {
        let bucket = uniqueBucket("keys")
        try await client.createBucket(bucket)
        let keys = ["with space.png", "plus+sign.png", "percent%41.png", "percent%.png", "equals=sign.png",
                    "ünïcödé/日本語.png", "emoji😀.jpg", "a/../b.png", "b.png", "a/./c.png", "c.png", "trailing../x.png",
                    "q?mark&amp;#hash.png", "tilde~star*.png"]
        for (index, key) in keys.enumerated() {
            try await client.putObject(bucket: bucket, key: key, bytes: Array("object \(index)".utf8))
        }
        let store = S3Store(client: client)
        for (index, key) in keys.enumerated() {
            let read = try await store.read(.s3(bucket: bucket, key: key))
            XCTAssertEqual(String(decoding: read.bytes, as: UTF8.self), "object \(index)", key)
        }
        let page = try await client.listObjects(bucket: bucket, prefix: "")
        XCTAssertEqual(Set(page.objects.map(\.location)), Set(keys.map { ObjectLocation.s3(bucket: bucket, key: $0) }))
        let unicode = try await client.listObjects(bucket: bucket, prefix: "ünïcödé/")
        XCTAssertEqual(unicode.objects.map(\.location), [.s3(bucket: bucket, key: "ünïcödé/日本語.png")])
    }
}
