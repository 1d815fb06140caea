/// How thoroughly a file is examined.
public enum ProbeMode: String, Sendable, Codable, CaseIterable {
    /// Headers only: format, dimensions, encoding, orientation. Fast; corruption is not checked.
    case header
    /// Every pixel decoded (row by row) to prove the data is intact.
    case full
}

/// The verdict on whether an image's data is intact.
public enum Integrity: String, Sendable, Codable {
    case ok
    case corrupt
    /// Not a PNG or JPEG, or an encoding the decoder cannot handle (12-bit, lossless JPEG).
    case unsupported
    /// The file could not be read at all.
    case unreadable
    /// Header mode, or decoding was refused by a limit.
    case notChecked = "not_checked"
}

/// The kinds of problem the engine can find in one file.
public enum ImageProblemCode: String, Sendable, Codable, CaseIterable {
    case fileMissing = "file_missing"
    case permissionDenied = "permission_denied"
    /// An object store refused the object to these credentials (the service, reading with
    /// its own, may still be able to).
    case accessDenied = "access_denied"
    /// The store did not deliver the object, after every retry (throttling, time-outs, a
    /// dropped connection): nothing is known of the image.
    case unavailable = "unavailable"
    case notRegularFile = "not_regular_file"
    case readError = "read_error"
    case emptyFile = "empty_file"
    case unsupportedFormat = "unsupported_format"
    case extensionMismatch = "extension_mismatch"
    case damagedHeader = "damaged_header"
    case truncated = "truncated"
    case corruptData = "corrupt_data"
    case unsupportedEncoding = "unsupported_encoding"
    case tooManyPixels = "too_many_pixels"
    case tooLargeToDecode = "too_large_to_decode"
    /// Refused by a decoding-time guard (a JPEG with thousands of scans, say).
    case decodingHazard = "decoding_hazard"
    case trailingData = "trailing_data"
    case invalidEXIF = "invalid_exif"
    case decoderNotice = "decoder_notice"
}

public struct ImageProblem: Sendable, Equatable, Codable {
    public var code: ImageProblemCode
    public var message: String
    public init(_ code: ImageProblemCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Everything the engine learned about one file. Optional fields are nil when the fact
/// does not apply to the format or could not be established.
public struct ImageFacts: Sendable, Equatable {
    public var path: String
    public var mode: ProbeMode
    public var fileSize: Int?
    /// The format by content.
    public var format: ImageFormat?
    /// The format the file name's extension promises.
    public var extensionFormat: ImageFormat?
    public var width: Int?
    public var height: Int?
    public var channels: Int?
    public var bitDepth: Int?
    /// PNG: grayscale, rgb, palette, grayscale_alpha, rgba. JPEG: grayscale, ycbcr, rgb, cmyk, ycck.
    public var colorSpace: String?
    public var interlaced: Bool?
    /// Frames announced by an APNG acTL chunk (nil for still images).
    public var animationFrames: Int?
    public var jpegProcess: JPEGProcess?
    public var arithmeticCoding: Bool?
    /// The EXIF orientation, when the file carries the tag.
    public var orientation: EXIFOrientation?
    /// Bytes after the end of the image (PNG IEND, JPEG EOI); nil when not established.
    public var trailingBytes: Int?
    public var integrity: Integrity
    public var problems: [ImageProblem] = []
    /// Full mode, intact PNG and JPEG images (not CMYK or YCCK): what the pixels measure.
    public var measures: ImageMeasures?

    public init(path: String, mode: ProbeMode, integrity: Integrity = .notChecked) {
        self.path = path
        self.mode = mode
        self.integrity = integrity
    }

    /// The size a viewer shows after applying the EXIF orientation.
    public var displayWidth: Int? { orientation?.swapsDimensions == true ? height : width }
    public var displayHeight: Int? { orientation?.swapsDimensions == true ? width : height }

    public func hasProblem(_ code: ImageProblemCode) -> Bool { problems.contains { $0.code == code } }
}
