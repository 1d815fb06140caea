import FuzzSupport
import ImageEngine

// The PNG path: the chunk walker, libpng through the C shim (both ways of checking the
// image data), and the probe that joins them, with every chunk checksum made right so that
// mutations reach the decoder.

private let pixelLimit: UInt64 = 1 << 20
private let file = scratchDirectory + "/input.png"
private let full = ImageProbe(options: ProbeOptions(mode: .full, maxPixels: pixelLimit))
private let header = ImageProbe(options: ProbeOptions(mode: .header, maxPixels: pixelLimit))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let raw = inputBytes(data, size)
    // The walker on the bytes as given, checksums and all.
    if let walk = PNGHeader.read(raw, verifyCRC: true), let end = walk.endOffset {
        require(end <= raw.count, "IEND end \(end) past \(raw.count) bytes")
    }
    let bytes = fixingPNGChecksums(raw)

    // The shim on its own, header only and in full.
    let headerOnly = PNGDecoder.decode(bytes, maxPixels: pixelLimit, decodePixels: false)
    require(headerOnly.rowsDecoded == 0, "rows decoded in header-only mode")
    let decoded = PNGDecoder.decode(bytes, maxPixels: pixelLimit, method: .libpng)
    if let end = decoded.endOffset { require(end <= bytes.count, "libpng end \(end) past \(bytes.count) bytes") }
    if case .decoded = decoded.status, let walk = PNGHeader.read(bytes) {
        require(UInt64(decoded.rowsDecoded) == UInt64(walk.height) || walk.height == 0,
                "decoded \(decoded.rowsDecoded) rows of \(walk.height)")
    }
    // The inflate check must reach libpng's verdict, rows, warnings and words exactly.
    let checked = PNGDecoder.decode(bytes, maxPixels: pixelLimit, method: .inflate)
    require(checked == decoded, "the inflate check found \(checked), libpng \(decoded)")

    // The probe, reading a real file, as a check run does.
    writeFile(file, bytes)
    checkFacts(full.examine(path: file), size: bytes.count, mode: .full)
    checkFacts(header.examine(path: file), size: bytes.count, mode: .header)
    return 0
}
