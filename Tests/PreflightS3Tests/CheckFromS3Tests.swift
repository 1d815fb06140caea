import Foundation
import PreflightTestSupport
import XCTest
@testable import PreflightS3

/// `preflight check` on datasets in S3, run as a user runs it: the built binary against the moto
/// servers of `.ci/s3-test-server`, settings from a clean environment alone (no AWS_* variable
/// of this machine, HOME in a temporary folder, no instance metadata), a result cache of each
/// test's own. Findings from S3 are held to those of the same bytes checked on the local disk.
final class CheckFromS3Tests: XCTestCase {
    var servers: S3TestServers!
    var scratch: URL!
    var bucket: String!

    static let example = repositoryRoot.appendingPathComponent("Fixtures/example")
    static let imageFixtures = repositoryRoot.appendingPathComponent("Fixtures/images")

    override func setUpWithError() throws {
        servers = try S3TestServers.load()
        scratch = try makeTemporaryFolder("check-s3")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        bucket = uniqueBucket("check")
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    // MARK: The shipped example

    func testExampleFromS3FindsWhatTheLocalCopyFinds() async throws {
        try await uploadExample()
        for mode in ["full", "header"] {
            let local = try preflight(localExample + ["--mode", mode, "--format", "json"], cache: "local-\(mode)")
            let remote = try preflight(["check", "s3://\(bucket!)/train.manifest", "--test", "s3://\(bucket!)/test.manifest",
                                        "--mode", mode, "--format", "json"], cache: "s3-\(mode)")
            XCTAssertEqual(remote.status, local.status, "\(mode): \(remote.stderr)")
            XCTAssertEqual(local.status, 1, local.stderr)
            let localFindings = try findings(local, root: Self.example.path + "/")
            let remoteFindings = try findings(remote, root: "s3://\(bucket!)/")
            XCTAssertFalse(localFindings.isEmpty)
            XCTAssertEqual(remoteFindings.map(\.comparable), localFindings.map(\.comparable), mode)
            // Every image named is the object in S3, never a local path.
            let images = remoteFindings.compactMap(\.image)
            XCTAssertFalse(images.isEmpty)
            for image in images { XCTAssertTrue(image.hasPrefix("s3://\(bucket!)/images/"), image) }
            // Full mode finds the truncated JPEG (line 19), header mode cannot.
            let truncated = remoteFindings.contains { $0.code == "ERROR_INVALID_IMAGE" && $0.line == 19 }
            XCTAssertEqual(truncated, mode == "full", mode)
            XCTAssertTrue(remoteFindings.contains { $0.code == "ERROR_INVALID_IMAGE" && $0.line == 13
                && $0.image == "s3://\(bucket!)/images/train-13.jpg" }, mode)
            // The account of the requests: the two manifests and the images, 28 of them on disk.
            let usage = try XCTUnwrap(S3UsageLine(remote.stderr), remote.stderr)
            XCTAssertGreaterThanOrEqual(usage.gets, 2 + 28, remote.stderr)
        }
    }

    /// The quotas that depend on the region follow the region of the manifest's bucket, found
    /// from S3 whatever AWS_REGION says, unless --region names another.
    func testTheQuotasFollowTheBucketsRegion() async throws {
        let client = try S3Client(configuration: S3Configuration(region: "eu-west-2", endpoint: servers.signingEndpoint),
                                  credentials: CredentialsChain([StaticCredentials(servers.credentials)]))
        do {
            try await client.createBucket(bucket)
            try await client.putObject(bucket: bucket, key: "train.manifest",
                                       bytes: Array(try exampleLines("train.manifest").joined(separator: "\n").utf8))
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        let arguments = ["check", "s3://\(bucket!)/train.manifest", "--mode", "header", "--format", "json", "-q"]
        let followed = try report(try preflight(arguments, cache: "region"))
        XCTAssertEqual((followed["inputs"] as? [String: Any])?["region"] as? String, "eu-west-2")
        XCTAssertEqual((followed["inputs"] as? [String: Any])?["images_from_s3"] as? Bool, true)
        let told = try report(try preflight(arguments + ["--region", "us-west-2"], cache: "region"))
        XCTAssertEqual((told["inputs"] as? [String: Any])?["region"] as? String, "us-west-2")
    }

    func testACachedRerunDownloadsNoImage() async throws {
        try await uploadExample()
        let arguments = ["check", "s3://\(bucket!)/train.manifest", "--test", "s3://\(bucket!)/test.manifest", "--format", "json"]
        let first = try preflight(arguments, cache: "shared")
        let second = try preflight(arguments, cache: "shared")
        XCTAssertEqual(second.status, first.status)
        XCTAssertEqual(try findings(second, root: "").map(\.comparable), try findings(first, root: "").map(\.comparable))
        let before = try XCTUnwrap(S3UsageLine(first.stderr), first.stderr)
        let after = try XCTUnwrap(S3UsageLine(second.stderr), second.stderr)
        XCTAssertGreaterThanOrEqual(before.gets, 2 + 28, first.stderr)
        // Two manifests read, and the one missing image (train-13.jpg) asked for again.
        let manifests = 2, missing = 1, images = 29
        XCTAssertGreaterThanOrEqual(after.gets, manifests, second.stderr)
        XCTAssertLessThanOrEqual(after.gets, manifests + missing, second.stderr)
        XCTAssertLessThanOrEqual(after.lists, (images + 999) / 1000 + 1, second.stderr)
        XCTAssertGreaterThanOrEqual(after.lists, 1, second.stderr)
        XCTAssertLessThan(after.bytes, before.bytes / 4, second.stderr)
        // Every image read the first time came from the cache.
        let firstSummary = try XCTUnwrap(try report(first)["summary"] as? [String: Any])
        let secondSummary = try XCTUnwrap(try report(second)["summary"] as? [String: Any])
        let read = (firstSummary["images_examined"] as? Int ?? 0) - (firstSummary["images_unreadable"] as? Int ?? 0)
        XCTAssertEqual(read, 27)
        XCTAssertEqual(secondSummary["images_from_cache"] as? Int, read)
    }

    // MARK: A folder dataset

    func testALabelFolderTreeInS3FindsWhatTheLocalTreeFinds() async throws {
        let tree = scratch.appendingPathComponent("tree")
        let files: [(String, String)] = [
            ("circle/a.png", "png-rgb8.png"), ("circle/b.jpg", "jpeg-baseline.jpg"),
            ("circle/wide/c.png", "png-wide-1300x64.png"), ("circle/wide/d.jpg", "jpeg-truncated.jpg"),
            ("square/e.png", "png-gray8.png"), ("square/f.jpg", "png-named.jpg"), ("square/.hidden.png", "png-rgb8.png"),
            ("square/notes.txt", "README.md"), ("top.png", "png-palette.png"), ("square/g.png", "text-named.png"),
        ]
        for (path, fixture) in files {
            let target = tree.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.imageFixtures.appendingPathComponent(fixture), to: target)
        }
        try await withClient { client in
            try await client.createBucket(self.bucket)
            for (path, _) in files {
                try await client.putObject(bucket: self.bucket, key: "data/" + path, bytes: Array(try Data(contentsOf: tree.appendingPathComponent(path))))
            }
        }
        for location in [nil, "circle"] as [String?] {
            let extra = location.map { ["--location", $0] } ?? []
            let local = try preflight(["check", tree.path, "--format", "json"] + extra, cache: "local-\(location ?? "")")
            let remote = try preflight(["check", "s3://\(bucket!)/data/", "--format", "json"] + extra, cache: "s3-\(location ?? "")")
            XCTAssertEqual(remote.status, local.status, remote.stderr)
            let localFindings = try findings(local, root: tree.path + "/")
            let remoteFindings = try findings(remote, root: "s3://\(bucket!)/data/")
            XCTAssertEqual(remoteFindings.map(\.comparable), localFindings.map(\.comparable), location ?? "no --location")
            XCTAssertEqual(remoteFindings.map(\.relativeImage), localFindings.map(\.relativeImage))
            // The same account of what was read and checked.
            let localSummary = try XCTUnwrap(try report(local)["summary"] as? [String: Any])
            let remoteSummary = try XCTUnwrap(try report(remote)["summary"] as? [String: Any])
            for key in ["images_statement", "integrity_checked", "images_examined", "images_unreadable"] {
                XCTAssertEqual("\(remoteSummary[key] ?? "none")", "\(localSummary[key] ?? "none")", key)
            }
            // The tree's faults are all seen: a truncated JPEG; without --location a file that
            // is no image, a hidden file, text under an image's name, an image outside a label.
            let codes = Set(remoteFindings.map(\.code))
            XCTAssertTrue(codes.contains("ERROR_INVALID_IMAGE"), "\(codes)")
            let named = Set(remoteFindings.compactMap(\.relativeImage))
            XCTAssertTrue(named.contains("circle/wide/d.jpg"), "\(named)")
            // The folder was listed, not walked on this disk.
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(S3UsageLine(remote.stderr), remote.stderr).lists, 1)
            if location == nil {
                XCTAssertTrue(named.isSuperset(of: ["square/g.png", "square/notes.txt", "square/.hidden.png", "top.png"]), "\(named)")
            } else {
                XCTAssertFalse(named.contains { $0.hasPrefix("square/") }, "\(named)")
            }
        }
    }

