/// Where S3 requests go and how they are addressed: the region, and either AWS's own endpoints
/// (virtual-hosted style, `bucket.s3.REGION.amazonaws.com`; path style for bucket names with
/// dots, which TLS wildcard certificates do not cover) or a custom endpoint in path style.
public struct S3Configuration: Sendable, Equatable {
    public var region: String
    /// `scheme://host[:port]` of a custom endpoint (MinIO, moto, a proxy), or nil for AWS.
    public var endpoint: String?

    public init(region: String, endpoint: String? = nil) {
        self.region = region
        var endpoint = endpoint
        while endpoint?.hasSuffix("/") == true { endpoint?.removeLast() }
        self.endpoint = endpoint
    }

    /// Region from `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's `region` (us-east-1 when
    /// none); endpoint from `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`.
    public init(environment: [String: String], files: SharedConfigFiles?) {
        let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"], files?.value("region")]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
        let endpoint = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"]]
            .compactMap { $0 }.first { !$0.isEmpty }
        self.init(region: region, endpoint: endpoint)
    }

    /// The URL base (scheme, host, port), the host header and the path prefix for `bucket` in
    /// `region`.
    func address(bucket: String, region: String) -> (base: String, host: String, pathPrefix: String) {
        if let endpoint {
            let host = endpoint.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? endpoint
            return (endpoint, host, "/" + S3URIEncoding.encode(bucket))
        }
        if bucket.contains(".") {
            let host = "s3.\(region).amazonaws.com"
            return ("https://" + host, host, "/" + S3URIEncoding.encode(bucket))
        }
        let host = "\(bucket).s3.\(region).amazonaws.com"
        return ("https://" + host, host, "")
    }
}
