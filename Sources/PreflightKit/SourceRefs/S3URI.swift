/// An `s3://BUCKET/KEY` reference, as a manifest's `source-ref` holds it.
public struct S3URI: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    /// Parses `s3://BUCKET/KEY`; nil unless both the bucket and the key are non-empty.
    public init?(_ text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let bucket = rest[..<slash]
        let key = rest[rest.index(after: slash)...]
        guard !bucket.isEmpty, !key.isEmpty, !bucket.contains(where: { $0 == " " || $0.isNewline }) else { return nil }
        self.bucket = String(bucket)
        self.key = String(key)
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}