    // MARK: Keys and their encoding

    /// On the plain server: moto's signature check disagrees with AWS on these keys.
    func testKeysThatNeedEncodingAreReadAsTheyAreWritten() async throws {
        // Each key holds the bytes of an example image, on a copy of that image's line; what is
        // found on the line shows which bytes were read. `a b` and `a+b` hold different images,
        // so that a `+` taken for a space (or a space sent as `+`) reads the wrong one.
        let keys: [(key: String, line: Int, file: String, codes: [String])] = [
            ("enc/with space.jpg", 1, "train-01.jpg", []), ("enc/a+b.jpg", 2, "train-02.jpg", []),
            ("enc/a b.jpg", 9, "train-09.png", ["PREFLIGHT_FORMAT_EXTENSION_MISMATCH"]),
            ("enc/100%.png", 3, "train-03.png", []), ("enc/k=v.jpg", 4, "train-04.jpg", []),
            ("enc/caf\u{E9}.jpg", 6, "train-06.jpg", []), ("enc/日本/画像.jpg", 7, "train-07.jpg", []),
            ("enc/literal%20.jpg", 10, "train-10.jpg", []),
            // A PNG named .jpg, and a truncated JPEG: only their bytes tell.
            ("enc/ünï +%=.jpg", 11, "train-11.jpg", ["PREFLIGHT_FORMAT_EXTENSION_MISMATCH"]),
            ("enc/日本 19.jpg", 19, "train-19.jpg", ["ERROR_INVALID_IMAGE"]),
        ]
        let trainLines = try exampleLines("train.manifest")
        var manifest = ""
        for entry in keys {
            manifest += replacingSourceRef(trainLines[entry.line - 1], with: "s3://\(bucket!)/\(entry.key)") + "\n"
        }
        // A key with `..` in it names its own object, which is absent; the object the dot
        // segment would lead to if it were resolved is there.
        manifest += replacingSourceRef(trainLines[11], with: "s3://\(bucket!)/enc/sub/../dots.jpg") + "\n"
        try await withClient(endpoint: servers.plainEndpoint) { client in
            try await client.createBucket(self.bucket)
            for entry in keys {
                try await client.putObject(bucket: self.bucket, key: entry.key, bytes: try self.exampleImage(entry.file))
            }
            try await client.putObject(bucket: self.bucket, key: "enc/dots.jpg", bytes: try self.exampleImage("train-12.jpg"))
            try await client.putObject(bucket: self.bucket, key: "manifests/train set+ü.manifest", bytes: Array(manifest.utf8))
        }
        let run = try preflight(["check", "s3://\(bucket!)/manifests/train set+ü.manifest", "--format", "json"],
                                endpoint: servers.plainEndpoint, cache: "plain")
        XCTAssertEqual(run.status, 1, run.stderr)
        let found = try findings(run, root: "s3://\(bucket!)/")
        let perLine = Dictionary(grouping: found.filter { $0.line != nil }, by: { $0.line! })
        for (index, entry) in keys.enumerated() {
            let onLine = perLine[index + 1] ?? []
            XCTAssertEqual(onLine.map(\.code), entry.codes, "line \(index + 1) (\(entry.key))")
            for finding in onLine { XCTAssertEqual(finding.image, "s3://\(bucket!)/\(entry.key)") }
        }
        XCTAssertEqual(perLine[keys.count]?.first?.details["reasons"] as? [String], ["truncated"])
        let dots = perLine[keys.count + 1] ?? []
        XCTAssertEqual(dots.map(\.code), ["ERROR_INVALID_IMAGE"])
        XCTAssertEqual(dots.first?.image, "s3://\(bucket!)/enc/sub/../dots.jpg")
        XCTAssertEqual(dots.first?.details["reasons"] as? [String], ["missing"], "\(dots)")
        let summary = try report(run)["summary"] as? [String: Any]
        XCTAssertEqual(summary?["images_examined"] as? Int, keys.count + 1)
        XCTAssertEqual(summary?["images_unreadable"] as? Int, 1)
    }

