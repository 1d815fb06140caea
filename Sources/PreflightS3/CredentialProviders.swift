import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PreflightStore
import NIOCore
import NIOHTTP1

/// One place credentials may come from. `nil` means "not configured here: ask the next";
/// an error means it was configured and failed, which stops the chain as the AWS CLI does.
public protocol CredentialsProvider: Sendable {
    func credentials() async throws(StoreError) -> AWSCredentials?
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentials: CredentialsProvider {
    let environment: [String: String]
    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() throws(StoreError) -> AWSCredentials? {
        let id = environment["AWS_ACCESS_KEY_ID"] ?? ""
        let secret = environment["AWS_SECRET_ACCESS_KEY"] ?? ""
        if id.isEmpty && secret.isEmpty { return nil }
        guard !id.isEmpty, !secret.isEmpty else {
            throw .noCredentials("the environment sets only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; set both")
        }
        let token = environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"]
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                              sessionToken: token?.isEmpty == false ? token : nil, source: "environment")
    }
}

/// Keys written in the profile: `aws_access_key_id`, `aws_secret_access_key`,
/// `aws_session_token`.
public struct ProfileKeyCredentials: CredentialsProvider {
    let files: SharedConfigFiles
    public init(files: SharedConfigFiles) { self.files = files }

    public func credentials() throws(StoreError) -> AWSCredentials? {
        let id = files.value("aws_access_key_id") ?? ""
        let secret = files.value("aws_secret_access_key") ?? ""
        if id.isEmpty && secret.isEmpty { return nil }
        guard !id.isEmpty, !secret.isEmpty else {
            throw .noCredentials("profile \(files.profileName) sets only one of aws_access_key_id and aws_secret_access_key; set both")
        }
        let token = files.value("aws_session_token")
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret,
                              sessionToken: token?.isEmpty == false ? token : nil, source: "profile \(files.profileName)")
    }
}

/// A profile named by `AWS_PROFILE` that neither file has is an error, not a silent fall
/// through to instance credentials that may belong to someone else.
struct NamedProfileExists: CredentialsProvider {
    let files: SharedConfigFiles
    let named: String?

    func credentials() throws(StoreError) -> AWSCredentials? {
        if let named, !named.isEmpty, !files.profileExists {
            throw .noCredentials("AWS_PROFILE names profile \(named), which is in neither \(files.credentialsPath) nor \(files.configPath)")
        }
        return nil
    }
}

/// Tries each provider in order and keeps the first answer until it nears its expiration.
public actor CredentialsChain {
    let providers: [any CredentialsProvider]
    private var cached: AWSCredentials?

    public init(_ providers: [any CredentialsProvider]) {
        self.providers = providers
    }

    /// The AWS CLI's order: environment, the profile's keys in the credentials file, the
    /// profile's credential_process, the profile's keys in the config file, container
    /// credentials, then instance metadata (IMDSv2) unless `AWS_EC2_METADATA_DISABLED=true`.
    public static func standard(environment: [String: String], http: HTTPClient) throws(StoreError) -> CredentialsChain {
        let files = try SharedConfigFiles(environment: environment)
        var credentialsOnly = files
        credentialsOnly.configFileProfile = nil
        var configOnly = files
        configOnly.credentialsFileProfile = nil
        var providers: [any CredentialsProvider] = [
            EnvironmentCredentials(environment: environment),
            NamedProfileExists(files: files, named: environment["AWS_PROFILE"]),
            ProfileKeyCredentials(files: credentialsOnly),
            CredentialProcess(files: files),
            ProfileKeyCredentials(files: configOnly),
            ContainerCredentials(environment: environment, http: http),
        ]
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            providers.append(InstanceMetadataCredentials(environment: environment, http: http))
        }
        return CredentialsChain(providers)
    }

    public func credentials() async throws(StoreError) -> AWSCredentials {
        if let cached, !cached.expire(within: 300, of: Date()) { return cached }
        for provider in providers {
            if let found = try await provider.credentials() {
                cached = found
                return found
            }
        }
        throw .noCredentials("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials or ~/.aws/config")
    }
}

/// A GET or PUT for credentials, with a deadline so that an absent service fails fast.
func fetchCredentialText(_ http: HTTPClient, url: String, method: HTTPMethod = .GET,
                         headers: [(String, String)], timeout: TimeAmount, source: String) async throws(StoreError) -> [UInt8] {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    do {
        let response = try await http.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw StoreError.noCredentials("\(source): \(url) answered \(response.status.code)")
        }
        return Array(buffer: body)
    } catch let error as StoreError {
        throw error
    } catch {
        throw .noCredentials("\(source): \(url) did not answer (\(error))")
    }
}

/// Credentials given in code (tests, or a caller that has its own source).
public struct StaticCredentials: CredentialsProvider {
    let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() -> AWSCredentials? { value }
}
