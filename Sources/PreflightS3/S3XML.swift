/// A small, strict XML reader for the two documents S3 sends us: ListObjectsV2 results and
/// error bodies. Elements, text, the five named entities and character references; a
/// declaration, comments and attributes are read and dropped. No DTDs, no CDATA: S3 sends
/// none, and a document with them is refused rather than guessed at.
struct XMLElement: Equatable {
    var name: String
    var children: [XMLElement] = []
    var text: String = ""

    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
}

struct XMLError: Error, Equatable, CustomStringConvertible {
    var offset: Int
    var reason: String
    var description: String { "XML at byte \(offset): \(reason)" }
}

enum S3XML {
    static func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLElement {
        var reader = Reader(bytes: bytes)
        return try reader.document()
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        mutating func document() throws(XMLError) -> XMLElement {
            skipBOM()
            skipSpace()
            if starts(with: "<?xml") {
                guard let end = find("?>") else { throw fail("the XML declaration does not end") }
                i = end + 2
            }
            try skipMisc()
            guard peek == UInt8(ascii: "<") else { throw fail("no root element") }
            let root = try element()
            try skipMisc()
            guard i == bytes.count else { throw fail("content after the root element") }
            return root
        }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ reason: String) -> XMLError { XMLError(offset: i, reason: reason) }

        func starts(with text: String) -> Bool {
            let t = Array(text.utf8)
            return i + t.count <= bytes.count && Array(bytes[i..<(i + t.count)]) == t
        }

        func find(_ text: String) -> Int? {
            let t = Array(text.utf8)
            var j = i
            while j + t.count <= bytes.count {
                if bytes[j] == t[0] && Array(bytes[j..<(j + t.count)]) == t { return j }
                j += 1
            }
            return nil
        }

        mutating func skipBOM() {
            if starts(with: "\u{FEFF}") { i += 3 }
        }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        }

        mutating func skipMisc() throws(XMLError) {
            while true {
                skipSpace()
                if starts(with: "<!--") {
                    guard let end = find("-->") else { throw fail("a comment does not end") }
                    i = end + 3
                } else {
                    return
                }
            }
        }

        mutating func name() throws(XMLError) -> String {
            let start = i
            while let b = peek, !(b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ">")
                                  || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")) { i += 1 }
            guard i > start else { throw fail("a name was expected") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func element() throws(XMLError) -> XMLElement {
            i += 1  // <
            var node = XMLElement(name: try name())
            // Attributes (only xmlns in S3's answers): read to check their form, then dropped.
            while true {
                skipSpace()
                guard let b = peek else { throw fail("the tag <\(node.name)> does not end") }
                if b == UInt8(ascii: "/") {
                    guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { throw fail("'/' not followed by '>'") }
                    i += 2
                    return node
                }
                if b == UInt8(ascii: ">") { i += 1; break }
                _ = try name()
                skipSpace()
                guard peek == UInt8(ascii: "=") else { throw fail("an attribute without '='") }
                i += 1
                skipSpace()
                guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                    throw fail("an attribute value without quotes")
                }
                i += 1
                while let c = peek, c != quote { i += 1 }
                guard peek == quote else { throw fail("an attribute value does not end") }
                i += 1
            }
            var text = [UInt8]()
            while true {
                guard let b = peek else { throw fail("<\(node.name)> is not closed") }
                if b == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        i += 2
                        let closing = try name()
                        guard closing == node.name else { throw fail("</\(closing)> closes <\(node.name)>") }
                        skipSpace()
                        guard peek == UInt8(ascii: ">") else { throw fail("the end tag </\(closing)> does not end") }
                        i += 1
                        node.text = String(decoding: text, as: UTF8.self)
                        return node
                    } else if starts(with: "<!--") {
                        guard let end = find("-->") else { throw fail("a comment does not end") }
                        i = end + 3
                    } else if starts(with: "<!") || starts(with: "<?") {
                        throw fail("CDATA, DTDs and processing instructions are not expected here")
                    } else {
                        node.children.append(try element())
                    }
                } else if b == UInt8(ascii: "&") {
                    text += try entity()
                } else {
                    text.append(b)
                    i += 1
                }
            }
        }

        mutating func entity() throws(XMLError) -> [UInt8] {
            guard let end = bytes[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw fail("an '&' without ';'") }
            let body = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
            let value: String
            switch body {
            case "amp": value = "&"
            case "lt": value = "<"
            case "gt": value = ">"
            case "quot": value = "\""
            case "apos": value = "'"
            default:
                let scalar: UInt32?
                if body.hasPrefix("#x") { scalar = UInt32(body.dropFirst(2), radix: 16) }
                else if body.hasPrefix("#") { scalar = UInt32(body.dropFirst(1), radix: 10) }
                else { scalar = nil }
                guard let scalar, let character = Unicode.Scalar(scalar) else { throw fail("unknown entity &\(body);") }
                value = String(Character(character))
            }
            i = end + 1
            return Array(value.utf8)
        }
    }
}

/// One page of a ListObjectsV2 answer.
struct ListObjectsPage: Equatable {
    struct Entry: Equatable {
        var key: String
        var size: Int
        var eTag: String?
        var lastModified: String?
    }
    var entries: [Entry]
    var nextContinuationToken: String?

    /// Reads `<ListBucketResult>`; keys are decoded when the answer says `EncodingType` url.
    static func parse(_ bytes: [UInt8]) throws(XMLError) -> ListObjectsPage {
        let root = try S3XML.parse(bytes)
        guard root.name == "ListBucketResult" else { throw XMLError(offset: 0, reason: "<\(root.name)> where <ListBucketResult> was expected") }
        let urlEncoded = root.child("EncodingType")?.text == "url"
        var entries: [Entry] = []
        for contents in root.children("Contents") {
            guard let rawKey = contents.child("Key")?.text else { throw XMLError(offset: 0, reason: "<Contents> without <Key>") }
            guard let sizeText = contents.child("Size")?.text, let size = Int(sizeText), size >= 0 else {
                throw XMLError(offset: 0, reason: "<Contents> for \(rawKey) without a valid <Size>")
            }
            guard let key = urlEncoded ? S3URIEncoding.decodeListingKey(rawKey) : rawKey else {
                throw XMLError(offset: 0, reason: "the key \(rawKey) is not valid URL encoding")
            }
            entries.append(Entry(key: key, size: size, eTag: contents.child("ETag").map { unquoted($0.text) },
                                 lastModified: contents.child("LastModified")?.text))
        }
        let truncated = root.child("IsTruncated")?.text == "true"
        let token = root.child("NextContinuationToken")?.text
        if truncated && (token ?? "").isEmpty {
            throw XMLError(offset: 0, reason: "a truncated listing without <NextContinuationToken>")
        }
        return ListObjectsPage(entries: entries, nextContinuationToken: truncated ? token : nil)
    }
}

/// S3's `<Error>` body: its code and message. The rest (a SignatureDoesNotMatch body carries
/// the string to sign and the canonical request, with the session token) is never kept.
struct S3ErrorBody: Equatable {
    var code: String
    var message: String

    static func parse(_ bytes: [UInt8]) -> S3ErrorBody? {
        guard let root = try? S3XML.parse(bytes), root.name == "Error", let code = root.child("Code")?.text else { return nil }
        return S3ErrorBody(code: code, message: root.child("Message")?.text ?? "")
    }
}

func unquoted(_ eTag: String) -> String {
    eTag.count >= 2 && eTag.hasPrefix("\"") && eTag.hasSuffix("\"") ? String(eTag.dropFirst().dropLast()) : eTag
}
