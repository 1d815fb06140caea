/// The EXIF Orientation tag (0x0112): how the stored pixel grid must be turned to show
/// the picture upright. Values 5 to 8 swap width and height.
public enum EXIFOrientation: Int, Sendable, Codable, CaseIterable {
    case normal = 1
    case mirrorHorizontal = 2
    case rotate180 = 3
    case mirrorVertical = 4
    case transpose = 5      // mirror across the top-left to bottom-right diagonal
    case rotate90CW = 6
    case transverse = 7
    case rotate270CW = 8

    /// True when a viewer shows the image with width and height swapped.
    public var swapsDimensions: Bool { rawValue >= 5 }
    /// True when the shown image differs from the stored pixel grid.
    public var transformsImage: Bool { self != .normal }

    public var description: String {
        switch self {
        case .normal: "normal"
        case .mirrorHorizontal: "mirrored horizontally"
        case .rotate180: "rotated 180°"
        case .mirrorVertical: "mirrored vertically"
        case .transpose: "mirrored horizontally and rotated 270° clockwise"
        case .rotate90CW: "rotated 90° clockwise"
        case .transverse: "mirrored horizontally and rotated 90° clockwise"
        case .rotate270CW: "rotated 270° clockwise"
        }
    }
}

/// Reads the Orientation tag from a TIFF structure (the payload of a JPEG APP1 "Exif"
/// segment after its 6-byte header, or of a PNG eXIf chunk).
public enum EXIFReader {
    public enum Outcome: Sendable, Equatable {
        case absent
        case orientation(EXIFOrientation)
        /// The tag exists but holds a value outside 1...8.
        case invalid(Int)
        /// The TIFF structure is damaged.
        case malformed(String)
    }

    public static func orientation(tiff: ArraySlice<UInt8>) -> Outcome {
        let base = tiff.startIndex
        let count = tiff.count
        guard count >= 8 else { return .malformed("EXIF block shorter than a TIFF header") }
        let littleEndian: Bool
        switch (tiff[base], tiff[base + 1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return .malformed("EXIF block does not start with a TIFF byte-order mark")
        }
        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= count else { return nil }
            let a = Int(tiff[base + offset]), b = Int(tiff[base + offset + 1])
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func u32(_ offset: Int) -> Int? {
            guard let lo = u16(littleEndian ? offset : offset + 2),
                  let hi = u16(littleEndian ? offset + 2 : offset) else { return nil }
            return lo | hi << 16
        }
        guard u16(2) == 42 else { return .malformed("EXIF TIFF header has the wrong magic number") }
        guard let ifd = u32(4), let entries = u16(ifd) else {
            return .malformed("EXIF IFD0 offset points outside the block")
        }
        for index in 0..<entries {
            let entry = ifd + 2 + index * 12
            guard let tag = u16(entry), let type = u16(entry + 2) else {
                return .malformed("EXIF IFD0 entry \(index) lies outside the block")
            }
            guard tag == 0x0112 else { continue }
            let value: Int?
            switch type {
            case 3: value = u16(entry + 8)          // SHORT, stored inline
            case 4: value = u32(entry + 8)          // LONG, tolerated
            default: value = nil
            }
            guard let value else { return .malformed("EXIF Orientation tag has an unexpected type \(type)") }
            if let orientation = EXIFOrientation(rawValue: value) { return .orientation(orientation) }
            return .invalid(value)
        }
        return .absent
    }
}
