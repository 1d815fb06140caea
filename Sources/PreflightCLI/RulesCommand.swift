import ArgumentParser
import PreflightJSON
import PreflightKit

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every check, or explain one: what it means, why, how to fix it, and its examples."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown }

    @Argument(help: "A check's code, e.g. ERROR_INVALID_BOUNDING_BOX.")
    var code: String?

    @Option(help: "text, or markdown (the docs/RULES.md page).")
    var format: Format = .text

    @Flag(help: "List the quality checks' thresholds that `preflight check --threshold` sets.")
    var thresholds = false

    func validate() throws {
        if let code, RuleCatalogue.definition(code: code) == nil {
            throw ValidationError("no check has the code \(code); `preflight rules` lists them")
        }
    }

    func run() throws {
        let rules = code.flatMap(RuleCatalogue.definition(code:)).map { [$0] } ?? RuleCatalogue.all
        var out = StandardOutput()
        if thresholds {
            out.write(format == .markdown ? RuleDocs.thresholdsMarkdown() : RuleDocs.thresholdsText())
            out.flush()
            return
        }
        switch format {
        case .markdown:
            out.write(RuleDocs.markdown(rules))
            if code == nil { out.write(RuleDocs.thresholdsMarkdown()) }
        case .text:
            if code != nil {
                out.write(RuleDocs.text(rules[0]))
            } else {
                for rule in rules { out.write(RuleDocs.summaryLine(rule) + "\n") }
                out.write("\n`preflight rules CODE` explains one check.\n")
            }
        }
        out.flush()
    }
}
