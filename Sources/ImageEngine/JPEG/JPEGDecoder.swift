import CJPEGShim

/// How much of a JPEG to decode when checking its integrity. Every method entropy-decodes
/// every scan, which is where damage shows; they differ in the work done after that.
public enum JPEGDecodeMethod: Sendable, Equatable {
    /// Full pipeline to scanlines at 1/`denominator` scale (1, 2, 4 or 8), a strip at a time.
    case scanlines(scaleDenominator: Int)
    /// DCT coefficients only: no inverse DCT, upsampling or colour conversion.
    case coefficients

    public static let `default`: JPEGDecodeMethod = .scanlines(scaleDenominator: 8)
}

/// The outcome of running libjpeg-turbo over a whole JPEG file.
public struct JPEGDecodeOutcome: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case decoded
        case failed(String)
        case refused(String)
    }
    public var status: Status
    public var scans: Int
    public var rowsDecoded: Int
    public var endOffset: Int?
    public var corruptWarnings: Int
    public var benignWarnings: Int
    public var firstWarning: String?
    public var prematureEnd: Bool
    /// libjpeg's view of the colour space (1 grayscale, 2 RGB, 3 YCbCr, 4 CMYK, 5 YCCK).
    public var libjpegColorSpace: Int
    /// The grey picture asked for (nil for CMYK and YCCK files, or when none was asked for).
    public var picture: GreyPicture?
}

public enum JPEGDecoder {
    public struct Limits: Sendable {
        public var maxPixels: UInt64
        /// Each scan is a pass over the whole image: 883 scans of a 4096 x 4096 image take
        /// 9 s. Progressive files written by libjpeg have about ten; its encoder allows 100.
        public var maxScans: UInt32 = 100
        public var maxMemoryBytes: UInt64 = 1 << 30
        public var maxWarnings: UInt32 = 100
        public init(maxPixels: UInt64) { self.maxPixels = maxPixels }
    }

    public static func decode(_ bytes: [UInt8], method: JPEGDecodeMethod = .default,
                              limits: Limits, decodePixels: Bool = true, pictureSide: Int = 0) -> JPEGDecodeOutcome {
        var options = pf_jpeg_options()
        pf_jpeg_default_options(&options)
        options.decode_pixels = decodePixels ? 1 : 0
        switch method {
        case .scanlines(let denominator):
            options.method = PF_JPEG_SCANLINES
            options.scale_denom = Int32([1, 2, 4, 8].contains(denominator) ? denominator : 1)
        case .coefficients:
            options.method = PF_JPEG_COEFFICIENTS
        }
        options.max_pixels = limits.maxPixels
        options.max_scans = limits.maxScans
        options.max_memory = limits.maxMemoryBytes
        options.max_warnings = limits.maxWarnings
        options.picture_side = UInt32(clamping: max(0, pictureSide))
        var result = pf_jpeg_result()
        bytes.withUnsafeBufferPointer { buffer in
            pf_jpeg_read(buffer.baseAddress, buffer.count, &options, &result)
        }
        let message = cString(&result.message)
        let status: JPEGDecodeOutcome.Status
        switch result.status {
        case PF_JPEG_OK: status = .decoded
        case PF_JPEG_REFUSED: status = .refused(message)
        default: status = .failed(message)
        }
        let warnings = Int(result.corrupt_warning_count) + Int(result.benign_warning_count)
        return JPEGDecodeOutcome(
            status: status,
            scans: Int(result.scans),
            rowsDecoded: Int(result.rows_decoded),
            endOffset: result.end_offset > 0 ? Int(result.end_offset) : nil,
            corruptWarnings: Int(result.corrupt_warning_count),
            benignWarnings: Int(result.benign_warning_count),
            firstWarning: warnings > 0 ? cString(&result.first_warning) : nil,
            prematureEnd: result.saw_premature_end != 0,
            libjpegColorSpace: Int(result.jpeg_color_space),
            picture: GreyPicture.taking(&result.picture)
        )
    }
}
