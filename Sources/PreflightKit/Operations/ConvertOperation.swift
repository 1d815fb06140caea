#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightJSON

/// The two transforms the Rekognition Custom Labels guide tells users to script by hand:
///
/// - `sagemakerMultiLabel`: SageMaker Ground Truth multi-label classification output
///   (`K: [class ids]`, metadata type `groundtruth/image-classification-multilabel` with
///   `class-map` and `confidence-map`) becomes one classification attribute per label,
///   `K0`, `K1`, ... each with its own metadata, as the guide's script writes them. Lines
///   without a multi-label attribute are copied as they are; an image with no label keeps
///   only its `source-ref` (the service ignores it).
/// - `coco`: a COCO object detection file becomes one bounding-box line per image, in the
///   order of `images`: `bbox` [x, y, w, h] gives left, top, width, height; `category_id` is
///   the class id and the class map names the categories used on the image; `image_size`
///   comes from the image's width and height; `creation-date` from `date_captured`.
///
/// Whatever cannot be converted is reported; the rest is written.
public struct ConvertOperation {
    public enum Source: String, Sendable, CaseIterable {
        case sagemakerMultiLabel = "sagemaker-multilabel"
        case coco
    }

    public var source: Source
    public var input: String
    public var output: String
    /// For COCO: `s3://BUCKET[/PREFIX]` the images' `file_name`s are below.
    public var s3URI: String?
    /// For COCO: the metadata's `job-name` (optional in manifests).
    public var jobName: String?

    public init(source: Source, input: String, output: String, s3URI: String? = nil, jobName: String? = nil) {
        self.source = source
        self.input = input
        self.output = output
        self.s3URI = s3URI
        self.jobName = jobName
    }

    public struct Outcome: Sendable {
        public var linesWritten = 0
        /// Lines (multi-label) or images (COCO) converted.
        public var converted = 0
        public var log: [LogLine] = []
        public var problems: [String] { log.filter(\.isProblem).map(\.text) }
    }

    public static let multiLabelType = "groundtruth/image-classification-multilabel"

    public func run() throws(OperationError) -> Outcome {
        try OperationFiles.refuseOverwriting([input], with: [output])
        switch source {
        case .sagemakerMultiLabel: return try convertMultiLabel()
        case .coco: return try convertCOCO()
        }
    }

    // MARK: - Ground Truth multi-label

