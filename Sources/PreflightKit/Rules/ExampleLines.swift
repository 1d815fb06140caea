/// Builders for the manifest lines in rule examples, so each example states only what it
/// is about. Every example's images live under `s3://example-bucket/`.
public enum ExampleLines {
    public static let bucket = "s3://example-bucket/"
    static let stamp = "\"creation-date\":\"2023-05-04T10:11:12.000Z\",\"job-name\":\"labeling-job/example\""

    /// A valid image-level (classification) line.
    public static func classification(_ key: String, label: String, attribute: String = "label",
                                      confidence: String = "1", extra: String = "") -> String {
        "{\"source-ref\":\"\(bucket)\(key)\",\"\(attribute)\":1,\"\(attribute)-metadata\":{\"class-name\":\"\(label)\","
            + "\"confidence\":\(confidence),\"type\":\"groundtruth/image-classification\",\"human-annotated\":\"yes\",\(stamp)}\(extra)}"
    }

    /// A box as `[class_id, top, left, width, height]`.
    public typealias Box = (classID: Int, top: Double, left: Double, width: Double, height: Double)

    /// A valid object-detection line; `confidences` defaults to one per box.
    public static func detection(_ key: String, width: Int = 96, height: Int = 72, boxes: [Box],
                                 classMap: [Int: String] = [0: "cat"], confidences: Int? = nil,
                                 attribute: String = "bounding-box") -> String {
        let annotations = boxes.map { box in
            "{\"class_id\":\(box.classID),\"top\":\(number(box.top)),\"left\":\(number(box.left)),"
                + "\"width\":\(number(box.width)),\"height\":\(number(box.height))}"
        }.joined(separator: ",")
        let objects = Array(repeating: "{\"confidence\":0.9}", count: confidences ?? boxes.count).joined(separator: ",")
        let map = classMap.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        return "{\"source-ref\":\"\(bucket)\(key)\",\"\(attribute)\":{\"image_size\":[{\"width\":\(width),\"height\":\(height),\"depth\":3}],"
            + "\"annotations\":[\(annotations)]},\"\(attribute)-metadata\":{\"objects\":[\(objects)],\"class-map\":{\(map)},"
            + "\"type\":\"groundtruth/object-detection\",\"human-annotated\":\"yes\",\(stamp)}}"
    }

    /// `count` classification lines over images `img0.jpg`, `img1.jpg`, ... cycling through `labels`.
    public static func classificationSet(labels: [String], count: Int, prefix: String = "img") -> [String] {
        (0..<count).map { classification("\(prefix)\($0).jpg", label: labels[$0 % labels.count]) }
    }

    /// The images for `classificationSet`: each a valid JPEG with bytes of its own.
    public static func images(count: Int, prefix: String = "img", fixture: String = "jpeg-baseline.jpg") -> [String: ExampleImage] {
        Dictionary(uniqueKeysWithValues: (0..<count).map { ("\(prefix)\($0).jpg", ExampleImage.tagged(fixture, tag: $0)) })
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
