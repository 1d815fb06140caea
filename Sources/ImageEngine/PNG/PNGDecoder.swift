import CPNGShim

/// How a PNG's pixel data is checked. Both methods find the same faults with the same
/// messages (libpng's); they differ in the work done.
public enum PNGDecodeMethod: String, Sendable, Equatable, CaseIterable {
    /// libpng decodes every row: inflates it, then unfilters it.
    case libpng
    /// libpng reads every chunk but the image data, which is inflated and checked without
    /// unfiltering: its CRCs, its size, each row's filter byte. Unfiltering cannot fail.
    case inflate

    public static let `default`: PNGDecodeMethod = .inflate
}

/// The outcome of running libpng over a whole PNG file.
public struct PNGDecodeOutcome: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case decoded
        case failed(String)
        case refused(String)
    }
    public var status: Status
    public var rowsDecoded: Int
    /// Offset just past IEND, when decoding reached it.
    public var endOffset: Int?
    public var warningCount: Int
    public var firstWarning: String?
    /// The grey picture asked for, when the image is intact.
    public var picture: GreyPicture?
}

/// Reads every row of a PNG to prove the data is intact.
public enum PNGDecoder {
    /// With `decodePixels` false, only the chunks before the image data are read.
    public static func decode(_ bytes: [UInt8], maxPixels: UInt64, decodePixels: Bool = true,
                              method: PNGDecodeMethod = .default, pictureSide: Int = 0) -> PNGDecodeOutcome {
        var result = pf_png_result()
        var picture = pf_grey_picture()
        bytes.withUnsafeBufferPointer { buffer in
            if decodePixels && method == .inflate {
                pf_png_check_picture(buffer.baseAddress, buffer.count, maxPixels, UInt32(clamping: max(0, pictureSide)),
                                     &result, &picture)
            } else {
                pf_png_read(buffer.baseAddress, buffer.count, decodePixels ? 1 : 0, maxPixels, &result)
                if decodePixels && pictureSide > 0 && result.status == PF_PNG_OK {
                    pf_png_picture(buffer.baseAddress, buffer.count, UInt32(clamping: pictureSide), maxPixels, &picture)
                }
            }
        }
        let message = cString(&result.message)
        let status: PNGDecodeOutcome.Status
        switch result.status {
        case PF_PNG_OK: status = .decoded
        case PF_PNG_REFUSED: status = .refused(message)
        default: status = .failed(message)
        }
        return PNGDecodeOutcome(
            status: status,
            rowsDecoded: Int(result.rows_decoded),
            endOffset: result.end_offset > 0 ? Int(result.end_offset) : nil,
            warningCount: Int(result.warning_count),
            firstWarning: result.warning_count > 0 ? cString(&result.first_warning) : nil,
            picture: GreyPicture.taking(&picture)
        )
    }
}

/// Copies a fixed-size C character array into a String.
func cString<T>(_ tuple: inout T) -> String {
    withUnsafeBytes(of: &tuple) { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }
}
