import ImageEngine
import PreflightJSON

// Preflight's checks of the manifest file as a whole: files that are not JSON Lines at all.
// Line by line, such a file is nothing but invalid lines; one sentence about the file says
// what happened and how to convert it, and ends the file's check.

private let first = ExampleLines.classification("a.jpg", label: "cat")
private let second = ExampleLines.classification("b.jpg", label: "dog")
private let twoImages: [String: ExampleImage] = ["a.jpg": .fixture("jpeg-baseline.jpg"), "b.jpg": .tagged("jpeg-baseline.jpg", tag: 1)]

public struct ManifestUTF16: ManifestFileRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_MANIFEST_UTF16", severity: .error, scope: .manifestFile, effect: .stopsTraining, origin: .preflight,
        title: "Manifest saved as UTF-16",
        message: "The manifest is UTF-16 encoded; the service reads UTF-8.",
        explanation: """
            Windows tools (PowerShell's `>` and `Out-File` before PowerShell 7, Notepad's "Unicode") \
            save text as UTF-16: two bytes per character, every other byte a zero for the ASCII that \
            JSON is made of. Read as UTF-8, as the service reads manifests, not one line is JSON, so \
            every line is invalid and training stops on too many invalid rows. Preflight recognises \
            UTF-16 by its byte order mark (FF FE or FE FF), or without one by zero bytes in every \
            other position of the file's first 4 KB.
            """,
        fix: "Convert the file to UTF-8, e.g. `iconv -f UTF-16 -t UTF-8 train.manifest > train-utf8.manifest` (the finding gives the command for the file and its byte order), or save it again as UTF-8.",
        examples: [
            RuleExample("Saved as UTF-16 with a byte order mark (little-endian)", triggers: true,
                        training: [first, second], images: twoImages).manifestEncoded(.utf16LittleEndian(byteOrderMark: true)),
            RuleExample("Saved as UTF-16 big-endian, no byte order mark", triggers: true,
                        training: [first, second], images: twoImages).manifestEncoded(.utf16BigEndian(byteOrderMark: false)),
            RuleExample("Saved as UTF-8", triggers: false, training: [first, second], images: twoImages),
        ])

    /// How much of the file's start is looked at.
    static let sampleBytes = 4096

    public static func check(path: String, size: Int) -> String? {
        guard size >= 4, case .success(let file) = FileBytes.read(path: path, limit: sampleBytes),
              let encoding = detect(file.bytes) else { return nil }
        let input = encoding.hasByteOrderMark ? "UTF-16" : encoding.bigEndian ? "UTF-16BE" : "UTF-16LE"
        let order = (encoding.bigEndian ? "big-endian" : "little-endian") + (encoding.hasByteOrderMark ? ", with a byte order mark" : ", no byte order mark")
        return "\(fileName(path)) is UTF-16 encoded (\(order)); the service reads UTF-8: convert it "
            + "(iconv -f \(input) -t UTF-8 \(shellQuoted(path)) > \(shellQuoted(renamed(path, suffix: "-utf8"))))"
    }

    /// The byte order of a UTF-16 text, or nil when `bytes` do not look like one.
    static func detect(_ bytes: [UInt8]) -> (bigEndian: Bool, hasByteOrderMark: Bool)? {
        if bytes.starts(with: [0xFF, 0xFE]) { return (false, true) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (true, true) }
        // JSON is ASCII but for the contents of its strings: in UTF-16 nearly every
        // character has one zero byte, on the same side. UTF-8 JSON has no zero byte at all.
        let pairs = bytes.count / 2
        guard pairs >= 2 else { return nil }
        var zeroFirst = 0, zeroSecond = 0
        for i in 0..<pairs {
            let a = bytes[2 * i], b = bytes[2 * i + 1]
            if a == 0 && b != 0 { zeroFirst += 1 }
            if b == 0 && a != 0 { zeroSecond += 1 }
        }
        // A few characters have the zero on the other side (U+4E00 is 00 4E in UTF-16LE).
        if zeroSecond * 4 >= pairs * 3 && zeroFirst * 8 <= pairs { return (false, false) }
        if zeroFirst * 4 >= pairs * 3 && zeroSecond * 8 <= pairs { return (true, false) }
        return nil
    }
}

