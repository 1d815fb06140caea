/// One line of a report for a terminal, laid out in rows of at most `width` columns. It breaks
/// only between words and goes on with a hanging indent; a word is never broken, so a path or
/// a URI longer than a row keeps a row of its own. Colours take no columns.
struct WrappedLine {
    static let width = 100

    private struct Word {
        var shown: String
        var columns: Int
        /// Spaces before the word when it follows another on the same row.
        var gap: Int
    }

    private var words: [Word] = []

    init() {}

    /// Text split into words at white space; `gap` spaces go before the first.
    mutating func text(_ text: String, gap: Int = 1, paint: (String) -> String = { $0 }) {
        var first = true
        for word in text.split(whereSeparator: \.isWhitespace) {
            words.append(Word(shown: paint(String(word)), columns: word.count, gap: first ? gap : 1))
            first = false
        }
    }

    /// One word whatever it holds: a path, a URI, a label name, a padded column.
    mutating func whole(_ text: String, gap: Int = 1, paint: (String) -> String = { $0 }) {
        guard !text.isEmpty else { return }
        words.append(Word(shown: paint(text), columns: text.count, gap: gap))
    }

    /// A word already painted, that takes `columns` columns.
    mutating func painted(_ shown: String, columns: Int, gap: Int = 1) {
        words.append(Word(shown: shown, columns: columns, gap: gap))
    }

    /// The rows, each ending in a newline: the first starts after `indent` spaces, the
    /// others after `hangingIndent`.
    func rendered(indent: Int, hangingIndent: Int, width: Int = WrappedLine.width) -> String {
        var out = String(repeating: " ", count: indent)
        var column = indent
        var rowIsEmpty = true
        for word in words {
            if rowIsEmpty {
                out += word.shown
                column += word.columns
                rowIsEmpty = false
            } else if column + word.gap + word.columns <= width {
                out += String(repeating: " ", count: word.gap) + word.shown
                column += word.gap + word.columns
            } else {
                out += "\n" + String(repeating: " ", count: hangingIndent) + word.shown
                column = hangingIndent + word.columns
            }
        }
        return out + "\n"
    }
}
