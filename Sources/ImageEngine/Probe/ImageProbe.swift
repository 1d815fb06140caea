/// Limits and choices for examining files.
public struct ProbeOptions: Sendable, Equatable {
    public var mode: ProbeMode
    /// Images declaring more pixels than this are never decoded (a decompression-bomb defence).
    public var maxPixels: UInt64
    /// Files larger than this are not read whole, so not decoded.
    public var maxFileBytes: Int
    public var jpegMethod: JPEGDecodeMethod
    public var pngMethod: PNGDecodeMethod
    /// In full mode, measure each intact image's pixels too (`ImageFacts.measures`).
    public var measures: Bool

    public static let defaultMaxPixels: UInt64 = 100_000_000
    public static let defaultMaxFileBytes = 256 << 20

    public init(mode: ProbeMode = .full,
                maxPixels: UInt64 = defaultMaxPixels,
                maxFileBytes: Int = defaultMaxFileBytes,
                jpegMethod: JPEGDecodeMethod = .default,
                pngMethod: PNGDecodeMethod = .default,
                measures: Bool = true) {
        self.mode = mode
        self.measures = measures
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.jpegMethod = jpegMethod
        self.pngMethod = pngMethod
    }
}

/// Examines one image file: format by content, header facts, and in full mode a check of
/// all the image data as a decoder reads it. Never throws: every failure becomes a problem
/// in the returned facts.
public struct ImageProbe: Sendable {
    public let options: ProbeOptions
    /// How many leading bytes header mode reads first; more are read only when a header
    /// reaches past them (a JPEG with a large EXIF block, say).
    public static let headerReadSteps = [16 << 10, 256 << 10, 16 << 20]

    /// libjpeg refuses larger images ("Maximum supported image dimension is 65500 pixels").
    static let jpegMaxSide = 65500

    public init(options: ProbeOptions = ProbeOptions()) {
        self.options = options
    }

    public func examine(path: String) -> ImageFacts {
        examine(path: path, displayName: path).facts
    }

    /// Examines the file and also returns the bytes read when the whole file was read
    /// (full mode), so a caller can hash them without reading the file twice.
    public func examine(path: String, displayName: String) -> (facts: ImageFacts, bytes: [UInt8]?) {
        let (facts, file) = examineFile(path: path, displayName: displayName)
        return (facts, file.flatMap { $0.isComplete ? $0.bytes : nil })
    }

    /// Examines the file and also returns its first read: the whole file in full mode (when
    /// small enough to decode), else its first bytes (at least 16 KiB, or all of a smaller
    /// file), with the file's identity when opened. Nil when the file could not be read.
    public func examineFile(path: String, displayName: String) -> (facts: ImageFacts, read: FileBytes?) {
        examine(displayName: displayName, fileName: path, headerSteps: Self.headerReadSteps) { limit in
            FileBytes.read(path: path, limit: limit)
        }
    }

    /// Reads the first `limit(size)` bytes of one image, wherever it lives, where `size` is its
    /// whole size.
    public typealias PrefixReader = (_ limit: (Int) -> Int) -> Result<FileBytes, FileReadFailure>

