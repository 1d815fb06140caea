import CPNGShim

/// The PNG colour types of the IHDR chunk.
public enum PNGColorType: Int, Sendable, Codable {
    case grayscale = 0
    case rgb = 2
    case palette = 3
    case grayscaleAlpha = 4
    case rgba = 6

    public var name: String {
        switch self {
        case .grayscale: "grayscale"
        case .rgb: "rgb"
        case .palette: "palette"
        case .grayscaleAlpha: "grayscale_alpha"
        case .rgba: "rgba"
        }
    }
    public var channels: Int {
        switch self {
        case .grayscale, .palette: 1
        case .grayscaleAlpha: 2
        case .rgb: 3
        case .rgba: 4
        }
    }
}

/// What a PNG's chunk structure says, read without inflating any image data.
public struct PNGHeader: Sendable {
    public var width: UInt32 = 0
    public var height: UInt32 = 0
    public var bitDepth: Int = 0
    public var colorType: PNGColorType?
    public var rawColorType: Int = 0
    public var interlaced = false
    /// Frames announced by an APNG `acTL` chunk; nil for a still PNG.
    public var animationFrames: UInt32?
    public var exif: EXIFReader.Outcome = .absent
    /// Offset just past IEND, when the walk reached it.
    public var endOffset: Int?
    /// Structural damage found by the walk (chunk lengths past the end, missing IHDR, ...).
    public var damage: String?
    /// The first chunk whose stored CRC does not match its content (only when asked to verify).
    public var crcMismatch: (type: String, offset: Int)?
    /// True when the walk stopped because the bytes it was given ran out.
    public var ranOutOfBytes = false

    /// Walks the chunks in `bytes` (a whole file, or a prefix of one). Stops at IEND.
    /// With `verifyCRC`, every complete chunk's CRC is checked on the way.
    /// Returns nil when the bytes do not start with the PNG signature.
    public static func read(_ bytes: [UInt8], verifyCRC: Bool = false) -> PNGHeader? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 4, Array(bytes[0..<4]) == Array(signature[0..<4]) else { return nil }
        var header = PNGHeader()
        guard bytes.count >= 8 else { header.ranOutOfBytes = true; return header }
        guard Array(bytes[4..<8]) == Array(signature[4..<8]) else {
            header.damage = "the signature's line-ending bytes are altered, as a text-mode (ASCII) transfer does"
            return header
        }
        var offset = 8
        var sawIHDR = false
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        while true {
            guard offset + 8 <= bytes.count else { header.ranOutOfBytes = true; break }
            let length = u32(offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            guard length <= 0x7FFF_FFFF else {
                header.damage = "chunk \(printable(type)) at byte \(offset) declares a length of \(length) bytes, over the PNG maximum"
                break
            }
            let dataStart = offset + 8
            let next = dataStart + Int(length) + 4
            if !sawIHDR {
                guard type == "IHDR", length == 13 else {
                    header.damage = "the first chunk is \(printable(type)), not a 13-byte IHDR"
                    break
                }
            }
            // Chunk payloads are read only for the small chunks that carry header facts.
            let payloadAvailable = dataStart + Int(length) <= bytes.count
            if verifyCRC, header.crcMismatch == nil, next <= bytes.count {
                let computed = bytes.withUnsafeBufferPointer { buffer in
                    pf_crc32(0, buffer.baseAddress! + offset + 4, Int(length) + 4)
                }
                if computed != u32(next - 4) { header.crcMismatch = (type, offset) }
            }
            switch type {
            case "IHDR" where payloadAvailable:
                sawIHDR = true
                header.width = u32(dataStart)
                header.height = u32(dataStart + 4)
                header.bitDepth = Int(bytes[dataStart + 8])
                header.rawColorType = Int(bytes[dataStart + 9])
                header.colorType = PNGColorType(rawValue: header.rawColorType)
                header.interlaced = bytes[dataStart + 12] == 1
                if let problem = ihdrProblem(bytes[dataStart..<dataStart + 13]) {
                    header.damage = problem
                    return header
                }
            case "acTL" where payloadAvailable && length >= 8:
                header.animationFrames = u32(dataStart)
            case "eXIf" where payloadAvailable:
                header.exif = EXIFReader.orientation(tiff: bytes[dataStart..<dataStart + Int(length)])
            case "IEND":
                if next <= bytes.count { header.endOffset = next } else { header.ranOutOfBytes = true }
                return header
            default:
                break
            }
            if !payloadAvailable && type == "IHDR" { header.ranOutOfBytes = true; break }
            offset = next
        }
        if !sawIHDR && header.damage == nil && !header.ranOutOfBytes {
            header.damage = "no IHDR chunk"
        }
        return header
    }

    /// What is impossible about an IHDR payload, per the PNG specification.
    static func ihdrProblem(_ ihdr: ArraySlice<UInt8>) -> String? {
        let b = Array(ihdr)
        let width = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        let height = UInt32(b[4]) << 24 | UInt32(b[5]) << 16 | UInt32(b[6]) << 8 | UInt32(b[7])
        let depth = Int(b[8]), color = Int(b[9])
        if width == 0 || height == 0 { return "IHDR declares a zero width or height" }
        if width > 0x7FFF_FFFF || height > 0x7FFF_FFFF { return "IHDR declares a size over the PNG maximum of 2^31-1" }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[color] else { return "IHDR declares colour type \(color), which PNG does not define" }
        if !depths.contains(depth) { return "IHDR declares bit depth \(depth), impossible with colour type \(color)" }
        if b[10] != 0 { return "IHDR declares compression method \(b[10]); only 0 exists" }
        if b[11] != 0 { return "IHDR declares filter method \(b[11]); only 0 exists" }
        if b[12] > 1 { return "IHDR declares interlace method \(b[12]); only 0 and 1 exist" }
        return nil
    }

    private static func printable(_ type: String) -> String {
        type.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic) } ? "'\(type)'" : "(unreadable chunk type)"
    }
}
