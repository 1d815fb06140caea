/// Presentation and verdict choices that every report needs besides the findings.
public struct ReportContext: Sendable {
    /// The severity at or above which the run fails (nil: never).
    public var failOn: Severity?
    /// ANSI colours (text only; only on a terminal, and never when NO_COLOR is set).
    public var color: Bool

    public init(failOn: Severity? = .error, color: Bool = false) {
        self.failOn = failOn
        self.color = color
    }
}

/// A way of writing a check's result as one document. Reporters read findings and
/// statistics only; the engine knows nothing of them.
public protocol Reporter: Sendable {
    /// The name used in `--format` and `--report NAME=PATH`.
    static var name: String { get }
    /// Writes the report to `sink`, a finding at a time.
    static func write<Sink: ReportSink>(_ result: CheckResult, context: ReportContext, to sink: inout Sink)
}

extension Reporter {
    /// The whole report as one string.
    public static func render(_ result: CheckResult, context: ReportContext) -> String {
        var buffer = ReportBuffer()
        write(result, context: context, to: &buffer)
        return buffer.text
    }
}

/// Every report format, by name.
public enum ReportFormats {
    public static let all: [any Reporter.Type] = [TextReport.self, JSONReport.self, SARIFReport.self, JUnitReport.self, GitHubReport.self, HTMLReport.self]

    public static func named(_ name: String) -> (any Reporter.Type)? {
        all.first { $0.name == name.lowercased() }
    }
}

/// The verdict of a run given the severity threshold.
public enum Verdict: String, Sendable {
    case pass
    case fail

    /// What the findings say at the threshold `--fail-on` sets. `--fail-on never` changes the
    /// exit code only: its reports give the verdict at `error`, the default.
    public static func of(_ result: CheckResult, context: ReportContext) -> Verdict {
        of(result, failOn: context.failOn ?? .error)
    }

    /// The outcome that decides the exit code: with no threshold (`never`), always pass.
    public static func of(_ result: CheckResult, failOn: Severity?) -> Verdict {
        guard let failOn else { return .pass }
        let omitted = result.omittedFindings.keys.contains { (RuleCatalogue.definition(code: $0)?.severity ?? .error) >= failOn }
        return omitted || result.findings.contains { $0.severity >= failOn } ? .fail : .pass
    }
}
