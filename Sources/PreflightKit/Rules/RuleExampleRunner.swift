#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ImageEngine
import PreflightStore

/// Runs a rule's examples for real: writes each example's manifests and images into a
/// temporary folder, runs the whole check on them, and says whether the rule fired where
/// the example says. The tests run every example of every rule through this.
public struct RuleExampleRunner {
    /// The folder holding `images/` with the committed fixtures.
    public let fixtures: URL

    public init(fixtures: URL) { self.fixtures = fixtures }

    public struct Outcome {
        /// Findings of the rule under test.
        public var findings: [Finding]
        /// Empty when the example behaved as it says; otherwise what went wrong.
        public var failure: String?
    }

    public func run(_ example: RuleExample, of rule: RuleDefinition) throws -> Outcome {
        let result = try self.result(of: example)
        return judge(result, example: example, rule: rule)
    }

    /// Checks the example's dataset and returns everything found.
    public func result(of example: RuleExample) throws -> CheckResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let training = folder.appendingPathComponent(example.trainingFileName)
        try write(lines: example.training, to: training, encoding: example.trainingEncoding)
        if let size = example.trainingFileSize {
            guard truncate(training.path, off_t(size)) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        var inputs = [ManifestInput(path: training.path, role: .training)]
        if let test = example.test {
            let url = folder.appendingPathComponent("test.manifest")
            try write(lines: test, to: url)
            inputs.append(ManifestInput(path: url.path, role: .testing))
        }
        // Read from a store, the images are objects of a bucket folder the store serves.
        let store = folder.appendingPathComponent("store")
        let images = example.readsStore ? store.appendingPathComponent("example-bucket") : folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try materialize(example.images, in: images)

        var options = CheckOptions()
        options.mode = example.fullDecode ? .full : .header
        options.region = example.region
        if let pixels = example.maxPixels { options.maxPixels = pixels }
        for setting in example.thresholds {
            if let problem = options.thresholds.set(setting) { preconditionFailure("example threshold: \(problem)") }
        }
        if example.readsStore {
            options.store = FolderStore(root: store.path)
            options.resolver = SourceRefResolver(readsStore: true)
        } else if example.mapsImages {
            options.resolver = SourceRefResolver(mappings: [.init(prefix: "s3://example-bucket", directory: images.path)])
        }
        if let tree = example.folder {
            let dataset = folder.appendingPathComponent("dataset")
            try FileManager.default.createDirectory(at: dataset, withIntermediateDirectories: true)
            try materialize(tree, in: dataset)
            return try FolderCheck(options: options).run(training: dataset.path, location: example.location)
        }
        return CheckEngine(options: options).run(inputs)
    }

    /// Writes each file of `tree` (paths relative to `folder`) made from the fixtures,
    /// creating folders as needed.
    public func materialize(_ tree: [String: ExampleImage], in folder: URL) throws {
        for (key, image) in tree.sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent(key)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if case .symlink(let target) = image {
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
            } else {
                try bytes(of: image).write(to: url)
                if case .denied = image, chmod(url.path, 0) != 0 { throw CocoaError(.fileWriteNoPermission) }
            }
        }
    }

    private func judge(_ result: CheckResult, example: RuleExample, rule: RuleDefinition) -> Outcome {
        let role: DatasetRole = example.inTest ? .testing : .training
        let findings = result.findings.filter { $0.code == rule.code && $0.role == role }

        var failure: String?
        if example.triggers {
            if findings.isEmpty {
                failure = "expected \(rule.code) but it did not fire; findings: \(result.findings.map { "\($0.code)@\($0.line.map(String.init) ?? "-")" })"
            } else if let line = example.line, !findings.contains(where: { $0.line == line && (example.annotation == nil || $0.annotationIndex == example.annotation) }) {
                failure = "expected \(rule.code) at line \(line)\(example.annotation.map { " annotation \($0)" } ?? ""); got \(findings.map { "line \($0.line.map(String.init) ?? "-") annotation \($0.annotationIndex.map(String.init) ?? "-")" })"
            } else if example.line == nil, rule.scope == .dataset || rule.scope == .project || rule.scope == .manifestFile,
                      findings.contains(where: { $0.line != nil }) {
                failure = "a \(rule.scope.rawValue) finding must carry no line number"
            } else if let entry = example.entry, !findings.contains(where: { $0.image?.hasSuffix("/dataset/" + entry) == true }) {
                failure = "expected \(rule.code) on \(entry); got \(findings.map { $0.image ?? "-" })"
            }
        } else if !findings.isEmpty {
            failure = "expected no \(rule.code); got \(findings.map { "line \($0.line.map(String.init) ?? "-"): \($0.details["reason"]?.stringValue ?? $0.message)" })"
        }
        return Outcome(findings: findings, failure: failure)
    }

    private func write(lines: [String], to url: URL, encoding: ExampleEncoding = .utf8) throws {
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        try Data(encoding.encode(text)).write(to: url)
    }

    private func bytes(of image: ExampleImage) throws -> Data {
        switch image {
        case .fixture(let name), .denied(let name):
            return try Data(contentsOf: fixtures.appendingPathComponent("images/\(name)"))
        case .padded(let name, let size):
            var data = try Data(contentsOf: fixtures.appendingPathComponent("images/\(name)"))
            if data.count < size { data.append(Data(count: size - data.count)) }
            return data
        case .tagged(let name, let tag):
            var data = try Data(contentsOf: fixtures.appendingPathComponent("images/\(name)"))
            let comment = Array("example \(tag)".utf8)
            if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
                // A tEXt chunk after the 8-byte signature and the 25-byte IHDR chunk.
                let body = Array("Comment".utf8) + [0] + comment
                let typed = Array("tEXt".utf8) + body
                let crc = Checksum.crc32(typed)
                let chunk = [UInt8(body.count >> 24), UInt8((body.count >> 16) & 0xFF), UInt8((body.count >> 8) & 0xFF), UInt8(body.count & 0xFF)]
                    + typed + [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
                data.insert(contentsOf: chunk, at: 33)
                return data
            }
            let segment: [UInt8] = [0xFF, 0xFE, UInt8((comment.count + 2) >> 8), UInt8((comment.count + 2) & 0xFF)] + comment
            data.insert(contentsOf: segment, at: 2)
            return data
        case .text(let text):
            return Data(text.utf8)
        case .symlink:
            return Data()
        }
    }
}
