/// Foundation's `trimmingCharacters(in: .whitespaces)` and `(in: .whitespacesAndNewlines)`,
/// which FoundationEssentials lacks: the same scalars (space separators, tab and the
/// zero-width space, plus the line and paragraph breaks), trimmed from both ends.
extension StringProtocol {
    /// Without spaces and tabs at either end.
    func trimmingSpaces() -> String {
        trimming(isSpace)
    }

    /// Without spaces, tabs and line breaks at either end.
    func trimmingSpacesAndNewlines() -> String {
        trimming { isSpace($0) || ("\n"..."\r").contains($0) || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    private func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }

    private func trimming(_ isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
