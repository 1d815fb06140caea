/// The JPEG coding process, from the start-of-frame marker.
public enum JPEGProcess: String, Sendable, Codable {
    case baseline
    case extendedSequential = "extended_sequential"
    case progressive
    case lossless
    case hierarchical
}

/// What a JPEG's marker segments say before the first scan, read without decoding.
public struct JPEGHeader: Sendable, Equatable {
    public var width: Int = 0
    public var height: Int = 0
    public var components: Int = 0
    public var precision: Int = 0
    public var process: JPEGProcess?
    public var arithmeticCoding = false
    /// The start-of-frame marker byte (0xC0...0xCF).
    public var frameMarker: UInt8?
    public var sawJFIF = false
    /// The Adobe APP14 transform flag (0 none or CMYK, 1 YCbCr, 2 YCCK), when present.
    public var adobeTransform: Int?
    /// Component identifiers in frame order (used to tell RGB from YCbCr).
    public var componentIDs: [UInt8] = []
    public var exif: EXIFReader.Outcome = .absent
    public var damage: String?
    /// Bytes found where a marker should start, skipped as libjpeg skips them (it warns
    /// "extraneous bytes before marker"); the offset of the first run.
    public var strayBytes = 0
    public var firstStrayOffset: Int?
    public var ranOutOfBytes = false
    /// True when the walk reached the first start-of-scan.
    public var reachedScan = false

    /// The colour space the components are stored in, as libjpeg would infer it.
    public var colorSpace: String {
        switch components {
        case 1: return "grayscale"
        case 3:
            if let adobeTransform { return adobeTransform == 0 ? "rgb" : "ycbcr" }
            if sawJFIF { return "ycbcr" }
            if componentIDs == [0x52, 0x47, 0x42] { return "rgb" } // 'R' 'G' 'B'
            return "ycbcr"
        case 4:
            if let adobeTransform, adobeTransform == 2 { return "ycck" }
            return "cmyk"
        default:
            return "unknown"
        }
    }

    /// Walks the marker segments in `bytes` up to the first start-of-scan.
    /// Returns nil when the bytes do not start with a JPEG start-of-image marker.
    public static func read(_ bytes: [UInt8]) -> JPEGHeader? {
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var header = JPEGHeader()
        var offset = 2
        var sawFrame = false
        func u16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        while true {
            // Markers may be preceded by any number of 0xFF fill bytes.
            guard offset < bytes.count else { header.ranOutOfBytes = true; break }
            // Skip anything that is not a marker, as libjpeg does: a byte other than 0xFF,
            // or 0xFF 0x00, is stray data.
            let strayStart = offset
            while offset < bytes.count {
                if bytes[offset] == 0xFF {
                    var next = offset + 1
                    while next < bytes.count && bytes[next] == 0xFF { next += 1 }
                    if next < bytes.count && bytes[next] != 0x00 { offset = next - 1; break }
                    offset = next
                } else {
                    offset += 1
                }
            }
            if offset > strayStart {
                header.strayBytes += offset - strayStart
                if header.firstStrayOffset == nil { header.firstStrayOffset = strayStart }
            }
            guard offset + 1 < bytes.count else { header.ranOutOfBytes = true; break }
            offset += 1 // the 0xFF
            let marker = bytes[offset]
            offset += 1
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue } // no payload
            if marker == 0xD9 { header.damage = "end-of-image marker before any scan"; break }
            if marker == 0xD8 {
                header.damage = "unexpected marker 0xFF\(hex(marker)) at byte \(offset - 2)"
                break
            }
            guard offset + 2 <= bytes.count else { header.ranOutOfBytes = true; break }
            let length = u16(offset)
            guard length >= 2 else {
                // libjpeg reads past an impossible segment length as if the segment were
                // empty; do the same, and count the two length bytes as damage.
                header.strayBytes += 2
                if header.firstStrayOffset == nil { header.firstStrayOffset = offset }
                offset += 2
                continue
            }
            let dataStart = offset + 2
            let dataEnd = offset + length
            let available = dataEnd <= bytes.count
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                guard length >= 8 else { header.damage = "start-of-frame segment too short"; return header }
                guard available else {
                    // Cut short inside the frame header: its leading fields still tell the size.
                    if dataStart + 6 <= bytes.count {
                        header.precision = Int(bytes[dataStart])
                        header.height = u16(dataStart + 1)
                        header.width = u16(dataStart + 3)
                        header.components = Int(bytes[dataStart + 5])
                    }
                    header.ranOutOfBytes = true
                    return header
                }
                if sawFrame { header.damage = "more than one start-of-frame marker"; return header }
                sawFrame = true
                header.frameMarker = marker
                header.precision = Int(bytes[dataStart])
                header.height = u16(dataStart + 1)
                header.width = u16(dataStart + 3)
                header.components = Int(bytes[dataStart + 5])
                for index in 0..<header.components {
                    let at = dataStart + 6 + index * 3
                    if at < dataEnd { header.componentIDs.append(bytes[at]) }
                }
                header.arithmeticCoding = marker >= 0xC9
                switch marker & 0x03 {
                case 0: header.process = marker == 0xC0 ? .baseline : .extendedSequential
                case 1: header.process = .extendedSequential
                case 2: header.process = .progressive
                default: header.process = .lossless
                }
                if [0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF].contains(marker) { header.process = .hierarchical }
                if header.width == 0 { header.damage = "start-of-frame declares a width of 0" }
            case 0xE0 where available:
                if length >= 7 && Array(bytes[dataStart..<dataStart + 5]) == Array("JFIF\0".utf8) {
                    header.sawJFIF = true
                }
            case 0xE1 where available:
                let exifMagic: [UInt8] = Array("Exif\0\0".utf8)
                if header.exif == .absent, length >= 8 + 6,
                   Array(bytes[dataStart..<dataStart + 6]) == exifMagic {
                    header.exif = EXIFReader.orientation(tiff: bytes[(dataStart + 6)..<dataEnd])
                }
            case 0xEE where available:
                if length >= 14 && Array(bytes[dataStart..<dataStart + 5]) == Array("Adobe".utf8) {
                    header.adobeTransform = Int(bytes[dataStart + 11])
                }
            case 0xDA:
                header.reachedScan = true
                if !sawFrame { header.damage = "start-of-scan before any start-of-frame" }
                return header
            default:
                break
            }
            offset = dataEnd
        }
        if !sawFrame && header.damage == nil && !header.ranOutOfBytes {
            header.damage = "no start-of-frame marker"
        }
        return header
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
