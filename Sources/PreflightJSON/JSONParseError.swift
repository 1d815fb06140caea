/// Why a JSON text was rejected, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset (0-based) in the input where the problem was found. For an unterminated
    /// string this is the offset of its opening quote; for input that ends too early it is
    /// the input's length.
    public let offset: Int
    /// Short and human readable, e.g. "unexpected character 'x'", "unterminated string".
    public let message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at byte \(offset)" }
}
