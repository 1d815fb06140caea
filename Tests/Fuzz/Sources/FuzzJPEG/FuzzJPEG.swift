import FuzzSupport
import ImageEngine

// The JPEG path: the marker walker, libjpeg-turbo through the C shim with each decoding
// method, and the probe that joins them.

private let pixelLimit: UInt64 = 1 << 20
private let file = scratchDirectory + "/input.jpg"
private let full = ImageProbe(options: ProbeOptions(mode: .full, maxPixels: pixelLimit))
private let header = ImageProbe(options: ProbeOptions(mode: .header, maxPixels: pixelLimit))
private let limits: JPEGDecoder.Limits = {
    var limits = JPEGDecoder.Limits(maxPixels: pixelLimit)
    limits.maxMemoryBytes = 64 << 20
    return limits
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    _ = JPEGHeader.read(bytes)

    let headerOnly = JPEGDecoder.decode(bytes, limits: limits, decodePixels: false)
    require(headerOnly.rowsDecoded == 0, "rows decoded in header-only mode")
    for method in [JPEGDecodeMethod.scanlines(scaleDenominator: 8), .scanlines(scaleDenominator: 1), .coefficients] {
        let outcome = JPEGDecoder.decode(bytes, method: method, limits: limits)
        if let end = outcome.endOffset { require(end <= bytes.count, "libjpeg end \(end) past \(bytes.count) bytes") }
        if case .refused = outcome.status { break }  // the same limit refuses every method
    }

    writeFile(file, bytes)
    checkFacts(full.examine(path: file), size: bytes.count, mode: .full)
    checkFacts(header.examine(path: file), size: bytes.count, mode: .header)
    return 0
}
