import PreflightJSON

/// Where a report's text goes, a piece at a time: reports are written as they are made,
/// finding by finding, and never held whole in memory.
public protocol ReportSink {
    mutating func write(_ bytes: [UInt8])
}

extension ReportSink {
    public mutating func write(_ text: String) { write(Array(text.utf8)) }
}

extension AtomicFile.Sink: ReportSink {}
extension StandardOutput: ReportSink {}

/// A report collected in memory.
public struct ReportBuffer: ReportSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ bytes: [UInt8]) { self.bytes.append(contentsOf: bytes) }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Text built up in pieces and handed to a sink whenever it passes 64 KB.
struct ChunkedText<Sink: ReportSink> {
    private var pending = ""

    mutating func append(_ text: String, to sink: inout Sink) {
        pending += text
        if pending.utf8.count >= 1 << 16 { flush(to: &sink) }
    }

    mutating func flush(to sink: inout Sink) {
        guard !pending.isEmpty else { return }
        sink.write(pending)
        pending = ""
    }
}

/// A pretty-printed JSON document with one array too long to build as a value: the
/// document is made with `StreamedJSON.placeholder` where the array goes, and the array's
/// elements are made and written one at a time. The bytes are exactly those `JSONWriter`
/// would write for the whole document with `.prettyPrinted`.
enum StreamedJSON {
    static let placeholder = JSONValue.string("\u{0}streamed array\u{0}")

    static func write<Element, Sink: ReportSink>(_ document: JSONValue, streaming elements: some Sequence<Element>,
                                                 to sink: inout Sink, _ make: (Element) -> JSONValue) {
        var text: [UInt8] = []
        JSONWriter.write(document, into: &text, options: .prettyPrinted)
        var marker: [UInt8] = []
        JSONWriter.write(placeholder, into: &marker)
        guard let at = firstRange(of: marker, in: text) else {
            preconditionFailure("the document has no placeholder for its streamed array")
        }
        let lineStart = text[..<at].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let level = text[lineStart...].prefix { $0 == UInt8(ascii: " ") }.count / 2
        var out = Array(text[..<at])
        out.append(UInt8(ascii: "["))
        var any = false
        for element in elements {
            if any { out.append(UInt8(ascii: ",")) }
            any = true
            newline(level + 1, into: &out)
            JSONWriter.write(make(element), into: &out, options: .prettyPrinted, indent: level + 1)
            if out.count >= 1 << 16 {
                sink.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if any { newline(level, into: &out) }
        out.append(UInt8(ascii: "]"))
        out += text[(at + marker.count)...]
        sink.write(out)
    }

    private static func newline(_ level: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out += repeatElement(UInt8(ascii: " "), count: 2 * level)
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count, let first = needle.first else { return nil }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
