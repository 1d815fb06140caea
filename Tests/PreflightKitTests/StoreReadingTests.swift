import Foundation
import Testing
import ImageEngine
import PreflightKit
import PreflightStore

/// Images read as objects from a store give the findings their local copies give: every rule
/// example whose images are local files is checked a second time with the same bytes served
/// by a `FolderStore` under their `s3://` names.
@Suite("Images read from a store")
struct StoreReadingTests {
    /// Examples whose outcome depends on the local disk itself, which a store has no notion of.
    static func comparable(_ example: RuleExample) -> Bool {
        guard example.mapsImages, example.folder == nil, !example.readsStore else { return false }
        let keys = example.images.keys
        // Links, and keys that would leave a mapped folder, are local matters.
        if example.images.values.contains(where: { if case .symlink = $0 { true } else { false } }) { return false }
        if keys.contains(where: { $0.contains("..") || $0.hasPrefix("/") }) { return false }
        // An object over the service's 15 MB limit is never downloaded, so never decoded.
        return !example.images.values.contains { if case .padded(_, let size) = $0 { size > ServiceLimits.maxImageBytes } else { false } }
    }

    static let cases = allExamples.filter { comparable($0.example) }

    struct Seen: Hashable, CustomStringConvertible {
        var code: String, role: DatasetRole, line: Int?, annotation: Int?
        var description: String { "\(code)@\(role.rawValue):\(line.map(String.init) ?? "-")" }
    }

    /// A finding that blames a `--map`, which a store run has none of.
    static let aboutMapping: Set<String> = [ImagesMostlyMissing.definition.code]

    static func seen(_ result: CheckResult) -> [Seen] {
        result.findings.filter { !aboutMapping.contains($0.code) }
            .map { Seen(code: $0.code, role: $0.role, line: $0.line, annotation: $0.annotationIndex) }
    }

    @Test(arguments: cases)
    func sameFindingsAsTheLocalCopy(_ item: ExampleCase) throws {
        let runner = RuleExampleRunner(fixtures: KitFixtures.root)
        let local = try runner.result(of: item.example)
        // Only examples whose local run looked for every image it named compare: an unmapped
        // or escaping reference is a local matter.
        guard local.imagesNotLookedFor == 0 else { return }
        let stored = try runner.result(of: item.example.readFromStore())
        #expect(Self.seen(stored) == Self.seen(local), "\(item.example.title)")
        #expect(stored.imagesExamined == local.imagesExamined)
        #expect(stored.imagesUnreadable == local.imagesUnreadable)
        for finding in stored.findings where finding.image != nil {
            #expect(finding.image!.hasPrefix("s3://example-bucket/"), "\(finding.code) names \(finding.image!)")
        }
    }
}
