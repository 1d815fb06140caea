import CJPEGShim
import CPNGShim

/// A small JPEG of an image, for a report to show: decoded at reduced scale, averaged down
/// to at most `maxSide` pixels on its longest side, and encoded with libjpeg-turbo. Nothing
/// else is applied: the picture is the image as stored, before any EXIF orientation, which
/// is the frame the service reads boxes in.
public struct Thumbnail: Sendable, Equatable {
    /// The JPEG file's bytes.
    public var jpeg: [UInt8]
    /// The picture's size.
    public var width: Int
    public var height: Int
    /// The image's stored size.
    public var imageWidth: Int
    public var imageHeight: Int
    /// Why the picture stops short (damaged data after some rows), when it does.
    public var note: String?

    public static let defaultMaxSide = 224
    public static let defaultQuality = 62

    /// Why no picture could be made.
    public struct Failure: Error, Sendable, Equatable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    /// A thumbnail of the PNG or JPEG in `bytes` (told apart by content).
    public static func make(_ bytes: [UInt8], maxSide: Int = defaultMaxSide, quality: Int = defaultQuality,
                            maxPixels: UInt64 = ProbeOptions.defaultMaxPixels) -> Result<Thumbnail, Failure> {
        let small: Pixels
        switch pixels(bytes, maxSide: maxSide, maxPixels: maxPixels) {
        case .failure(let failure): return .failure(failure)
        case .success(let made): small = made
        }
        switch encode(small.rgb, width: small.width, height: small.height, quality: quality) {
        case .failure(let failure): return .failure(failure)
        case .success(let jpeg):
            return .success(Thumbnail(jpeg: jpeg, width: small.width, height: small.height, imageWidth: small.imageWidth,
                                      imageHeight: small.imageHeight, note: small.note))
        }
    }

    /// The small picture before encoding: RGB rows.
    struct Pixels {
        var rgb: [UInt8]
        var width: Int
        var height: Int
        var imageWidth: Int
        var imageHeight: Int
        var note: String?
    }

    static func pixels(_ bytes: [UInt8], maxSide: Int, maxPixels: UInt64) -> Result<Pixels, Failure> {
        let side = UInt32(max(1, min(maxSide, 4096)))
        switch ImageFormat.sniff(bytes) {
        case .jpeg:
            var result = pf_small_picture()
            bytes.withUnsafeBufferPointer { pf_jpeg_thumbnail($0.baseAddress, $0.count, side, maxPixels, &result) }
            return picture(result, decoder: "libjpeg", notes: false)
        case .png:
            var result = pf_small_picture()
            bytes.withUnsafeBufferPointer { pf_png_thumbnail($0.baseAddress, $0.count, side, maxPixels, &result) }
            return picture(result, decoder: "libpng", notes: true)
        case let other:
            return .failure(Failure("\(other.article) \(other.displayName) file: only PNG and JPEG images are drawn"))
        }
    }

    /// The picture a shim made, taking its memory; with `notes`, a message beside a made
    /// picture says where decoding stopped.
    private static func picture(_ result: pf_small_picture, decoder: String, notes: Bool) -> Result<Pixels, Failure> {
        guard result.status == 0, let made = result.pixels else {
            return .failure(Failure(message(result.message, fallback: "\(decoder) could not decode the image")))
        }
        defer { pf_picture_free(made) }
        let count = Int(result.out_width) * Int(result.out_height) * 3
        let text = notes ? message(result.message, fallback: "") : ""
        return .success(Pixels(rgb: Array(UnsafeBufferPointer(start: made, count: count)), width: Int(result.out_width),
                               height: Int(result.out_height), imageWidth: Int(result.width), imageHeight: Int(result.height),
                               note: text.isEmpty ? nil : "the picture stops where decoding did: " + text))
    }

    /// `width * height` RGB pixels as a baseline JPEG.
    public static func encode(_ rgb: [UInt8], width: Int, height: Int, quality: Int = defaultQuality) -> Result<[UInt8], Failure> {
        guard width > 0, height > 0, rgb.count == width * height * 3 else {
            return .failure(Failure("\(rgb.count) bytes are not \(width) x \(height) RGB pixels"))
        }
        var encoded = pf_jpeg_encoded()
        rgb.withUnsafeBufferPointer {
            pf_jpeg_encode_rgb($0.baseAddress, UInt32(width), UInt32(height), Int32(max(1, min(quality, 100))), &encoded)
        }
        guard encoded.status == 0, let data = encoded.data else {
            return .failure(Failure(message(encoded.message, fallback: "libjpeg could not encode the picture")))
        }
        defer { pf_picture_free(data) }
        return .success(Array(UnsafeBufferPointer(start: data, count: encoded.size)))
    }

    /// A thumbnail of the file at `path` (read whole, up to `maxFileBytes`).
    public static func make(path: String, maxSide: Int = defaultMaxSide, quality: Int = defaultQuality,
                            maxPixels: UInt64 = ProbeOptions.defaultMaxPixels,
                            maxFileBytes: Int = ProbeOptions.defaultMaxFileBytes) -> Result<Thumbnail, Failure> {
        switch FileBytes.read(path: path, limit: maxFileBytes) {
        case .failure(let failure):
            return .failure(Failure(failure.message))
        case .success(let file):
            guard file.isComplete else { return .failure(Failure("the file is larger than \(maxFileBytes) bytes: not drawn")) }
            return make(file.bytes, maxSide: maxSide, quality: quality, maxPixels: maxPixels)
        }
    }

    private static func message<T>(_ tuple: T, fallback: String) -> String {
        let text = withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? fallback : text
    }
}
