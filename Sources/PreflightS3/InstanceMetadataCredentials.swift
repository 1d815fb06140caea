import AsyncHTTPClient
import NIOCore
import PreflightStore

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
