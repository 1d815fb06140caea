import AsyncHTTPClient
import Foundation
import PreflightStore
import NIOCore

/// ECS and EKS Pod Identity credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on
/// 169.254.170.2, or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (HTTPS, or HTTP on a loopback or the
/// container agents' own addresses) with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or the token read
/// from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
public struct ContainerCredentials: CredentialsProvider {
    let environment: [String: String]
    let http: HTTPClient

    public init(environment: [String: String], http: HTTPClient) {
        self.environment = environment
        self.http = http
    }

    static let allowedHTTPHosts: Set<String> = ["127.0.0.1", "localhost", "[::1]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]

    public func credentials() async throws(StoreError) -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            guard let parsed = URL(string: full), let scheme = parsed.scheme, let host = parsed.host else {
                throw .noCredentials("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL")
            }
            let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            guard scheme == "https" || (scheme == "http" && Self.allowedHTTPHosts.contains(bracketed)) else {
                throw .noCredentials("AWS_CONTAINER_CREDENTIALS_FULL_URI must use HTTPS, or HTTP on a loopback address")
            }
            url = full
        } else {
            return nil
        }
        var headers: [(String, String)] = []
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .noCredentials("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file) cannot be read")
            }
            headers.append(("Authorization", String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let source = "container credentials"
        let body = try await fetchCredentialText(http, url: url, headers: headers, timeout: .seconds(2), source: source)
        return try CredentialsDocument.decode(body, source: source)
    }
}

/// Instance metadata, IMDSv2 only: a session token by PUT, then the role's credentials by GET.
/// Each request has a one-second deadline so that off EC2 this fails fast.
public struct InstanceMetadataCredentials: CredentialsProvider {
    let endpoint: String
    let http: HTTPClient

    public init(environment: [String: String], http: HTTPClient) {
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.http = http
    }

    public func credentials() async throws(StoreError) -> AWSCredentials? {
        let source = "instance metadata"
        let deadline = TimeAmount.seconds(1)
        let token: [UInt8]
        do {
            token = try await fetchCredentialText(http, url: endpoint + "/latest/api/token", method: .PUT,
                                                  headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                                                  timeout: deadline, source: source)
        } catch {
            return nil  // Not on EC2 (or IMDS is off): the chain's end, reported as "no credentials".
        }
        let tokenHeader = [("X-aws-ec2-metadata-token", String(decoding: token, as: UTF8.self))]
        let base = endpoint + "/latest/meta-data/iam/security-credentials/"
        let roles = try await fetchCredentialText(http, url: base, headers: tokenHeader, timeout: deadline, source: source)
        guard let role = String(decoding: roles, as: UTF8.self).split(separator: "\n").first.map(String.init), !role.isEmpty else {
            throw .noCredentials("\(source): this instance has no IAM role")
        }
        let body = try await fetchCredentialText(http, url: base + S3URIEncoding.encode(role), headers: tokenHeader,
                                                 timeout: deadline, source: source)
        return try CredentialsDocument.decode(body, source: "\(source) (role \(role))")
    }
}