    /// Examines an image whose bytes `reader` hands out, wherever they live (a file, an object
    /// store): first `headerSteps[0]` bytes in header mode (the whole image in full mode, when
    /// small enough), then longer prefixes from `headerSteps` only when a header runs past them.
    /// `fileName` gives the format the name promises.
    public func examine(displayName: String, fileName: String, headerSteps: [Int] = headerReadSteps,
                        reader: PrefixReader) -> (facts: ImageFacts, read: FileBytes?) {
        var facts = ImageFacts(path: displayName, mode: options.mode)
        facts.extensionFormat = ImageFormat.promised(byFileName: fileName)

        let file: FileBytes
        switch firstRead(reader, firstStep: headerSteps[0]) {
        case .failure(let failure):
            facts.integrity = .unreadable
            facts.problems.append(ImageProblem(problemCode(for: failure), failure.message))
            return (facts, nil)
        case .success(let bytes):
            file = bytes
        }
        let longer = { (file: FileBytes) -> FileBytes? in
            guard !file.isComplete, let next = headerSteps.first(where: { $0 > file.bytes.count }) else { return nil }
            return try? reader { _ in next }.get()
        }
        facts.fileSize = file.fileSize
        if file.fileSize == 0 {
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.emptyFile, "the file is empty (0 bytes)"))
            return (facts, file)
        }

        let format = ImageFormat.sniff(file.bytes)
        facts.format = format
        if let promised = facts.extensionFormat, format != .unknown, promised != format {
            facts.problems.append(ImageProblem(.extensionMismatch,
                "the content is \(format.displayName) but the file name says \(promised.displayName)"))
        }
        switch format {
        case .png:
            examinePNG(file, longer: longer, into: &facts)
        case .jpeg:
            examineJPEG(file, longer: longer, into: &facts)
        default:
            facts.integrity = .unsupported
            if let size = OtherFormatHeaders.dimensions(of: format, in: file.bytes) {
                facts.width = size.width
                facts.height = size.height
            }
            let what = format == .unknown ? "not a recognised image format" : "\(format.article) \(format.displayName) image"
            facts.problems.append(ImageProblem(.unsupportedFormat, "the content is \(what); only PNG and JPEG are accepted"))
        }
        return (facts, file)
    }

    // MARK: Reading

    private func firstRead(_ reader: PrefixReader, firstStep: Int) -> Result<FileBytes, FileReadFailure> {
        switch options.mode {
        case .full:
            // Read the whole file when it is small enough to decode; otherwise a header's worth.
            let maxFileBytes = options.maxFileBytes
            return reader { size in size <= maxFileBytes ? size : firstStep }
        case .header:
            return reader { _ in firstStep }
        }
    }

    private func problemCode(for failure: FileReadFailure) -> ImageProblemCode {
        switch failure {
        case .missing: .fileMissing
        case .permissionDenied: .permissionDenied
        case .notRegularFile: .notRegularFile
        case .ioError: .readError
        case .refused(let code, _): code
        }
    }

    private var decodes: Bool { options.mode == .full }

    private func refuseIfTooLarge(_ facts: inout ImageFacts) -> Bool {
        guard let w = facts.width, let h = facts.height else { return false }
        let pixels = UInt64(w) * UInt64(h)
        guard pixels > options.maxPixels else { return false }
        facts.problems.append(ImageProblem(.tooManyPixels,
            "the header declares \(w) x \(h) pixels (\(pixels) in all), over the decoding limit of \(options.maxPixels); not decoded"))
        return true
    }

    private func checkWholeFileAvailable(_ file: FileBytes, _ facts: inout ImageFacts) -> Bool {
        guard decodes else { return false }
        guard file.isComplete else {
            facts.problems.append(ImageProblem(.tooLargeToDecode,
                "the file is \(file.fileSize) bytes, over the decoding limit of \(options.maxFileBytes) bytes; not decoded"))
            return false
        }
        return true
    }

    // MARK: PNG

    private func examinePNG(_ initial: FileBytes, longer longerPrefix: (FileBytes) -> FileBytes?, into facts: inout ImageFacts) {
        var file = initial
        var header = PNGHeader.read(file.bytes)!
        while header.ranOutOfBytes && header.width == 0, let longer = longerPrefix(file) {
            file = longer
            header = PNGHeader.read(file.bytes)!
        }
        if header.width > 0 {
            facts.width = Int(header.width)
            facts.height = Int(header.height)
            facts.bitDepth = header.bitDepth
            facts.colorSpace = header.colorType?.name ?? "invalid (\(header.rawColorType))"
            facts.channels = header.colorType?.channels
            facts.interlaced = header.interlaced
            facts.animationFrames = header.animationFrames.map { Int($0) }
        }
        applyEXIF(header.exif, to: &facts)
        if let damage = header.damage {
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.damagedHeader, "PNG structure damaged: \(damage)"))
            return
        }
        if header.width == 0 {
            // The header itself is cut short.
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.truncated, "the file ends inside the PNG header"))
            return
        }
        if refuseIfTooLarge(&facts) { return }
        guard checkWholeFileAvailable(file, &facts) else { return }

        if let mismatch = PNGHeader.read(file.bytes, verifyCRC: true)?.crcMismatch {
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.corruptData,
                "CRC mismatch in the \(mismatch.type) chunk at byte \(mismatch.offset): its bytes were altered after writing"))
            return
        }
        let outcome = PNGDecoder.decode(file.bytes, maxPixels: options.maxPixels, method: options.pngMethod,
                                        pictureSide: options.measures ? ImageMeasures.pictureSide : 0)
        switch outcome.status {
        case .decoded:
            // Every row decoded and every chunk's CRC matched (checked above): what libpng
            // still warns about concerns optional chunks (out-of-range tRNS samples, data
            // after the compressed stream).
            facts.integrity = .ok
            if outcome.warningCount > 0 {
                facts.problems.append(ImageProblem(.decoderNotice, "libpng: \(outcome.firstWarning ?? "warning")"
                    + (outcome.warningCount > 1 ? " (and \(outcome.warningCount - 1) more warnings)" : "")))
            }
            if let end = outcome.endOffset {
                noteTrailing(fileSize: file.fileSize, end: end, marker: "IEND", into: &facts)
            }
            measure(outcome.picture, into: &facts)
        case .refused(let message):
            facts.problems.append(ImageProblem(.tooManyPixels, message))
        case .failed(let message):
            facts.integrity = .corrupt
            let truncated = message.contains("truncated") || message.contains("Not enough image data")
            facts.problems.append(ImageProblem(truncated ? .truncated : .corruptData,
                truncated ? "the file ends before the image does (\(outcome.rowsDecoded) of \(header.height) rows decoded): libpng: \(message)"
                          : "libpng: \(message)"))
        }
    }

    // MARK: JPEG

    private func examineJPEG(_ initial: FileBytes, longer longerPrefix: (FileBytes) -> FileBytes?, into facts: inout ImageFacts) {
        var file = initial
        var header = JPEGHeader.read(file.bytes)!
        while header.ranOutOfBytes, let longer = longerPrefix(file) {
            file = longer
            header = JPEGHeader.read(file.bytes)!
        }
        if header.frameMarker != nil || header.width > 0 {
            facts.width = header.width
            facts.height = header.height
            facts.channels = header.components
            facts.bitDepth = header.precision
            facts.colorSpace = header.colorSpace
            facts.jpegProcess = header.process
            facts.arithmeticCoding = header.arithmeticCoding
        }
        applyEXIF(header.exif, to: &facts)
        if let damage = header.damage {
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.damagedHeader, "JPEG structure damaged: \(damage)"))
            return
        }
        if header.ranOutOfBytes && !file.isComplete {
            // Marker segments (APPn, COM) fill more than the longest prefix read.
            facts.problems.append(ImageProblem(.tooLargeToDecode,
                "the JPEG's marker segments run past the first \(file.bytes.count) bytes read, before the image data starts; not examined further"))
            return
        }
        if header.ranOutOfBytes {
            // The whole file was read: it ends inside the headers.
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.truncated, "the file ends inside the JPEG headers, before any image data"))
            return
        }
        if header.strayBytes > 0 && !decodes {
            // libjpeg skips such bytes with a corrupt-data warning; full mode reports its verdict.
            facts.integrity = .corrupt
            facts.problems.append(ImageProblem(.corruptData,
                "\(header.strayBytes) stray bytes where a JPEG marker should start (first at byte \(header.firstStrayOffset ?? 0))"))
            return
        }
        let decodable = header.precision == 8 && (header.process == .baseline || header.process == .extendedSequential || header.process == .progressive)
            && header.width <= Self.jpegMaxSide && header.height <= Self.jpegMaxSide
        if !decodable {
            facts.integrity = .unsupported
            let what = header.precision != 8 ? "\(header.precision)-bit precision"
                : (header.width > Self.jpegMaxSide || header.height > Self.jpegMaxSide) ? "a side over \(Self.jpegMaxSide) pixels"
                : "the \(header.process?.rawValue ?? "unknown") process"
            facts.problems.append(ImageProblem(.unsupportedEncoding,
                "the JPEG uses \(what), which common 8-bit decoders (and the service) cannot decode"))
            return
        }
        if refuseIfTooLarge(&facts) { return }
        guard checkWholeFileAvailable(file, &facts) else { return }

        var limits = JPEGDecoder.Limits(maxPixels: options.maxPixels)
        limits.maxMemoryBytes = max(UInt64(256 << 20), options.maxPixels * 8)
        let outcome = JPEGDecoder.decode(file.bytes, method: options.jpegMethod, limits: limits,
                                         pictureSide: options.measures ? ImageMeasures.pictureSide : 0)
        switch outcome.status {
        case .decoded where outcome.corruptWarnings == 0:
            facts.integrity = .ok
            if let notice = outcome.firstWarning {
                facts.problems.append(ImageProblem(.decoderNotice, "libjpeg: \(notice)"))
            }
            if let end = outcome.endOffset {
                noteTrailing(fileSize: file.fileSize, end: end, marker: "EOI", into: &facts)
            }
            measure(outcome.picture, into: &facts)
        case .decoded, .failed:
            facts.integrity = .corrupt
            var detail = outcome.firstWarning ?? ""
            if case .failed(let message) = outcome.status {
                detail = detail.isEmpty ? message : "\(detail); then: \(message)"
            }
            if outcome.prematureEnd {
                facts.problems.append(ImageProblem(.truncated, "the file ends before the image data does: libjpeg: \(detail)"))
            } else {
                facts.problems.append(ImageProblem(.corruptData, "libjpeg: \(detail)"))
            }
        case .refused(let message):
            // The pixel bound was checked above; what libjpeg's own guard refuses is a file
            // built to take minutes to decode (thousands of progressive scans).
            facts.problems.append(ImageProblem(.decodingHazard, "not decoded: \(message)"))
        }
    }

    // MARK: Shared

    /// The measures of an intact image's picture.
    private func measure(_ picture: GreyPicture?, into facts: inout ImageFacts) {
        guard let picture else { return }
        facts.measures = ImageMeasures.measure(grey: picture.pixels, width: picture.width, height: picture.height,
                                               orientation: facts.orientation)
    }

    private func applyEXIF(_ exif: EXIFReader.Outcome, to facts: inout ImageFacts) {
        switch exif {
        case .absent: break
        case .orientation(let orientation): facts.orientation = orientation
        case .invalid(let value):
            facts.problems.append(ImageProblem(.invalidEXIF, "EXIF Orientation is \(value), outside 1 to 8; viewers ignore it"))
        case .malformed(let reason):
            facts.problems.append(ImageProblem(.invalidEXIF, "EXIF block unreadable: \(reason)"))
        }
    }

    private func noteTrailing(fileSize: Int, end: Int, marker: String, into facts: inout ImageFacts) {
        let trailing = max(0, fileSize - end)
        facts.trailingBytes = trailing
        if trailing > 0 {
            facts.problems.append(ImageProblem(.trailingData,
                "\(trailing) bytes follow the end of the image (\(marker) at byte \(end - 1))"))
        }
    }
}
