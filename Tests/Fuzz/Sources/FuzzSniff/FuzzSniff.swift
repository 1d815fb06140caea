import FuzzSupport
import ImageEngine

// Everything that reads a file before a decoder does: the format sniffer, the file name's
// promise, the EXIF reader, both header walkers, and the probe in header mode on formats
// the service refuses (GIF, WebP, BMP, TIFF, HEIF, AVIF) as well as PNG and JPEG.

private let names = ["input.png", "input.jpg", "input.gif", "input.webp", "input", "input.PNG.jpeg"]
private let header = ImageProbe(options: ProbeOptions(mode: .header, maxPixels: 1 << 20))
private let full = ImageProbe(options: ProbeOptions(mode: .full, maxPixels: 1 << 16))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSniff(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    let format = ImageFormat.sniff(bytes)
    require(ImageFormat.sniff(bytes.prefix(ImageFormat.sniffLength)) == format, "sniffing needs more than sniffLength bytes")
    _ = ImageFormat.promised(byFileName: String(decoding: bytes.prefix(64), as: UTF8.self))
    _ = EXIFReader.orientation(tiff: bytes[...])
    if bytes.count > 6 { _ = EXIFReader.orientation(tiff: bytes[6...]) }
    // The probe hands every file the sniffer calls PNG or JPEG to that format's walker.
    let png = PNGHeader.read(bytes)
    let jpeg = JPEGHeader.read(bytes)
    if format == .png { require(png != nil, "sniffed as PNG, refused by the PNG walker") }
    if format == .jpeg { require(jpeg != nil, "sniffed as JPEG, refused by the JPEG walker") }
    if let end = png?.endOffset { require(end <= bytes.count, "IEND past the end") }

    let name = names[bytes.isEmpty ? 0 : Int(bytes[bytes.count - 1]) % names.count]
    let path = scratchDirectory + "/" + name
    writeFile(path, bytes)
    let facts = header.examine(path: path)
    checkFacts(facts, size: bytes.count, mode: .header)
    if bytes.count > 0 { require(facts.format == format, "the probe and the sniffer disagree") }
    checkFacts(full.examine(path: path), size: bytes.count, mode: .full)
    return 0
}
