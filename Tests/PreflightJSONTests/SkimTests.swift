import Foundation
import PreflightJSON
import Testing

/// Reading one member of the top-level object (`keepingTopLevelMembers`) must accept and
/// refuse exactly what the full parse does, with the same error, and give the same member.
@Suite("Parsing one member")
struct SkimTests {
    /// Every manifest line committed in the repository: the fixtures' manifests, the hostile
    /// manifests and the fuzzing seeds, plus hand-made cases.
    static func lines() throws -> [[UInt8]] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files: [URL] = []
        for folder in ["Fixtures", "Tests/Fuzz/corpus/manifest-line"] {
            let root = repository.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "manifest" || folder.hasPrefix("Tests") {
                files.append(url)
            }
        }
        var lines: [[UInt8]] = []
        for file in files {
            guard let data = try? Data(contentsOf: file), data.count < 1 << 20 else { continue }
            lines += data.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        }
        let made = [
            #"{"source-ref":"s3://b/a.jpg","x":{"y":[1,2,{"z":null}]}}"#,
            #"{"x":{"y":[1,2,]},"source-ref":"s3://b/a.jpg"}"#,
            #"{"x":{"y":[1,2}},"source-ref":"s3://b/a.jpg"}"#,
            #"{"source-ref":{"nested":"s3://b/a.jpg"}}"#,
            #"{"a":{},"b":[],"source-ref":"s3://b/c.jpg","c":{"d":{}}}"#,
            #"{"a":"\ud800","source-ref":"s3://b/c.jpg"}"#,
            #"{"a":01,"source-ref":"s3://b/c.jpg"}"#,
            #"{"source-ref":"s3://b/a.jpg","source-ref":"s3://b/b.jpg"}"#,
            #"[{"source-ref":"s3://b/a.jpg"}]"#,
            #"{"a":[[[[[[[[[[]]]]]]]]]],"source-ref":"s3://b/a.jpg"} x"#,
        ]
        return lines + made.map { Array($0.utf8) } + [Array(repeating: UInt8(ascii: "["), count: 600) + Array(#"{"source-ref":1}"#.utf8)]
    }

    @Test func agreesWithTheFullParseOnEveryCommittedLine() throws {
        let lines = try Self.lines()
        #expect(lines.count > 150)
        var failures = 0
        for line in lines {
            let full = Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(line) }
            let skim = line.withUnsafeBytes { raw in
                Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(raw, keepingTopLevelMembers: { $0 == "source-ref" }) }
            }
            switch (full, skim) {
            case (.success(let a), .success(let b)):
                #expect(a.objectValue?["source-ref"] == b.objectValue?["source-ref"], "\(String(decoding: line, as: UTF8.self))")
                if let object = b.objectValue {
                    // Other members are present but never built.
                    #expect(object.members.allSatisfy { $0.key == "source-ref" || $0.value == .null || !$0.value.isContainer })
                }
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(String(decoding: line, as: UTF8.self))")
            default:
                failures += 1
                Issue.record("validity differs: \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
        }
        #expect(failures == 0)
    }
}

private extension JSONValue {
    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
