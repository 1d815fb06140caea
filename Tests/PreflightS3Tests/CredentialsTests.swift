import AsyncHTTPClient
import Foundation
import PreflightStore
import PreflightTestSupport
import XCTest
@testable import PreflightS3

/// The credentials chain and the configuration, from real files, a real credential_process
/// script and a real HTTP server on 127.0.0.1. Instance metadata is switched off in every test:
/// nothing here contacts 169.254.x.x.
final class CredentialsTests: XCTestCase {
    var folder: URL!
    var http: HTTPClient!

    override func setUpWithError() throws {
        folder = try makeTemporaryFolder("s3-credentials")
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    }

    override func tearDown() async throws {
        try await http.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    /// An environment with nothing from the machine's own: HOME is the test's folder.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": folder.path, "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { $1 }
    }

    func write(_ text: String, to name: String, executable: Bool = false) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        return url.path
    }

    func resolve(_ environment: [String: String]) async throws(StoreError) -> AWSCredentials {
        try await CredentialsChain.standard(environment: environment, http: http).credentials()
    }

    func testTheEnvironmentComesFirst() async throws {
        _ = try write("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n", to: ".aws/credentials")
        let found = try await resolve(environment(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret",
                                                   "AWS_SESSION_TOKEN": "envtoken"]))
        XCTAssertEqual(found.accessKeyId, "AKIDENV")
        XCTAssertEqual(found.sessionToken, "envtoken")
        XCTAssertEqual(found.source, "environment")
    }

    func testTheNamedProfileOfTheCredentialsFile() async throws {
        let path = try write("""
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = defaultsecret
        [dev]
        aws_access_key_id = AKIDDEV ; inline comment
        aws_secret_access_key=devsecret
        aws_session_token = devtoken
        """, to: "elsewhere/creds")
        let found = try await resolve(environment(["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "dev"]))
        XCTAssertEqual(found, AWSCredentials(accessKeyId: "AKIDDEV", secretAccessKey: "devsecret", sessionToken: "devtoken", source: "profile dev"))
        let byDefault = try await resolve(environment(["AWS_SHARED_CREDENTIALS_FILE": path]))
        XCTAssertEqual(byDefault.accessKeyId, "AKIDDEFAULT")
    }

    func testAMissingNamedProfileIsAnErrorNamingIt() async throws {
        let path = try write("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n", to: "creds")
        let error = await storeError { () async throws(StoreError) in
            try await self.resolve(self.environment(["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "prod"]))
        }
        let message = try XCTUnwrap(error).description
        XCTAssertTrue(message.contains("profile prod") && message.contains(path), message)
    }

    func testAConfigFileProfileWithItsRegion() async throws {
        let config = try write("""
        [default]
        region = us-west-2
        [profile dev]
        region = eu-central-1
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = configsecret
        s3 =
          addressing_style = path
        """, to: "cfg")
        let env = environment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "dev"])
        let found = try await resolve(env)
        XCTAssertEqual(found.accessKeyId, "AKIDCONFIG")
        XCTAssertEqual(S3Configuration(environment: env, files: try SharedConfigFiles(environment: env)).region, "eu-central-1")
        let withRegion = env.merging(["AWS_DEFAULT_REGION": "ap-south-1"]) { $1 }
        XCTAssertEqual(S3Configuration(environment: withRegion, files: try SharedConfigFiles(environment: withRegion)).region, "ap-south-1")
        let withBoth = withRegion.merging(["AWS_REGION": "sa-east-1"]) { $1 }
        XCTAssertEqual(S3Configuration(environment: withBoth, files: try SharedConfigFiles(environment: withBoth)).region, "sa-east-1")
        let defaults = environment(["AWS_CONFIG_FILE": config])
        XCTAssertEqual(S3Configuration(environment: defaults, files: try SharedConfigFiles(environment: defaults)).region, "us-west-2")
    }

    func testCredentialProcessRunsAndItsOutputIsRead() async throws {
        let script = try write("""
        #!/bin/sh
        echo '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "processsecret", "SessionToken": "processtoken", "Expiration": "2999-01-01T00:00:00Z"}'
        """, to: "bin/creds.sh", executable: true)
        let config = try write("[profile tool]\ncredential_process = \(script) --flag\n", to: "cfg")
        let found = try await resolve(environment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "tool"]))
        XCTAssertEqual(found.accessKeyId, "AKIDPROCESS")
        XCTAssertEqual(found.sessionToken, "processtoken")
        XCTAssertEqual(found.expiration, HTTPDates.parseISO8601("2999-01-01T00:00:00Z"))
        XCTAssertEqual(found.source, "credential_process of profile tool")
    }

    func testKeysInTheCredentialsFileComeBeforeCredentialProcess() async throws {
        let credentials = try write("[tool]\naws_access_key_id = AKIDKEYS\naws_secret_access_key = s\n", to: "creds")
        let config = try write("[profile tool]\ncredential_process = /bin/false\n", to: "cfg")
        let found = try await resolve(environment(["AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config, "AWS_PROFILE": "tool"]))
        XCTAssertEqual(found.accessKeyId, "AKIDKEYS")
    }

    func testAFailingCredentialProcessNamesTheProfileAndItsStandardErrorButNoSecret() async throws {
        let script = try write("""
        #!/bin/sh
        echo '{"Version": 1, "AccessKeyId": "AKIDLEAK", "SecretAccessKey": "leakedsecret"}'
        echo "token expired: run sso login" >&2
        exit 3
        """, to: "fail.sh", executable: true)
        let config = try write("[profile broken]\ncredential_process = \(script)\n", to: "cfg")
        let error = await storeError { () async throws(StoreError) in
            try await self.resolve(self.environment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "broken"]))
        }
        let message = try XCTUnwrap(error).description
        XCTAssertTrue(message.contains("profile broken"), message)
        XCTAssertTrue(message.contains("token expired: run sso login"), message)
        XCTAssertTrue(message.contains("status 3"), message)
        XCTAssertFalse(message.contains("leakedsecret"), message)

        let garbage = try write("#!/bin/sh\necho 'SecretAccessKey=notjson'\n", to: "garbage.sh", executable: true)
        let config2 = try write("[profile odd]\ncredential_process = \(garbage)\n", to: "cfg2")
        let error2 = await storeError { () async throws(StoreError) in
            try await self.resolve(self.environment(["AWS_CONFIG_FILE": config2, "AWS_PROFILE": "odd"]))
        }
        XCTAssertFalse(try XCTUnwrap(error2).description.contains("notjson"))
    }

    func testAHangingCredentialProcessTimesOut() async throws {
        let config = try write("[profile slow]\ncredential_process = sleep 30\n", to: "cfg")
        let env = environment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "slow"])
        let provider = CredentialProcess(files: try SharedConfigFiles(environment: env), timeout: 1)
        let started = Date()
        let error = await storeError { () async throws(StoreError) in try await provider.credentials() }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(try XCTUnwrap(error).description.contains("did not finish within 1 s"))
    }

    func testContainerCredentialsFromTheFullURIWithItsToken() async throws {
        let python = try pythonWithBotocore()
        let body = try write(#"{"AccessKeyId": "AKIDCONTAINER", "SecretAccessKey": "containersecret", "Token": "containertoken", "Expiration": "2999-01-01T00:00:00Z"}"#, to: "body.json")
        let server = try ScriptServer(python: python, script: "credentials_server.py", arguments: ["Bearer right", body])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/v2/credentials"
        let found = try await resolve(environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer right"]))
        XCTAssertEqual(found.accessKeyId, "AKIDCONTAINER")
        XCTAssertEqual(found.sessionToken, "containertoken")

        let tokenFile = try write("Bearer right\n", to: "token")
        let fromFile = try await resolve(environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile]))
        XCTAssertEqual(fromFile.accessKeyId, "AKIDCONTAINER")

        let refused = await storeError { () async throws(StoreError) in
            try await self.resolve(self.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong"]))
        }
        XCTAssertTrue(try XCTUnwrap(refused).description.contains("answered 401"))
    }

    func testInstanceMetadataV2TokenThenRoleThenCredentials() async throws {
        let python = try pythonWithBotocore()
        let body = try write(#"{"Code": "Success", "AccessKeyId": "AKIDINSTANCE", "SecretAccessKey": "instancesecret", "Token": "instancetoken", "Expiration": "2999-01-01T00:00:00Z"}"#, to: "imds.json")
        let log = folder.appendingPathComponent("imds.log").path
        let server = try ScriptServer(python: python, script: "metadata_server.py", arguments: [body, log])
        defer { server.stop() }
        var env = environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(server.port)/"])
        env["AWS_EC2_METADATA_DISABLED"] = nil
        let found = try await resolve(env)
        XCTAssertEqual(found.accessKeyId, "AKIDINSTANCE")
        XCTAssertEqual(found.sessionToken, "instancetoken")
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n"), [
            "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/test-role",
        ])

        // AWS_EC2_METADATA_DISABLED=true: the service is never asked.
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        let skipped = await storeError { () async throws(StoreError) in try await self.resolve(env) }
        XCTAssertNotNil(skipped)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count, 3)
    }

    func testAnAbsentMetadataServiceFailsFast() async throws {
        // A loopback port that was just free: nothing answers there.
        let python = try pythonWithBotocore()
        let probe = try ScriptServer(python: python, script: "metadata_server.py", arguments: ["/dev/null", "/dev/null"])
        probe.stop()
        var env = environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(probe.port)"])
        env["AWS_EC2_METADATA_DISABLED"] = nil
        let started = Date()
        let error = await storeError { () async throws(StoreError) in try await self.resolve(env) }
        XCTAssertTrue(try XCTUnwrap(error).description.contains("no AWS credentials found"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    /// Counts how often the chain asks it.
    final class CountingProvider: CredentialsProvider, @unchecked Sendable {
        let lock = NSLock()
        var asked = 0
        let expiration: Date?
        init(expiration: Date?) { self.expiration = expiration }
        func credentials() -> AWSCredentials? {
            lock.lock(); defer { lock.unlock() }
            asked += 1
            return AWSCredentials(accessKeyId: "AKID\(asked)", secretAccessKey: "s", expiration: expiration, source: "test")
        }
    }

    func testTheChainKeepsCredentialsUntilTheyNearTheirExpiration() async throws {
        let lasting = CountingProvider(expiration: Date().addingTimeInterval(3600))
        let chain = CredentialsChain([lasting])
        for _ in 0..<3 { _ = try await chain.credentials() }
        XCTAssertEqual(lasting.asked, 1)

        let expiring = CountingProvider(expiration: Date().addingTimeInterval(60))
        let refreshing = CredentialsChain([expiring])
        let first = try await refreshing.credentials()
        let second = try await refreshing.credentials()
        XCTAssertEqual(expiring.asked, 2)
        XCTAssertNotEqual(first.accessKeyId, second.accessKeyId)
    }

    func testAPlainHTTPContainerURIOffLoopbackIsRefusedWithoutAnyRequest() async throws {
        let error = await storeError { () async throws(StoreError) in
            try await self.resolve(self.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"]))
        }
        XCTAssertTrue(try XCTUnwrap(error).description.contains("HTTPS"))
    }

    func testNothingConfiguredSaysWhatToSet() async throws {
        let started = Date()
        let error = await storeError { () async throws(StoreError) in try await self.resolve(self.environment()) }
        XCTAssertTrue(try XCTUnwrap(error).description.contains("AWS_ACCESS_KEY_ID"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testSecretsNeverPrint() {
        let credentials = AWSCredentials(accessKeyId: "AKIDVISIBLE", secretAccessKey: "hidden-secret", sessionToken: "hidden-token", source: "test")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped] {
            XCTAssertTrue(text.contains("AKIDVISIBLE"), text)
            XCTAssertFalse(text.contains("hidden"), text)
        }
    }

    func testEndpointsAndAddressing() {
        let custom = S3Configuration(environment: ["AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000/"], files: nil)
        XCTAssertEqual(custom.endpoint, "http://127.0.0.1:9000")
        XCTAssertEqual(custom.region, "us-east-1")
        XCTAssertTrue(custom.address(bucket: "b", region: "us-east-1") == ("http://127.0.0.1:9000", "127.0.0.1:9000", "/b"))
        XCTAssertEqual(S3Configuration(environment: ["AWS_ENDPOINT_URL": "http://a:1"], files: nil).endpoint, "http://a:1")
        let aws = S3Configuration(region: "eu-west-1")
        XCTAssertTrue(aws.address(bucket: "photos", region: "eu-west-1") == ("https://photos.s3.eu-west-1.amazonaws.com", "photos.s3.eu-west-1.amazonaws.com", ""))
        XCTAssertTrue(aws.address(bucket: "my.photos", region: "eu-west-1") == ("https://s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com", "/my.photos"))
    }
}
