import Foundation
import Testing
import PreflightKit

/// One example of one rule, for parameterised tests.
struct ExampleCase: CustomTestStringConvertible, Sendable {
    var code: String
    var index: Int
    var testDescription: String { "\(code) example \(index + 1)" }
    var rule: RuleDefinition { RuleCatalogue.definition(code: code)! }
    var example: RuleExample { rule.examples[index] }
}

let allExamples: [ExampleCase] = RuleCatalogue.all.flatMap { rule in
    rule.examples.indices.map { ExampleCase(code: rule.code, index: $0) }
}

@Suite("Every rule's examples")
struct RuleExampleTests {
    @Test(arguments: allExamples)
    func example(_ item: ExampleCase) throws {
        let outcome = try RuleExampleRunner(fixtures: KitFixtures.root).run(item.example, of: item.rule)
        #expect(outcome.failure == nil, "\(item.example.title): \(outcome.failure ?? "")")
    }

    @Test func everyRuleHasBothKindsOfExample() {
        for rule in RuleCatalogue.all {
            #expect(rule.examples.contains { $0.triggers }, "\(rule.code) has no triggering example")
            #expect(rule.examples.contains { !$0.triggers }, "\(rule.code) has no non-triggering example")
        }
    }

    @Test func codesAreUniqueAndWellFormed() {
        let codes = RuleCatalogue.all.map(\.code)
        #expect(Set(codes).count == codes.count)
        for rule in RuleCatalogue.all {
            #expect(rule.code.range(of: "^(ERROR|WARNING|PREFLIGHT)_[A-Z0-9_]+$", options: .regularExpression) != nil, "\(rule.code)")
            #expect((rule.origin == .service) == !rule.code.hasPrefix("PREFLIGHT_"), "\(rule.code)")
            #expect(!rule.explanation.isEmpty && !rule.fix.isEmpty && !rule.message.isEmpty)
        }
    }

    /// The team's fact sheet sits beside the repository in the workplace and in CI.
    static let factSheet = KitFixtures.repository.appendingPathComponent("../shared/REKOGNITION-RULES.md")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: factSheet.path)))
    func everyServiceCodeOfTheFactSheetIsARule() throws {
        let sheet = try String(contentsOf: Self.factSheet, encoding: .utf8)
        let codes = Set(sheet.matches(of: /\b((?:ERROR|WARNING)_[A-Z_]+)\b/).map { String($0.1) })
        let known = Set(RuleCatalogue.all.map(\.code))
        #expect(codes.subtracting(known).isEmpty, "missing: \(codes.subtracting(known).sorted())")
    }
}

enum KitFixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = repository.appendingPathComponent("Fixtures")
}
