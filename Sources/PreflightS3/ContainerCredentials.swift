import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
            headers.append(("Authorization", String(decoding: data, as: UTF8.self).trimmingSpacesAndNewlines()))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", token))
        }
        let source = "container credentials"
        let body = try await fetchCredentialText(http, url: url, headers: headers, timeout: .seconds(2), source: source)
        return try CredentialsDocument.decode(body, source: source)
    }
}
