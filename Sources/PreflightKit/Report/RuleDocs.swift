/// The rule catalogue as text for `preflight rules` and as Markdown for docs/RULES.md,
/// both printed from the rule definitions.
public enum RuleDocs {
    public static func text(_ rule: RuleDefinition) -> String {
        var out = "\(rule.code)  (\(rule.severity.rawValue); \(rule.origin == .service ? "reported by the service" : "Preflight only"))\n"
        out += "  \(rule.title)\n\n"
        out += "  Scope: \(rule.scope.rawValue)    Effect: \(rule.effect.rawValue)\n"
        out += "  Message: \(rule.message)\n\n"
        out += wrap(rule.explanation, indent: "  ") + "\n\n"
        out += wrap("Fix: " + rule.fix, indent: "  ") + "\n\n"
        out += "  Examples:\n"
        for example in rule.examples {
            out += "    \(example.triggers ? "fires" : "quiet"): \(example.title)\n"
        }
        return out
    }

    public static func summaryLine(_ rule: RuleDefinition) -> String {
        "\(rule.code.padding(toLength: 52)) \(rule.severity.rawValue.padding(toLength: 8)) \(rule.title)"
    }

    public static func markdown(_ rules: [RuleDefinition]) -> String {
        var out = "# Checks\n\n"
        out += "Every check Preflight makes, printed from the rule definitions in `Sources/PreflightKit/Rules` "
        out += "(`preflight rules --format markdown` writes this file; a test keeps it current). "
        out += "Codes starting `ERROR_` or `WARNING_` are the service's own; `PREFLIGHT_` codes are conditions the service does not report.\n\n"
        out += "| code | severity | scope | effect | what |\n| --- | --- | --- | --- | --- |\n"
        for rule in rules {
            out += "| [`\(rule.code)`](#\(rule.code.lowercased())) | \(rule.severity.rawValue) | \(rule.scope.rawValue) | \(rule.effect.rawValue) | \(rule.title) |\n"
        }
        for rule in rules {
            out += "\n## \(rule.code)\n\n"
            out += "**\(rule.title).** \(rule.severity.rawValue.capitalized), \(rule.origin == .service ? "reported by the service" : "reported by Preflight only"); "
            out += "scope `\(rule.scope.rawValue)`, effect `\(rule.effect.rawValue)`.\n\n"
            out += "Message: \(rule.message)\n\n"
            out += rule.explanation + "\n\n"
            out += "**Fix.** " + rule.fix + "\n\n"
            out += "**Examples** (each one is run as a test):\n\n"
            for example in rule.examples {
                out += "- \(example.triggers ? "Fires" : "Does not fire"): \(example.title)"
                if let line = example.line, example.triggers {
                    out += " (line \(line)\(example.annotation.map { ", box \($0 + 1)" } ?? "")\(example.inTest ? " of the test manifest" : ""))"
                }
                if let entry = example.entry, example.triggers { out += " (on `\(entry)`)" }
                out += "\n"
                if example.training.count == 1, example.training[0].count < 400, example.test == nil {
                    out += "  ```json\n  \(example.training[0])\n  ```\n"
                }
                if let tree = example.folder {
                    out += "  Folder: " + tree.keys.sorted().map { key -> String in
                        if case .symlink(let target)? = tree[key] { return "`\(key)` → `\(target)`" }
                        return "`\(key)`"
                    }.joined(separator: ", ")
                    out += example.location.map { "; checked with `--location \($0)`" } ?? ""
                    out += "\n"
                }
            }
        }
        return out
    }

    /// The thresholds a run may set, as a Markdown section.
    public static func thresholdsMarkdown() -> String {
        var out = "\n## Thresholds\n\n"
        out += "The quality checks' thresholds, each set for a run with `preflight check --threshold NAME=VALUE` "
        out += "(repeatable); `preflight rules --thresholds` lists them.\n\n"
        out += "| name | default | range | check | meaning |\n| --- | --- | --- | --- | --- |\n"
        for setting in QualityThresholds.settings {
            let range = "\(QualityThresholds.format(setting.range.lowerBound)) to \(QualityThresholds.format(setting.range.upperBound))"
            let codes = setting.codes.map { "`\($0)`" }.joined(separator: ", ")
            out += "| `\(setting.name)` | \(QualityThresholds.format(setting.defaultValue)) | \(range)\(setting.whole ? ", whole" : "") | \(codes) | \(setting.meaning) |\n"
        }
        return out
    }

    /// The thresholds a run may set, as text.
    public static func thresholdsText() -> String {
        var out = "Thresholds of the quality checks (preflight check --threshold NAME=VALUE):\n\n"
        for setting in QualityThresholds.settings {
            out += "  \(setting.name.padding(toLength: 26)) default \(QualityThresholds.format(setting.defaultValue).padding(toLength: 6)) \(setting.codes.joined(separator: ", "))\n"
            out += wrap(setting.meaning, indent: "      ") + "\n"
        }
        return out
    }

    static func wrap(_ text: String, indent: String, width: Int = 92) -> String {
        var lines: [String] = []
        var current = indent
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > width, current.count > indent.count {
                lines.append(current)
                current = indent
            }
            current += (current.count > indent.count ? " " : "") + word
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
