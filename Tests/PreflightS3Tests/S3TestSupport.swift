import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import PreflightS3
import PreflightStore

/// The repository's root, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let scriptsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

/// True on CI, where a missing server or tool fails the test instead of skipping it.
var runningOnCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// What `.ci/s3-test-server` wrote: the two moto servers and the IAM key of the signing one.
struct S3TestServers {
    var signingEndpoint: String
    var plainEndpoint: String
    var accessKeyId: String
    var secretAccessKey: String
    var python: String

    /// The servers of `.build-s3venv/servers.env` (or `PREFLIGHT_S3_SERVERS`). Missing, they
    /// fail the test on CI and skip it elsewhere.
    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> S3TestServers {
        let path = ProcessInfo.processInfo.environment["PREFLIGHT_S3_SERVERS"]
            ?? repositoryRoot.appendingPathComponent(".build-s3venv/servers.env").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let message = "no S3 test servers (\(path) is missing): run .ci/s3-test-server first"
            if runningOnCI { throw TestSetupError(message) }
            throw XCTSkip(message)
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let signing = values["S3_TEST_SIGNING_ENDPOINT"], let plain = values["S3_TEST_PLAIN_ENDPOINT"],
              let id = values["S3_TEST_ACCESS_KEY_ID"], let secret = values["S3_TEST_SECRET_ACCESS_KEY"] else {
            throw TestSetupError("\(path) lacks a setting: run .ci/s3-test-server again")
        }
        let servers = S3TestServers(signingEndpoint: signing, plainEndpoint: plain, accessKeyId: id,
                                    secretAccessKey: secret, python: values["S3_TEST_PYTHON"] ?? "python3")
        // A servers.env left by servers that have since stopped.
        for endpoint in [signing, plain] {
            guard let port = URL(string: endpoint)?.port, acceptsConnections(port: port) else {
                let message = "the S3 test server at \(endpoint) does not answer: run .ci/s3-test-server again"
                if runningOnCI { throw TestSetupError(message) }
                throw XCTSkip(message)
            }
        }
        return servers
    }

    var credentials: AWSCredentials {
        AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, source: "test")
    }

    func client(endpoint: String? = nil, credentials: AWSCredentials? = nil, retry: RetryPolicy = RetryPolicy(),
                readTimeout: Int64 = 20) throws -> S3Client {
        try S3Client(configuration: S3Configuration(region: "us-east-1", endpoint: endpoint ?? signingEndpoint),
                     credentials: CredentialsChain([StaticCredentials(credentials ?? self.credentials)]),
                     retry: retry, connectTimeout: 1, readTimeout: readTimeout, requestTimeout: 30)
    }
}

/// True when something listens on 127.0.0.1:`port`.
func acceptsConnections(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0
}

extension S3TestServers {
    /// Runs `body` with a client that is shut down however `body` ends (a client dropped
    /// without it stops the test process).
    func withClient<T>(endpoint: String? = nil, credentials: AWSCredentials? = nil, retry: RetryPolicy = RetryPolicy(),
                       readTimeout: Int64 = 20, _ body: (S3Client) async throws -> T) async throws -> T {
        let client = try self.client(endpoint: endpoint, credentials: credentials, retry: retry, readTimeout: readTimeout)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A bucket name of this run's own, so that reruns against the same servers never collide.
func uniqueBucket(_ purpose: String) -> String {
    "preflight-\(purpose)-\(UUID().uuidString.lowercased().prefix(8))"
}

/// The Python that has botocore: the test venv's, else the PATH's `python3`.
func pythonWithBotocore() throws -> String {
    let venv = repositoryRoot.appendingPathComponent(".build-s3venv/bin/python").path
    for candidate in [ProcessInfo.processInfo.environment["PREFLIGHT_S3_PYTHON"], venv, "/usr/bin/env"].compactMap({ $0 }) {
        guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
        let arguments = candidate == "/usr/bin/env" ? ["python3", "-c", "import botocore"] : ["-c", "import botocore"]
        if let result = try? runProcess(candidate, arguments), result.status == 0 {
            return candidate == "/usr/bin/env" ? "python3" : candidate
        }
    }
    let message = "no Python with botocore: run .ci/s3-test-server (it makes .build-s3venv) or pip install botocore"
    if runningOnCI { throw TestSetupError(message) }
    throw XCTSkip(message)
}

struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
}

/// Runs a program to its end; `executable` without a slash is looked up on the PATH.
func runProcess(_ executable: String, _ arguments: [String], input: Data? = nil,
                environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    if executable.contains("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    if let environment { process.environment = environment }
    let output = Pipe(), errors = Pipe(), stdin = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = stdin
    try process.run()
    let errorData = ThreadedRead(errors.fileHandleForReading)
    if let input { stdin.fileHandleForWriting.write(input) }
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: data,
                         stderr: String(decoding: errorData.wait(), as: UTF8.self))
}

private final class ThreadedRead: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread.detachNewThread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }
    func wait() -> Data {
        done.wait()
        return data
    }
}

/// A helper script of Scripts/ running in the background; its first output line is its port.
final class ScriptServer {
    let process = Process()
    let port: Int

    init(python: String, script: String, arguments: [String]) throws {
        if python.contains("/") {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [scriptsFolder.appendingPathComponent(script).path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, scriptsFolder.appendingPathComponent(script).path] + arguments
        }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TestSetupError("\(script) did not print its port")
        }
        self.port = port
    }

    /// SIGKILL: a test runner may block SIGTERM, and its children inherit the mask.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// The error an async throwing call ended with, or nil if it succeeded.
func storeError<T>(_ body: () async throws(StoreError) -> T) async -> StoreError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}