    private func convertMultiLabel() throws(OperationError) -> Outcome {
        var outcome = Outcome()
        var copied = 0
        var failure: OperationError?
        try OperationFiles.write(output) { sink in
            do throws(OperationError) {
                try OperationFiles.forEachLine(of: input) { number, line in
                    guard let object = OperationFiles.object(line),
                          object.members.contains(where: { isMultiLabel(object[$0.key + "-metadata"]) }) else {
                        sink.writeLine(OperationFiles.text(line) ?? "")
                        copied += 1
                        return
                    }
                    switch expand(object) {
                    case .success(let converted):
                        sink.writeLine(converted)
                        outcome.converted += 1
                    case .failure(let problem):
                        sink.writeLine(OperationFiles.text(line) ?? "")
                        outcome.log.append(LogLine("line \(number): not converted, \(problem.description); copied as it is", problem: true))
                    }
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        outcome.linesWritten = outcome.converted + copied + outcome.problems.count
        outcome.log.append(LogLine("wrote \(outcome.linesWritten) line\(outcome.linesWritten == 1 ? "" : "s") to \(output): "
            + "\(outcome.converted) converted, \(copied) without a multi-label attribute copied as they are"))
        return outcome
    }

    private func isMultiLabel(_ metadata: JSONValue?) -> Bool {
        metadata?["type"]?.stringValue == Self.multiLabelType
    }

    /// The line with each multi-label attribute replaced, in place, by one classification attribute per label.
    private func expand(_ object: JSONObject) -> Result<JSONObject, OperationError> {
        let taken = Set(object.keys)
        var out = JSONObject()
        for member in object.members {
            let key = member.key
            if key.hasSuffix("-metadata"), isMultiLabel(member.value), object[String(key.dropLast(9))] != nil { continue }
            guard isMultiLabel(object[key + "-metadata"]), case .object(let metadata)? = object[key + "-metadata"] else {
                out.members.append(member)
                continue
            }
            guard case .array(let ids) = member.value else {
                return .failure(OperationError("the value of \"\(key)\" is not an array of class ids"))
            }
            let classMap = metadata["class-map"]?.objectValue ?? JSONObject()
            let confidences = metadata["confidence-map"]?.objectValue ?? JSONObject()
            var suffix = 0
            for (index, id) in ids.enumerated() {
                guard let number = id.numberValue?.int64 else {
                    return .failure(OperationError("class id \(id) of \"\(key)\" is not an integer"))
                }
                guard let name = classMap[String(number)]?.stringValue else {
                    return .failure(OperationError("class id \(number) of \"\(key)\" is not in its class-map"))
                }
                guard let confidence = confidences[String(number)], confidence.numberValue != nil else {
                    return .failure(OperationError("class id \(number) of \"\(key)\" has no confidence in its confidence-map"))
                }
                while taken.contains(key + String(suffix)) || taken.contains(key + String(suffix) + "-metadata") { suffix += 1 }
                var single: JSONObject = [
                    "class-name": .string(name),
                    "confidence": confidence,
                    "type": .string(LineInterpreter.classificationType),
                ]
                for field in ["job-name", "human-annotated", "creation-date"] {
                    if let value = metadata[field] { single[field] = value }
                }
                out[key + String(suffix)] = .number(JSONNumber(index))
                out[key + String(suffix) + "-metadata"] = .object(single)
                suffix += 1
            }
        }
        return .success(out)
    }

    // MARK: - COCO

    private func convertCOCO() throws(OperationError) -> Outcome {
        guard let s3URI else { throw OperationError("--from coco needs --s3-uri s3://BUCKET[/PREFIX], where the images are") }
        guard let prefix = FolderManifest.prefix(s3URI) else { throw OperationError("--s3-uri \(s3URI): expected s3://BUCKET[/PREFIX]") }
        let document: JSONValue
        switch FileBytes.read(path: input, limit: Int.max) {
        case .failure(let failure): throw OperationError("cannot read \(input): \(failure.message)")
        case .success(let file):
            do { document = try JSONParser.parse(file.bytes) } catch {
                throw OperationError("\(input) is not JSON: \(error.message) at byte \(error.offset + 1)")
            }
        }
        guard let images = document["images"]?.arrayValue, let annotations = document["annotations"]?.arrayValue,
              let categories = document["categories"]?.arrayValue else {
            throw OperationError("\(input) is not a COCO object detection file: it needs \"images\", \"annotations\" and \"categories\" lists")
        }
        var outcome = Outcome()
        func problem(_ text: String) { outcome.log.append(LogLine(text, problem: true)) }

        var names: [Int64: String] = [:]
        for category in categories {
            guard let id = category["id"]?.numberValue?.int64, let name = category["name"]?.stringValue else {
                problem("a category without an integer id and a name: \(category)")
                continue
            }
            names[id] = name
        }
        var boxes: [Int64: [(box: JSONObject, classID: Int64)]] = [:]
        for (index, annotation) in annotations.enumerated() {
            guard let image = annotation["image_id"]?.numberValue?.int64 else {
                problem("annotation \(index): no integer image_id; left out")
                continue
            }
            guard let bbox = annotation["bbox"]?.arrayValue, bbox.count == 4, bbox.allSatisfy({ $0.numberValue != nil }) else {
                problem("annotation \(index) (image \(image)): bbox is not [x, y, width, height]; left out")
                continue
            }
            guard let category = annotation["category_id"]?.numberValue?.int64, category >= 0, names[category] != nil else {
                problem("annotation \(index) (image \(image)): category_id \(annotation["category_id"].map(\.description) ?? "missing") is not a category; left out")
                continue
            }
            let box: JSONObject = ["class_id": .number(JSONNumber(category)), "top": bbox[1], "left": bbox[0], "width": bbox[2], "height": bbox[3]]
            boxes[image, default: []].append((box, category))
        }

        let fallbackDate = UTCTimestamp.modification(of: input) ?? UTCTimestamp.string(seconds: 0)
        var known = Set<Int64>()
        var empty = 0
        try OperationFiles.write(output) { sink in
            for image in images {
                guard let id = image["id"]?.numberValue?.int64, let file = image["file_name"]?.stringValue, !file.isEmpty,
                      let width = image["width"]?.numberValue?.int64, let height = image["height"]?.numberValue?.int64 else {
                    problem("an image without an integer id, a file_name, a width and a height: left out")
                    continue
                }
                known.insert(id)
                let key = file.hasPrefix("./") ? String(file.dropFirst(2)) : file
                let own = boxes[id] ?? []
                if own.isEmpty { empty += 1 }
                var classMap = JSONObject()
                for id in Set(own.map(\.classID)).sorted() { classMap[String(id)] = .string(names[id]!) }
                var metadata: JSONObject = [
                    "objects": .array(own.map { _ in .object(["confidence": 1]) }),
                    "class-map": .object(classMap),
                    "type": .string(LineInterpreter.detectionType),
                    "human-annotated": "yes",
                    "creation-date": .string(Self.timestamp(image["date_captured"]?.stringValue) ?? fallbackDate),
                ]
                if let jobName { metadata["job-name"] = .string(jobName) }
                let line: JSONObject = [
                    "source-ref": .string(prefix + key),
                    "bounding-box": .object([
                        "image_size": .array([.object(["width": .number(JSONNumber(width)), "height": .number(JSONNumber(height)), "depth": 3])]),
                        "annotations": .array(own.map { .object($0.box) }),
                    ]),
                    "bounding-box-metadata": .object(metadata),
                ]
                sink.writeLine(line)
                outcome.linesWritten += 1
            }
        }
        outcome.converted = outcome.linesWritten
        for image in boxes.keys.sorted() where !known.contains(image) {
            problem("\(boxes[image]!.count) annotation\(boxes[image]!.count == 1 ? "" : "s") name image_id \(image), which is not in images; left out")
        }
        var summary = "wrote \(outcome.linesWritten) line\(outcome.linesWritten == 1 ? "" : "s") (one per image) to \(output)"
        if empty > 0 { summary += "; \(empty) image\(empty == 1 ? " has" : "s have") no annotation (the service ignores such lines)" }
        outcome.log.append(LogLine(summary))
        return outcome
    }

    /// COCO's `date_captured` ("2013-11-15 02:41:42") as a manifest `creation-date`.
    static func timestamp(_ text: String?) -> String? {
        guard var text, text.count >= 19 else { return nil }
        if text[text.index(text.startIndex, offsetBy: 10)] == " " {
            text.replaceSubrange(text.index(text.startIndex, offsetBy: 10)...text.index(text.startIndex, offsetBy: 10), with: "T")
        }
        return LineInterpreter.looksLikeTimestamp(text) ? text : nil
    }
}
