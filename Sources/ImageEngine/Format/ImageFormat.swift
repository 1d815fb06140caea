/// An image container format, told apart by the file's first bytes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    case png
    case jpeg
    case gif
    case webp
    case bmp
    case tiff
    case heif
    case avif
    case unknown

    /// Whether Amazon Rekognition Custom Labels accepts this format.
    public var isAcceptedByService: Bool { self == .png || self == .jpeg }

    /// The name a person would use.
    public var displayName: String {
        switch self {
        case .png: "PNG"
        case .jpeg: "JPEG"
        case .gif: "GIF"
        case .webp: "WebP"
        case .bmp: "BMP"
        case .tiff: "TIFF"
        case .heif: "HEIF"
        case .avif: "AVIF"
        case .unknown: "unknown"
        }
    }

    /// The indefinite article that goes before `displayName`.
    public var article: String { [.avif, .unknown].contains(self) ? "an" : "a" }

    /// How many leading bytes `sniff` needs to decide.
    public static let sniffLength = 32

    /// The format the content says, whatever the file is called.
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(sniffLength))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        // The first four bytes decide: a PNG whose line-ending bytes were mangled by a
        // text-mode transfer, or a JPEG whose first marker is damaged, is still that format,
        // and its damage is reported as such.
        if starts([0x89, 0x50, 0x4E, 0x47]) { return .png }
        if starts([0xFF, 0xD8]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts([0x42, 0x4D]) && head.count >= 14 { return .bmp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
            || starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) { return .tiff }
        if starts(Array("ftyp".utf8), at: 4) && head.count >= 12 {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            if brand == "avif" || brand == "avis" { return .avif }
            if ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].contains(brand) { return .heif }
        }
        return .unknown
    }

    /// The format a file name's extension promises, or nil when the extension names no image format.
    public static func promised(byFileName name: String) -> ImageFormat? {
        guard let dot = name.lastIndex(of: "."), !name[dot...].contains("/") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "png", "apng": return .png
        case "jpg", "jpeg", "jpe", "jfif", "jif": return .jpeg
        case "gif": return .gif
        case "webp": return .webp
        case "bmp", "dib": return .bmp
        case "tif", "tiff": return .tiff
        case "heic", "heif", "hif": return .heif
        case "avif": return .avif
        default: return nil
        }
    }
}
