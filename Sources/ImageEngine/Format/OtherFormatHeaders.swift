/// Dimensions of the formats the service refuses, so that a user learns what they hold.
enum OtherFormatHeaders {
    static func dimensions(of format: ImageFormat, in b: [UInt8]) -> (width: Int, height: Int)? {
        func le16(_ at: Int) -> Int? { at + 2 <= b.count ? Int(b[at]) | Int(b[at + 1]) << 8 : nil }
        func le32(_ at: Int) -> Int? {
            guard let lo = le16(at), let hi = le16(at + 2) else { return nil }
            return lo | hi << 16
        }
        func le24(_ at: Int) -> Int? { at + 3 <= b.count ? Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 : nil }
        switch format {
        case .gif:
            guard let w = le16(6), let h = le16(8) else { return nil }
            return (w, h)
        case .bmp:
            guard let headerSize = le32(14) else { return nil }
            if headerSize == 12 {
                guard let w = le16(18), let h = le16(20) else { return nil }
                return (w, h)
            }
            guard let w = le32(18), let h = le32(22) else { return nil }
            let signed = h >= 0x8000_0000 ? h - 0x1_0000_0000 : h
            return (w, abs(signed))
        case .webp:
            guard b.count >= 30 else { return nil }
            let chunk = String(decoding: b[12..<16], as: UTF8.self)
            switch chunk {
            case "VP8X":
                guard let w = le24(24), let h = le24(27) else { return nil }
                return (w + 1, h + 1)
            case "VP8L":
                guard b[20] == 0x2F, let bits = le32(21) else { return nil }
                return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            case "VP8 ":
                guard let w = le16(26), let h = le16(28) else { return nil }
                return (w & 0x3FFF, h & 0x3FFF)
            default:
                return nil
            }
        default:
            return nil
        }
    }
}
