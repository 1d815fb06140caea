import Foundation
import PreflightStore
import PreflightTestSupport
import XCTest
@testable import PreflightS3

/// credential_process run by posix_spawn: both of its output pipes drained together, and its
/// time-out taking the command's own children with it. Real scripts in a temporary folder.
final class CredentialProcessTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("credential-process")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func provider(running script: String, timeout: TimeInterval) throws -> CredentialProcess {
        let path = folder.appendingPathComponent("creds.sh").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        let config = folder.appendingPathComponent("config").path
        try "[profile tool]\ncredential_process = \(path)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["HOME": folder.path, "AWS_CONFIG_FILE": config, "AWS_PROFILE": "tool"]
        return CredentialProcess(files: try SharedConfigFiles(environment: environment), timeout: timeout)
    }

    /// Far more than a pipe holds on each stream, standard error first: a reader that waited
    /// on one stream (or on the exit) before the other would wait until the time-out.
    func testACommandFillingBothPipesIsReadToTheEnd() async throws {
        let provider = try provider(running: """
        #!/bin/sh
        head -c 400000 /dev/zero | tr '\\0' 'e' >&2
        head -c 400000 /dev/zero | tr '\\0' ' '
        echo '{"Version": 1, "AccessKeyId": "AKIDCHATTY", "SecretAccessKey": "s"}'
        head -c 400000 /dev/zero | tr '\\0' 'e' >&2
        """, timeout: timeBound(20))
        let found = try await provider.credentials()
        XCTAssertEqual(found?.accessKeyId, "AKIDCHATTY")
    }

    /// The command's background child is in its process group, and dies with it at the
    /// time-out instead of outliving the check.
    func testTheTimeOutEndsTheCommandsChildrenToo() async throws {
        let pidFile = folder.appendingPathComponent("child.pid").path
        let provider = try provider(running: """
        #!/bin/sh
        sleep 30 &
        echo $! > '\(pidFile)'
        wait
        """, timeout: 1)
        let error = await storeError { () async throws(StoreError) in try await provider.credentials() }
        XCTAssertTrue(try XCTUnwrap(error).description.contains("did not finish within 1 s"))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let child = try XCTUnwrap(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for whoever adopted it: either way no longer running.
        let deadline = Date().addingTimeInterval(timeBound(5))
        var state = "running"
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8) else { state = "gone"; break }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { state = "zombie"; break }
            usleep(50_000)
        }
        XCTAssertNotEqual(state, "running", "sleep \(child) outlived the time-out")
        kill(child, SIGKILL)
    }
}
