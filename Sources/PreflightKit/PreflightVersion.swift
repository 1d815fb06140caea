/// The version of this tool, reported by `--version` and in every report.
public enum PreflightVersion {
    public static let current = "0.1.0"
}