    // MARK: Permissions and credentials

    func testADeniedImageIsAccessDeniedNamingTheObjectAndTheKey() async throws {
        let lines = try exampleLines("train.manifest")
        var manifest = lines
        manifest[1] = replacingSourceRef(lines[1], with: "s3://\(bucket!)/denied/train-02.jpg")
        try await uploadExample(train: manifest.joined(separator: "\n") + "\n")
        try await withClient { client in
            try await client.putObject(bucket: self.bucket, key: "denied/train-02.jpg", bytes: try self.exampleImage("train-02.jpg"))
        }
        let run = try preflight(["check", "s3://\(bucket!)/train.manifest", "--format", "json"], cache: "denied")
        XCTAssertEqual(run.status, 1, run.stderr)
        let found = try findings(run, root: "s3://\(bucket!)/")
        let line2 = found.filter { $0.line == 2 }
        XCTAssertEqual(line2.map(\.code), ["PREFLIGHT_IMAGE_ACCESS_DENIED"])
        XCTAssertEqual(line2.first?.severity, "warning")
        XCTAssertEqual(line2.first?.image, "s3://\(bucket!)/denied/train-02.jpg")
        // The rule's message is the same for every line; its reason names the object and the key.
        let reason = line2.first?.details["reason"] as? String ?? ""
        XCTAssertTrue(reason.contains("s3://\(bucket!)/denied/train-02.jpg") && reason.contains(servers.accessKeyId), reason)
        // The rest of the manifest was read as usual.
        XCTAssertTrue(found.contains { $0.code == "ERROR_INVALID_IMAGE" && $0.line == 19 })
    }

