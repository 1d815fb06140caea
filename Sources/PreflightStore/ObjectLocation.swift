/// Where one object lives: a key in an S3 bucket or a path on this machine. It prints as the
/// user would write it (`s3://bucket/key`, or the path itself).
public enum ObjectLocation: Hashable, Sendable, CustomStringConvertible {
    case s3(bucket: String, key: String)
    case file(path: String)

    /// `s3://bucket/key` names an S3 object (the key may be empty: the bucket itself, or a
    /// listing prefix); anything else is a local path. The key is taken as written: no
    /// percent-decoding, and a `..` stays part of it.
    public init?(_ text: String) {
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let bucket = rest.prefix { $0 != "/" }
            guard !bucket.isEmpty else { return nil }
            // Only the one slash after the bucket separates; any further slash is the key's.
            let key = rest.dropFirst(bucket.count + 1)
            self = .s3(bucket: String(bucket), key: String(key))
        } else {
            guard !text.isEmpty, !text.contains("://") else { return nil }
            self = .file(path: text)
        }
    }

    public var description: String {
        switch self {
        case let .s3(bucket, key): return "s3://\(bucket)/\(key)"
        case let .file(path): return path
        }
    }

    /// The bucket of an S3 location; nil for a local file.
    public var bucket: String? {
        if case let .s3(bucket, _) = self { return bucket }
        return nil
    }

    /// The same store with `name` in place of this location's key or path.
    public func sibling(named name: String) -> ObjectLocation {
        switch self {
        case let .s3(bucket, _): return .s3(bucket: bucket, key: name)
        case .file: return .file(path: name)
        }
    }
}
