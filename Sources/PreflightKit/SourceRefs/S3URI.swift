/// An `s3://BUCKET/KEY` reference, as a manifest's `source-ref` holds it.
public struct S3URI: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    public var key: String

    /// Parses `s3://BUCKET/KEY`; nil unless both the bucket and the key are non-empty and
    /// the bucket has no space or line break.
    public init?(_ text: String) {
        let utf8 = text.utf8
        guard utf8.starts(with: "s3://".utf8) else { return nil }
        let rest = utf8.index(utf8.startIndex, offsetBy: 5)
        guard let slash = utf8[rest...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let keyStart = utf8.index(after: slash)
        guard slash > rest, keyStart < utf8.endIndex else { return nil }
        var ascii = true
        for byte in utf8[rest..<slash] {
            // Space and the ASCII line breaks (LF VT FF CR).
            if byte == UInt8(ascii: " ") || (byte >= 0x0A && byte <= 0x0D) { return nil }
            if byte >= 0x80 { ascii = false }
        }
        let bucket = String(text[rest..<slash])
        // The other line breaks (NEL, LS, PS) are not ASCII.
        guard ascii || !bucket.contains(where: \.isNewline) else { return nil }
        self.bucket = bucket
        self.key = String(text[keyStart...])
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}