    func testWrongCredentialsAndAMissingBucketStopTheCheck() async throws {
        try await uploadExample()
        let wrongSecret = "wrong" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let refused = try preflight(["check", "s3://\(bucket!)/train.manifest"],
                                    credentials: .keys(servers.accessKeyId, wrongSecret), cache: "refused")
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains(servers.accessKeyId), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("train.manifest"), refused.stderr)
        XCTAssertEqual(refused.stderrLines.count, 1, refused.stderr)
        for secret in [wrongSecret, servers.secretAccessKey] {
            XCTAssertFalse(refused.stdout.contains(secret) || refused.stderr.contains(secret))
        }

        let missingBucket = uniqueBucket("absent")
        let noBucket = try preflight(["check", "s3://\(missingBucket)/train.manifest"], cache: "no-bucket")
        XCTAssertEqual(noBucket.status, 2, noBucket.stderr)
        XCTAssertTrue(noBucket.stderr.contains("s3://\(missingBucket)"), noBucket.stderr)
        XCTAssertEqual(noBucket.stderrLines.count, 1, noBucket.stderr)

        let noManifest = try preflight(["check", "s3://\(bucket!)/train.manifest", "--test", "s3://\(bucket!)/nope.manifest"],
                                       cache: "no-manifest")
        XCTAssertEqual(noManifest.status, 2, noManifest.stderr)
        XCTAssertTrue(noManifest.stderr.contains("s3://\(bucket!)/nope.manifest"), noManifest.stderr)
        XCTAssertEqual(noManifest.stderrLines.count, 1, noManifest.stderr)
    }

    func testAProfilesCredentialProcessIsUsed() async throws {
        try await uploadExample()
        let marker = scratch.appendingPathComponent("process-ran")
        let script = scratch.appendingPathComponent("credentials.sh")
        try """
            #!/bin/sh
            touch '\(marker.path)'
            printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\\n' '\(servers.accessKeyId)' '\(servers.secretAccessKey)'

            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)
        let config = scratch.appendingPathComponent("config")
        try "[profile p]\ncredential_process = \(script.path)\n".write(to: config, atomically: true, encoding: .utf8)
        let run = try preflight(["check", "s3://\(bucket!)/train.manifest", "--test", "s3://\(bucket!)/test.manifest", "--format", "json"],
                                credentials: .none, extra: ["AWS_PROFILE": "p", "AWS_CONFIG_FILE": config.path], cache: "profile")
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path))
        let local = try preflight(localExample + ["--format", "json"], cache: "local")
        XCTAssertEqual(try findings(run, root: "s3://\(bucket!)/").map(\.comparable),
                       try findings(local, root: Self.example.path + "/").map(\.comparable))
    }

    // MARK: Faults on the way

    func testThrottlingAndDroppedConnectionsChangeNoFinding() async throws {
        try await uploadExample(endpoint: servers.plainEndpoint)
        let arguments = ["check", "s3://\(bucket!)/train.manifest", "--test", "s3://\(bucket!)/test.manifest", "--format", "json"]
        let direct = try preflight(arguments, endpoint: servers.plainEndpoint, cache: "direct")
        let log = scratch.appendingPathComponent("proxy.log")
        let upstream = try XCTUnwrap(URL(string: servers.plainEndpoint)?.port)
        let proxy = try ScriptServer(python: servers.python, script: "fault_proxy.py", arguments: [String(upstream), "first", "12", log.path])
        defer { proxy.stop() }
        let faulty = try preflight(arguments, endpoint: "http://127.0.0.1:\(proxy.port)", cache: "faulty")
        XCTAssertEqual(faulty.status, direct.status, faulty.stderr)
        XCTAssertEqual(try findings(faulty, root: "").map(\.comparable), try findings(direct, root: "").map(\.comparable))
        let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
        XCTAssertEqual(lines.count { $0 == "slowdown" }, 6, "\(lines)")
        XCTAssertEqual(lines.count { $0 == "drop" }, 6, "\(lines)")
        // Each fault cost one more request.
        let directUsage = try XCTUnwrap(S3UsageLine(direct.stderr)), faultyUsage = try XCTUnwrap(S3UsageLine(faulty.stderr))
        XCTAssertEqual(faultyUsage.requests, directUsage.requests + 12, faulty.stderr)
    }

    // MARK: Running preflight

    var home: URL { scratch.appendingPathComponent("home") }

    var localExample: [String] {
        ["check", Self.example.appendingPathComponent("train.manifest").path, "--test", Self.example.appendingPathComponent("test.manifest").path,
         "--map", "s3://example-bucket=\(Self.example.path)"]
    }

    /// The built `preflight`, beside the test bundle in the build products folder.
    static var binary: URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("preflight").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("preflight")
    }

    /// The key variables a run gets.
    enum Keys {
        case test, keys(String, String), none
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    /// Runs `preflight` with nothing of this machine's environment but PATH: the S3 settings,
    /// `credentials` as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the test key by default),
    /// `extra`, and the result cache named `cache` in the test's folder.
    func preflight(_ arguments: [String], endpoint: String? = nil, credentials: Keys = .test,
                   extra: [String: String] = [:], cache: String) throws -> Run {
        var environment = [
            "PATH": "/usr/bin:/bin",
            "HOME": home.path,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": endpoint ?? servers.signingEndpoint,
            "PREFLIGHT_CACHE_DIR": scratch.appendingPathComponent("cache-\(cache)").path,
        ]
        switch credentials {
        case .test:
            environment["AWS_ACCESS_KEY_ID"] = servers.accessKeyId
            environment["AWS_SECRET_ACCESS_KEY"] = servers.secretAccessKey
        case let .keys(id, secret):
            environment["AWS_ACCESS_KEY_ID"] = id
            environment["AWS_SECRET_ACCESS_KEY"] = secret
        case .none:
            break
        }
        environment.merge(extra) { $1 }
        let result = try runProcess(Self.binary.path, arguments, environment: environment)
        return Run(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self), stderr: result.stderr)
    }

    func report(_ run: Run) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            throw TestSetupError("no JSON report on standard output; standard error: \(run.stderr)")
        }
        return object
    }

    /// A report's findings; `root` is taken off the front of image names (for comparing a
    /// local run with one in S3).
    func findings(_ run: Run, root: String) throws -> [ReportedFinding] {
        let list = try report(run)["findings"] as? [[String: Any]] ?? []
        return list.map { ReportedFinding($0, root: root) }
    }

    struct ReportedFinding {
        var code: String
        var severity: String
        var dataset: String
        var line: Int?
        var annotation: Int?
        var image: String?
        var message: String
        var details: [String: Any]
        /// The image's name under `root`.
        var relativeImage: String?
        /// What must not depend on where the bytes were read: all but the names (the image,
        /// the file, the message and the details' `reason`, which name them; names in the other
        /// details are taken relative to `root`).
        var comparable: String

        init(_ object: [String: Any], root: String) {
            func relative(_ name: String) -> String {
                !root.isEmpty && name.hasPrefix(root) ? String(name.dropFirst(root.count)) : name
            }
            code = object["code"] as? String ?? ""
            severity = object["severity"] as? String ?? ""
            dataset = object["dataset"] as? String ?? ""
            line = object["line"] as? Int
            annotation = object["annotation_index"] as? Int
            image = object["image"] as? String
            message = object["message"] as? String ?? ""
            details = object["details"] as? [String: Any] ?? [:]
            relativeImage = image.map(relative)
            let facts = details.keys.sorted().map { [details] key -> String in
                let value = details[key]!
                if key == "reason" { return key }
                if let text = value as? String { return "\(key)=\(relative(text))" }
                if value is [Any] || value is [String: Any],
                   let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
                    return "\(key)=\(String(decoding: data, as: UTF8.self))"
                }
                return "\(key)=\(value)"
            }
            comparable = [code, severity, dataset, line.map(String.init) ?? "-", annotation.map(String.init) ?? "-",
                          facts.joined(separator: ",")].joined(separator: " ")
        }
    }

    // MARK: Test data

    func withClient(endpoint: String? = nil, _ body: @escaping (S3Client) async throws -> Void) async throws {
        try await servers.withClient(endpoint: endpoint) { client in try await body(client) }
    }

    func exampleLines(_ manifest: String) throws -> [String] {
        try String(contentsOf: Self.example.appendingPathComponent(manifest), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    func exampleImage(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Self.example.appendingPathComponent("images/\(name)")))
    }

    func replacingSourceRef(_ line: String, with location: String) -> String {
        guard let start = line.range(of: "\"source-ref\": \""), let end = line[start.upperBound...].firstIndex(of: "\"") else {
            return line
        }
        return line.replacingCharacters(in: start.upperBound..<end, with: location)
    }

    /// The example under its own keys in the test's bucket, its source-refs naming that bucket.
    func uploadExample(endpoint: String? = nil, train: String? = nil) async throws {
        let rename = { (text: String) in text.replacingOccurrences(of: "s3://example-bucket/", with: "s3://\(self.bucket!)/") }
        let trainText = rename(try train ?? String(contentsOf: Self.example.appendingPathComponent("train.manifest"), encoding: .utf8))
        let testText = rename(try String(contentsOf: Self.example.appendingPathComponent("test.manifest"), encoding: .utf8))
        let images = try FileManager.default.contentsOfDirectory(atPath: Self.example.appendingPathComponent("images").path).sorted()
        try await withClient(endpoint: endpoint) { client in
            try await client.createBucket(self.bucket)
            try await client.putObject(bucket: self.bucket, key: "train.manifest", bytes: Array(trainText.utf8))
            try await client.putObject(bucket: self.bucket, key: "test.manifest", bytes: Array(testText.utf8))
            for name in images {
                try await client.putObject(bucket: self.bucket, key: "images/\(name)", bytes: try self.exampleImage(name))
            }
        }
    }
}

/// `preflight: S3: 5 requests (3 GET, 1 HEAD, 1 LIST), 23634 bytes received` on standard error.
struct S3UsageLine {
    var requests = 0, gets = 0, heads = 0, lists = 0, bytes = 0

    init?(_ stderr: String) {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("preflight: S3: ") }) else { return nil }
        let words = line.dropFirst("preflight: S3: ".count)
            .replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "").replacingOccurrences(of: ",", with: "")
            .split(separator: " ")
        for (number, word) in zip(words, words.dropFirst()) {
            guard let value = Int(number) else { continue }
            switch word {
            case "request", "requests": requests = value
            case "GET": gets = value
            case "HEAD": heads = value
            case "LIST": lists = value
            case "bytes": bytes = value
            default: break
            }
        }
    }
}
