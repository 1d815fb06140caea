import PreflightJSON

/// Reads one manifest line into a `ManifestLine`, recording every format problem instead
/// of stopping at the first. It judges nothing: the rules do.
public enum LineInterpreter {
    public static let classificationType = "groundtruth/image-classification"
    public static let detectionType = "groundtruth/object-detection"

    public static func interpret(_ bytes: UnsafeRawBufferPointer, number: Int) -> ManifestLine {
        var line = ManifestLine(number: number)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            line.parseError = parseProblem(error, in: bytes)
            return line
        }
        guard case .object(let object) = value else {
            line.parseError = "the line is a JSON \(value.typeName), not an object"
            return line
        }
        interpret(object, into: &line)
        return line
    }

    /// Why a line does not parse, in the words that tell the user what happened.
    static func parseProblem(_ error: JSONParseError, in bytes: UnsafeRawBufferPointer) -> String {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return "the line is blank" }
        // Editors on Windows save "UTF-8 with BOM"; Python's json, as the service's scripts
        // read lines, refuses the mark, so the line is lost.
        if error.offset == 0 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return "the line starts with a UTF-8 byte order mark (bytes EF BB BF), which JSON readers refuse; "
                + "save the manifest as UTF-8 without it (sed -i 's/^\\xEF\\xBB\\xBF//' MANIFEST removes it)"
        }
        return "\(error.message) at byte \(error.offset + 1)"
    }

    static func interpret(_ object: JSONObject, into line: inout ManifestLine) {
        // At every depth: a label attribute or an annotation can repeat a key as well as the line.
        line.duplicateKeys = object.duplicateKeyPaths
        line.sourceRef = sourceRef(of: object)
        // Lines have a handful of keys: linear scans over them beat hashing. A line with
        // thousands of keys gets an index instead, so it costs linear time, not quadratic.
        let keys = object.keys
        let index: [String: Int]? = keys.count <= KeyList.linearLimit ? nil
            : Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { _, last in last })
        func member(_ key: String) -> JSONValue? {
            guard let index else { return object[key] }
            return index[key].map { object.members[$0].value }
        }
        var attributeKeys = KeyList(count: keys.count)
        var metadataKeys = KeyList(count: keys.count)
        for key in keys where !isServiceKey(key) && !attributeKeys.contains(key) {
            let metadataKey = key + "-metadata"
            guard let metadata = member(metadataKey), let value = member(key) else { continue }
            attributeKeys.append(key)
            metadataKeys.append(metadataKey)
            line.attributes.append(attribute(key: key, value: value, metadata: metadata))
        }
        var otherKeys = KeyList(count: keys.count)
        for key in keys where !isServiceKey(key) && !metadataKeys.contains(key)
            && !attributeKeys.contains(key) && !otherKeys.contains(key) {
            otherKeys.append(key)
        }
        line.otherKeys = otherKeys.keys
    }

    /// Keys in order: searched by scanning while there are few, through a set beside them
    /// when the line has many.
    struct KeyList {
        static let linearLimit = 32
        private(set) var keys: [String] = []
        private var set: Set<String>?

        init(count: Int) { if count > Self.linearLimit { set = [] } }

        func contains(_ key: String) -> Bool { set?.contains(key) ?? keys.contains(key) }

        mutating func append(_ key: String) {
            keys.append(key)
            set?.insert(key)
        }
    }

    /// The `source-ref` of a parsed line, and nothing else (the first pass needs only this).
    public static func sourceRef(of object: JSONObject) -> SourceRefState {
        switch object["source-ref"] {
        case nil: return .missing
        case .string(let text)?: return S3URI(text).map { .valid($0) } ?? .invalid("\"\(text.prefix(200))\"")
        case let other?: return .invalid("a JSON \(other.typeName)")
        }
    }

    /// The `source-ref` of a raw line, or nil when the line is not a JSON object.
    /// The whole line is validated as `interpret` would, but only `source-ref` is built.
    public static func sourceRef(_ bytes: UnsafeRawBufferPointer) -> SourceRefState? {
        guard case .object(let object)? = try? JSONParser.parse(bytes, keepingTopLevelMembers: { $0 == "source-ref" }) else {
            return nil
        }
        return sourceRef(of: object)
    }

    /// `source-ref` and the keys the service writes itself: never label attributes.
    static func isServiceKey(_ key: String) -> Bool {
        switch key {
        case "source-ref", "cl-metadata", "errors", "warnings", "cl-errors": true
        default: false
        }
    }

    static func attribute(key: String, value: JSONValue, metadata: JSONValue) -> LabelAttribute {
        var attribute = LabelAttribute(key: key)
        guard case .object(let meta) = metadata else {
            attribute.metadataProblems.append("\(key)-metadata is a JSON \(metadata.typeName), not an object")
            return attribute
        }
        switch meta["type"] {
        case .string(classificationType)?: attribute.kind = .classification
        case .string(detectionType)?: attribute.kind = .detection
        case .string(let other)?: attribute.kind = .unsupported(type: other)
        case nil: attribute.metadataProblems.append("\"type\" is missing")
        case let other?: attribute.metadataProblems.append("\"type\" is a JSON \(other.typeName), not a string")
        }
        checkCommonMetadata(meta, into: &attribute)
        switch attribute.kind {
        case .classification: readClassification(value: value, meta: meta, into: &attribute)
        case .detection: readDetection(value: value, meta: meta, into: &attribute)
        default: break
        }
        return attribute
    }

    private static func checkCommonMetadata(_ meta: JSONObject, into attribute: inout LabelAttribute) {
        switch meta["human-annotated"] {
        case .string(let text)? where text == "yes" || text == "no": attribute.humanAnnotated = text
        case nil: attribute.metadataProblems.append("\"human-annotated\" is missing")
        case let other?: attribute.metadataProblems.append("\"human-annotated\" is \(describe(other)), not \"yes\" or \"no\"")
        }
        switch meta["creation-date"] {
        case .string(let text)? where looksLikeTimestamp(text): break
        case nil: attribute.metadataProblems.append("\"creation-date\" is missing")
        case let other?: attribute.metadataProblems.append("\"creation-date\" is \(describe(other)), not a UTC timestamp such as \"2023-05-04T10:11:12.000Z\"")
        }
        if let job = meta["job-name"], job.stringValue == nil {
            attribute.metadataProblems.append("\"job-name\" is a JSON \(job.typeName), not a string")
        }
    }

    private static func readClassification(value: JSONValue, meta: JSONObject, into attribute: inout LabelAttribute) {
        if case .number(let number) = value, number.isInteger {
            // Any integer: the service does not use it.
        } else {
            attribute.formatProblems.append("the value of \"\(attribute.key)\" is \(describe(value)), not an integer")
        }
        switch meta["class-name"] {
        case .string(let name)? where !name.isEmpty: attribute.className = name
        case nil: attribute.metadataProblems.append("\"class-name\" is missing")
        case let other?: attribute.metadataProblems.append("\"class-name\" is \(describe(other)), not a non-empty string")
        }
        checkConfidence(meta["confidence"], name: "\"confidence\"", into: &attribute.metadataProblems)
    }

    private static func readDetection(value: JSONValue, meta: JSONObject, into attribute: inout LabelAttribute) {
        guard case .object(let body) = value else {
            attribute.formatProblems.append("the value of \"\(attribute.key)\" is \(describe(value)), not an object with image_size and annotations")
            return
        }
        // image_size: [{"width", "height", "depth"}]
        if case .array(let sizes)? = body["image_size"], sizes.count == 1, case .object(let size) = sizes[0] {
            let width = positiveInt(size["width"]), height = positiveInt(size["height"])
            if width == nil || height == nil {
                attribute.formatProblems.append("image_size needs positive integer width and height")
            }
            if size["depth"]?.numberValue?.int64 == nil {
                attribute.formatProblems.append("image_size needs an integer depth")
            }
            attribute.declaredWidth = width
            attribute.declaredHeight = height
        } else {
            attribute.formatProblems.append("image_size must be an array holding one {width, height, depth} object")
        }
        switch body["annotations"] {
        case nil:
            attribute.annotationsPresent = false
        case .array(let items)?:
            attribute.annotationsPresent = true
            for (index, item) in items.enumerated() {
                guard case .object(let box) = item else {
                    attribute.formatProblems.append("box \(index + 1) (annotations[\(index)]) is \(describe(item)), not an object")
                    continue
                }
                var numbers: [Double] = []
                for field in ["top", "left", "width", "height"] {
                    if case .number(let n)? = box[field], n.double.isFinite {
                        numbers.append(n.double)
                    } else {
                        attribute.formatProblems.append("box \(index + 1) (annotations[\(index)]) has no numeric \(field)")
                    }
                }
                let classID = box["class_id"]?.numberValue?.int64.flatMap { Int(exactly: $0) }
                if classID == nil || classID! < 0 {
                    attribute.formatProblems.append("box \(index + 1) (annotations[\(index)]) has no non-negative integer class_id")
                }
                if numbers.count == 4 {
                    attribute.boxes.append(BoundingBox(index: index, classID: classID,
                                                       top: numbers[0], left: numbers[1], width: numbers[2], height: numbers[3]))
                }
            }
        case let other?:
            attribute.formatProblems.append("annotations is \(describe(other)), not an array")
        }
        switch meta["class-map"] {
        case .object(let map)?:
            for (id, name) in map.members {
                if case .string(let text) = name {
                    attribute.classMap.append((id, text))
                } else {
                    attribute.metadataProblems.append("class-map entry \"\(id)\" is \(describe(name)), not a string")
                }
            }
        case nil:
            if !attribute.boxes.isEmpty { attribute.metadataProblems.append("\"class-map\" is missing") }
        case let other?:
            attribute.metadataProblems.append("\"class-map\" is \(describe(other)), not an object")
        }
        switch meta["objects"] {
        case nil: attribute.confidences = nil
        case .array(let objects)?:
            attribute.confidences = objects.map { object -> Double? in
                guard case .number(let n)? = object["confidence"], n.double.isFinite else { return nil }
                return n.double
            }
        case let other?:
            attribute.metadataProblems.append("\"objects\" is \(describe(other)), not an array")
        }
    }

    private static func checkConfidence(_ value: JSONValue?, name: String, into problems: inout [String]) {
        switch value {
        case .number(let n)? where n.double >= 0 && n.double <= 1: break
        case nil: problems.append("\(name) is missing")
        case let other?: problems.append("\(name) is \(describe(other)), not a number from 0 to 1")
        }
    }

    private static func positiveInt(_ value: JSONValue?) -> Int? {
        guard let n = value?.numberValue?.int64, n > 0, n <= Int64(Int32.max) else { return nil }
        return Int(n)
    }

    /// "2023-05-04T10:11:12" with optional fraction and zone, as Ground Truth writes it.
    static func looksLikeTimestamp(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        guard chars.count >= 19 else { return false }
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (index, expected) in pattern.enumerated() {
            let c = chars[index]
            if expected == UInt8(ascii: "d") {
                guard c >= 0x30 && c <= 0x39 else { return false }
            } else if c != expected {
                return false
            }
        }
        return true
    }

    /// A short description of a JSON value for messages.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "the string \"\(s.prefix(60))\""
        case .number(let n): return "the number \(n.text.prefix(40))"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