public struct ManifestJSONArray: ManifestFileRule {
    public static let definition = RuleDefinition(
        code: "PREFLIGHT_MANIFEST_JSON_ARRAY", severity: .error, scope: .manifestFile, effect: .stopsTraining, origin: .preflight,
        title: "Manifest is one JSON array, not JSON Lines",
        message: "The manifest is one JSON array of objects; the service reads JSON Lines, one object per line.",
        explanation: """
            A manifest holds one JSON object per line. A file that is a single JSON array (`[ {...}, \
            {...} ]`), as `json.dump` of a list or a pretty-printing tool writes it, is valid JSON but \
            not JSON Lines: read line by line, as the service reads it, no line is a complete object, so \
            every line is invalid and training stops on too many invalid rows. Preflight reports this \
            when the file starts with `[` and then `{`, and the array does not end on the first line (or \
            the first line is the whole file).
            """,
        fix: "Write one object per line, e.g. `jq -c '.[]' train.manifest > train-lines.manifest` (the finding gives the command for the file), or `json.dumps` each object on its own line.",
        examples: [
            .init("An array of two objects, pretty-printed over four lines", triggers: true,
                  training: ["[", "  " + first + ",", "  " + second, "]"], images: twoImages),
            .init("An array of two objects on one line", triggers: true,
                  training: ["[" + first + ", " + second + "]"], images: twoImages),
            .init("One object per line", triggers: false, training: [first, second], images: twoImages),
            .init("Each line an array holding one object (each line is invalid, not the file)", triggers: false,
                  training: ["[" + first + "]", "[" + second + "]"], images: twoImages),
        ])

    /// How much of the file's start is read to find the end of its first line.
    static let sampleBytes = 1 << 20

    public static func check(path: String, size: Int) -> String? {
        // A glance first: only a file that opens with `[` is worth reading further.
        guard case .success(let start) = FileBytes.read(path: path, limit: 64),
              [nil, UInt8(ascii: "[")].contains(start.bytes.first(where: { ![0xEF, 0xBB, 0xBF, 0x20, 0x09, 0x0A, 0x0D].contains($0) })),
              case .success(let file) = FileBytes.read(path: path, limit: sampleBytes),
              isArrayOfObjects(file.bytes, isWholeFile: file.isComplete) else { return nil }
        return "\(fileName(path)) is one JSON array, not JSON Lines (one JSON object per line): convert it "
            + "(jq -c '.[]' \(shellQuoted(path)) > \(shellQuoted(renamed(path, suffix: "-lines"))))"
    }

    /// Whether `bytes`, the start of a file, open a JSON array of objects that is more than
    /// a line of JSON Lines: it continues past the first line, or the first line is the file.
    static func isArrayOfObjects(_ bytes: [UInt8], isWholeFile: Bool) -> Bool {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        func skipSpace(_ index: inout Int) {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        var index = start
        skipSpace(&index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        skipSpace(&index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }

        // The first line, as a JSON Lines reader sees it.
        guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
            // No end of line in the sample: one line longer than 1 MB, or the whole file.
            return true
        }
        let firstLine = bytes[start..<newline].last == 0x0D ? bytes[start..<newline - 1] : bytes[start..<newline]
        guard (try? JSONParser.parse(Array(firstLine))) != nil else { return true }
        // A complete array on the first line is the file only when nothing follows it.
        return isWholeFile && bytes[(newline + 1)...].allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
    }
}

/// The last component of a path.
private func fileName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}

/// `path` with `suffix` before its extension: train.manifest -> train-utf8.manifest.
private func renamed(_ path: String, suffix: String) -> String {
    let name = fileName(path)
    let folder = path.dropLast(name.count)
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path + suffix }
    return folder + name[..<dot] + suffix + name[dot...]
}

/// The path as one shell word, quoted only when it needs to be.
private func shellQuoted(_ path: String) -> String {
    let plain = !path.isEmpty && path.unicodeScalars.allSatisfy { scalar in
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "/._-+,:@%".unicodeScalars.contains(scalar)
    }
    return plain ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
}
