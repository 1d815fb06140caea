import PreflightJSON

/// The classification manifest the service would create for a folder dataset uploaded
/// under an S3 prefix: one line per labelled image, in the listing's order, each with one
/// image-level label attribute. Images with no label are not written: the service imports
/// them unlabelled and never trains on them.
public enum FolderManifest {
    /// The label attribute's key.
    public static let attribute = "label"

    /// `s3://BUCKET[/PREFIX]` as a prefix ending in `/`; nil unless it names a bucket.
    public static func prefix(_ s3URI: String) -> String? {
        guard s3URI.hasPrefix("s3://") else { return nil }
        var rest = String(s3URI.dropFirst(5))
        while rest.hasSuffix("/") { rest.removeLast() }
        let bucket = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard !bucket.isEmpty, !rest.contains("//"), !rest.contains(where: { $0 == " " || $0.isNewline }) else { return nil }
        return "s3://" + rest + "/"
    }

    /// The manifest's lines: `prefix` (from `prefix(_:)`) joined to each labelled image's key.
    /// The attribute's value is the label's position in the sorted label list, as Ground
    /// Truth numbers classes; `creation-date` is the file's modification time, so the same
    /// tree always gives the same manifest.
    public static func lines(for listing: FolderListing, prefix: String) -> [String] {
        let classes = Dictionary(uniqueKeysWithValues: listing.labelCounts.keys.sorted().enumerated().map { ($1, $0) })
        return listing.labelledImages.map { image in
            let metadata: JSONObject = [
                "class-name": .string(image.label!),
                "confidence": 1,
                "type": .string(LineInterpreter.classificationType),
                "human-annotated": "yes",
                "creation-date": .string(UTCTimestamp.string(seconds: image.modifiedSeconds, nanoseconds: image.modifiedNanoseconds)),
            ]
            let line: JSONObject = [
                "source-ref": .string(prefix + image.key),
                attribute: .number(JSONNumber(classes[image.label!] ?? 0)),
                attribute + "-metadata": .object(metadata),
            ]
            return JSONWriter.serialize(.object(line))
        }
    }
}
