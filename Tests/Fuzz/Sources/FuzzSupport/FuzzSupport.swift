#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightJSON
import PreflightKit

/// A fuzz target's breach of a promise: reported like a crash, with the reason.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        let text = "fuzz invariant broken: \(message())\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        abort()
    }
}

/// The fuzz input as bytes (libFuzzer may hand over a null pointer for empty input).
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// A scratch folder for the files a target writes, under `$PREFLIGHT_FUZZ_DIR` (the runner
/// sets it), else `$TMPDIR`, else /tmp. One folder per process, so parallel jobs never share.
public let scratchDirectory: String = {
    func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
    let base = env("PREFLIGHT_FUZZ_DIR") ?? env("TMPDIR") ?? "/tmp"
    let path = "\(base)/preflight-fuzz-\(getpid())"
    mkdir(base, 0o700)
    mkdir(path, 0o700)
    return path
}()

/// Replaces the content of the file at `path` with `bytes`.
public func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    require(fd >= 0, "cannot create \(path)")
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            require(n > 0, "cannot write \(path)")
            offset += n
        }
    }
    close(fd)
}

/// The probe's promises about one file of `size` bytes that did not change while read.
public func checkFacts(_ facts: ImageFacts, size: Int, mode: ProbeMode) {
    require(facts.fileSize == size, "file_size \(String(describing: facts.fileSize)) for a \(size)-byte file")
    if size == 0 {
        require(facts.hasProblem(.emptyFile), "an empty file without the empty_file problem")
    }
    let damage: Set<ImageProblemCode> = [.truncated, .corruptData, .damagedHeader, .unsupportedEncoding,
                                         .unsupportedFormat, .emptyFile, .notRegularFile, .readError]
    switch facts.integrity {
    case .ok:
        require(mode == .full, "integrity ok in header mode")
        require(facts.format == .png || facts.format == .jpeg, "integrity ok for \(String(describing: facts.format))")
        require((facts.width ?? 0) > 0 && (facts.height ?? 0) > 0, "integrity ok without a size")
        require(!facts.problems.contains { damage.contains($0.code) }, "integrity ok with \(facts.problems)")
    case .corrupt, .unsupported, .unreadable:
        require(!facts.problems.isEmpty, "integrity \(facts.integrity) with no problem to say why")
    case .notChecked:
        // In full mode a file is only left unchecked for a stated reason.
        if mode == .full { require(!facts.problems.isEmpty, "full mode left the file unchecked without a reason") }
    }
    if let trailing = facts.trailingBytes { require(trailing >= 0 && trailing < size, "trailing_bytes \(trailing) of \(size)") }
    if let width = facts.width { require(width >= 0, "negative width") }
    if let height = facts.height { require(height >= 0, "negative height") }

    // The facts survive the JSON the probe prints and the result cache stores.
    let json = facts.jsonValue
    let text = JSONWriter.serialize(json)
    guard let reread = try? JSONParser.parse(text) else {
        require(false, "the probe's JSON does not parse: \(text)")
        return
    }
    require(reread == json, "the probe's JSON changes when read back")
    require(ImageFacts(json: reread) == facts, "facts read back from JSON differ: \(text)")
    let cached = JSONWriter.serialize(ResultCache.encode(facts))
    let fromCache = (try? JSONParser.parse(cached)).flatMap { ResultCache.decode($0, path: facts.path, mode: facts.mode) }
    require(fromCache == facts, "facts read back from the result cache differ: \(cached)")
}

/// Rewrites the CRC of every complete PNG chunk, so that mutations reach the decoder
/// instead of stopping at the first checksum.
public func fixingPNGChecksums(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    guard bytes.count >= 8 else { return bytes }
    var offset = 8
    while offset + 12 <= bytes.count {
        let length = Int(UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
                         | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
        let end = offset + 12 + length
        guard length <= 0x7FFF_FFFF, end <= bytes.count else { break }
        let crc = crc32(bytes[(offset + 4)..<(offset + 8 + length)])
        for index in 0..<4 {
            bytes[offset + 8 + length + index] = UInt8(truncatingIfNeeded: crc >> UInt32(24 - 8 * index))
        }
        offset = end
    }
    return bytes
}

private let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}
