import Foundation
import Testing
@testable import ImageEngine
@testable import PreflightKit
import PreflightTestSupport

/// The images a rule example makes from the fixtures are what they claim to be: a `.tagged`
/// copy differs from its fixture only by a comment, and stays an intact image.
@Suite("Rule example images")
struct RuleExampleImageTests {
    @Test(arguments: ["png-rgb8.png", "png-palette.png", "jpeg-baseline.jpg"])
    func aTaggedCopyIsIntactAndDiffersFromItsFixture(_ fixture: String) throws {
        let folder = try makeTemporaryFolder("tagged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = RuleExampleRunner(fixtures: KitFixtures.root)
        try runner.materialize(["a": .tagged(fixture, tag: 1), "b": .tagged(fixture, tag: 2)], in: folder)

        let original = try Data(contentsOf: KitFixtures.root.appendingPathComponent("images/\(fixture)"))
        let a = try Data(contentsOf: folder.appendingPathComponent("a"))
        let b = try Data(contentsOf: folder.appendingPathComponent("b"))
        #expect(a != original && a != b)
        // A full decode checks every PNG chunk's CRC-32, the inserted tEXt chunk's included.
        let probe = ImageProbe(options: ProbeOptions(mode: .full))
        for name in ["a", "b"] {
            let facts = probe.examine(path: folder.appendingPathComponent(name).path)
            #expect(facts.integrity == .ok, "\(fixture) tagged as \(name): \(facts.problems)")
        }
    }
}
