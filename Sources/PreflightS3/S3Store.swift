import PreflightStore

/// The `ObjectStore` over S3: `s3://bucket/key` locations, read through an `S3Client`.
public struct S3Store: ObjectStore {
    public let client: S3Client
    /// Objects larger than this are refused from their size, never downloaded.
    public let maxReadBytes: Int

    public init(client: S3Client, maxReadBytes: Int = 64 << 20) {
        self.client = client
        self.maxReadBytes = maxReadBytes
    }

    public func info(of location: ObjectLocation) async throws(StoreError) -> ObjectInfo {
        let (bucket, key) = try split(location)
        return try await client.headObject(bucket: bucket, key: key)
    }

    public func read(_ location: ObjectLocation, range: Range<Int>?) async throws(StoreError) -> ObjectRead {
        let (bucket, key) = try split(location)
        return try await client.getObject(bucket: bucket, key: key, range: range, maxBytes: maxReadBytes)
    }

    public func listPage(prefix: ObjectLocation, continuation: String?) async throws(StoreError) -> ObjectPage {
        let (bucket, key) = try split(prefix)
        return try await client.listObjects(bucket: bucket, prefix: key, continuation: continuation)
    }

    private func split(_ location: ObjectLocation) throws(StoreError) -> (String, String) {
        guard case let .s3(bucket, key) = location else {
            throw .other(location, "not an S3 location (s3://bucket/key)")
        }
        return (bucket, key)
    }
}
