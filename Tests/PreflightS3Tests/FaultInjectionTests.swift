import Foundation
import PreflightStore
import XCTest
@testable import PreflightS3

/// A misbehaving proxy (Scripts/fault_proxy.py) in front of moto's plain server: throttling
/// and dropped connections are retried to the right answer; a dead endpoint ends in an error
/// within a bounded time; a bucket's region named by S3 is followed.
final class FaultInjectionTests: XCTestCase {
    var servers: S3TestServers!
    var bucket: String!
    var log: URL!

    override func setUp() async throws {
        servers = try S3TestServers.load()
        bucket = uniqueBucket("faults")
        try await servers.withClient(endpoint: servers.plainEndpoint) { [bucket] direct in
            try await direct.createBucket(bucket!)
            try await direct.putObject(bucket: bucket!, key: "img/one.png", bytes: Array("the right bytes".utf8))
        }
        log = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-proxy-\(UUID().uuidString).log")
    }

    override func tearDown() {
        if let log { try? FileManager.default.removeItem(at: log) }
    }

    func proxy(_ mode: String, faults: Int) throws -> ScriptServer {
        let upstream = try XCTUnwrap(URL(string: servers.plainEndpoint)?.port)
        return try ScriptServer(python: servers.python, script: "fault_proxy.py", arguments: [String(upstream), mode, String(faults), log.path])
    }

    func logLines() -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func read(through port: Int, retry: RetryPolicy = RetryPolicy(maxAttempts: 5, baseDelay: 0.05), readTimeout: Int64 = 20) async throws -> (Result<ObjectRead, StoreError>, TimeInterval) {
        let client = try servers.client(endpoint: "http://127.0.0.1:\(port)", retry: retry, readTimeout: readTimeout)
        let started = Date()
        let result: Result<ObjectRead, StoreError>
        do {
            result = .success(try await client.getObject(bucket: bucket, key: "img/one.png"))
        } catch {
            result = .failure(error)
        }
        let elapsed = Date().timeIntervalSince(started)
        await client.shutdown()
        return (result, elapsed)
    }

    func testSlowDownIsRetriedToTheRightAnswer() async throws {
        let server = try proxy("slowdown", faults: 2)
        defer { server.stop() }
        let (result, _) = try await read(through: server.port)
        XCTAssertEqual(try result.get().bytes, Array("the right bytes".utf8))
        XCTAssertEqual(logLines(), ["slowdown", "slowdown", "forward"])
    }

    func testDroppedConnectionsAreRetriedToTheRightAnswer() async throws {
        let server = try proxy("drop", faults: 2)
        defer { server.stop() }
        let (result, _) = try await read(through: server.port)
        XCTAssertEqual(try result.get().bytes, Array("the right bytes".utf8))
        XCTAssertEqual(logLines().filter { $0 == "drop" }.count, 2)
        XCTAssertEqual(logLines().last, "forward")
    }

    func testThrottlingBeyondTheRetryLimitIsThrottled() async throws {
        let server = try proxy("slowdown", faults: 100)
        defer { server.stop() }
        let (result, _) = try await read(through: server.port, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.05))
        XCTAssertEqual(result.failure, .throttled(.s3(bucket: bucket, key: "img/one.png"), attempts: 3))
        XCTAssertEqual(logLines(), ["slowdown", "slowdown", "slowdown"])
    }

    func testAListenerThatNeverAnswersTimesOutInBoundedTime() async throws {
        let server = try proxy("silent", faults: 0)
        defer { server.stop() }
        let (result, elapsed) = try await read(through: server.port, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.05), readTimeout: 1)
        XCTAssertEqual(result.failure, .timedOut(.s3(bucket: bucket, key: "img/one.png"), attempts: 2))
        XCTAssertLessThan(elapsed, 10)
    }

    func testAPortNobodyListensOnFailsInBoundedTime() async throws {
        // A port that was free a moment ago: bound, read, closed.
        let probe = try ScriptServer(python: servers.python, script: "fault_proxy.py", arguments: ["1", "silent", "0", log.path])
        let port = probe.port
        probe.stop()
        let (result, elapsed) = try await read(through: port, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.05), readTimeout: 1)
        guard case let .network(_, reason, attempts)? = result.failure else { return XCTFail("\(result)") }
        XCTAssertEqual(attempts, 3)
        XCTAssertTrue(reason.contains("connection"), reason)
        XCTAssertLessThan(elapsed, 10)
    }

    func testTheBucketsOwnRegionIsFollowedAndRemembered() async throws {
        let server = try proxy("region", faults: 0)
        defer { server.stop() }
        let (first, second) = try await servers.withClient(endpoint: "http://127.0.0.1:\(server.port)") { [bucket] client in
            (try await client.getObject(bucket: bucket!, key: "img/one.png"), try await client.headObject(bucket: bucket!, key: "img/one.png"))
        }
        XCTAssertEqual(first.bytes, Array("the right bytes".utf8))
        XCTAssertEqual(second.size, 15)
        XCTAssertEqual(logLines(), ["region", "forward", "forward"])
    }
}

extension Result {
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
