import CJPEGShim
import CPNGShim

/// The codec libraries this build decodes with.
public enum CodecVersions {
    public static var libpng: String { String(cString: pf_png_version()) }
    public static var libjpegTurbo: String { String(cString: pf_jpeg_version()) }
}
