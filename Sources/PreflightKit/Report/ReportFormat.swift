/// A way of writing a check's result. Reporters read findings and statistics only; the
/// engine knows nothing of them.
public protocol Reporter {
    static var name: String { get }
    static func render(_ result: CheckResult, style: ReportStyle) -> String
}

/// Presentation choices that do not change content.
public struct ReportStyle: Sendable {
    /// ANSI colours (only on a terminal, and never when NO_COLOR is set).
    public var color = false
    public init(color: Bool = false) { self.color = color }
}

/// The verdict of a run given the severity threshold.
public enum Verdict: String, Sendable {
    case pass
    case fail

    public static func of(_ result: CheckResult, failOn: Severity?) -> Verdict {
        guard let failOn else { return .pass }
        return result.findings.contains { $0.severity >= failOn } ? .fail : .pass
    }
}
