import ImageEngine
import PreflightJSON

extension ImageFacts {
    /// The probe's JSON object for one file. Every key is always present (null when the
    /// fact does not apply or was not established), so consumers can rely on the shape.
    public var jsonValue: JSONValue {
        func int(_ value: Int?) -> JSONValue { value.map { .number(JSONNumber($0)) } ?? .null }
        func str(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        func bool(_ value: Bool?) -> JSONValue { value.map { .bool($0) } ?? .null }
        return .object(JSONObject([
            ("path", .string(path)),
            ("mode", .string(mode.rawValue)),
            ("format", str(format?.rawValue)),
            ("extension_format", str(extensionFormat?.rawValue)),
            ("file_size", int(fileSize)),
            ("width", int(width)),
            ("height", int(height)),
            ("display_width", int(displayWidth)),
            ("display_height", int(displayHeight)),
            ("channels", int(channels)),
            ("bit_depth", int(bitDepth)),
            ("color_space", str(colorSpace)),
            ("interlaced", bool(interlaced)),
            ("animation_frames", int(animationFrames)),
            ("jpeg_process", str(jpegProcess?.rawValue)),
            ("arithmetic_coding", bool(arithmeticCoding)),
            ("exif_orientation", int(orientation?.rawValue)),
            ("trailing_bytes", int(trailingBytes)),
            ("integrity", .string(integrity.rawValue)),
            ("problems", .array(problems.map { problem in
                .object(JSONObject([("code", .string(problem.code.rawValue)), ("message", .string(problem.message))]))
            })),
            ("measures", measures?.jsonValue ?? .null),
        ]))
    }
}

extension ImageMeasures {
    /// The hash as 16 hexadecimal digits.
    public var hashHex: String? {
        perceptualHash.map { let hex = String($0, radix: 16); return String(repeating: "0", count: 16 - hex.count) + hex }
    }

    /// The coefficients as two hexadecimal digits each (two's complement).
    public var lowFrequenciesHex: String { ContentHash.hex(lowFrequencies.lazy.map { UInt8(bitPattern: $0) }) }

    /// Reads back `lowFrequenciesHex`; nil when it does not fit.
    public static func lowFrequencies(hex: String) -> [Int8]? {
        let bytes = Array(hex.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            default: nil
            }
        }
        var out: [Int8] = []
        out.reserveCapacity(bytes.count / 2)
        var i = 0
        while i < bytes.count {
            guard let high = digit(bytes[i]), let low = digit(bytes[i + 1]) else { return nil }
            out.append(Int8(bitPattern: high << 4 | low))
            i += 2
        }
        return out
    }

    public var jsonValue: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .number(JSONNumber($0)) } ?? .null }
        return .object(JSONObject([
            ("perceptual_hash", hashHex.map { .string($0) } ?? .null),
            ("low_frequencies", .string(lowFrequenciesHex)),
            ("brightness", number(brightness)),
            ("highlights", number(highlights)),
            ("shadows", number(shadows)),
            ("information", number(information)),
            ("sharpness", number(sharpness)),
        ]))
    }

    public init?(json: JSONValue) {
        guard case .object(let o) = json, let brightness = o["brightness"]?.numberValue?.double,
              let highlights = o["highlights"]?.numberValue?.double, let shadows = o["shadows"]?.numberValue?.double,
              let information = o["information"]?.numberValue?.double else { return nil }
        self.init(perceptualHash: o["perceptual_hash"]?.stringValue.flatMap { UInt64($0, radix: 16) },
                  lowFrequencies: o["low_frequencies"]?.stringValue.flatMap(Self.lowFrequencies(hex:)) ?? [],
                  brightness: brightness, highlights: highlights, shadows: shadows, information: information,
                  sharpness: o["sharpness"]?.numberValue?.double)
    }
}

extension ImageFacts {
    /// Reads back the object `jsonValue` writes (for the result cache); nil when it does not fit.
    public init?(json: JSONValue) {
        guard case .object(let o) = json, let path = o["path"]?.stringValue,
              let mode = o["mode"]?.stringValue.flatMap(ProbeMode.init(rawValue:)),
              let integrity = o["integrity"]?.stringValue.flatMap(Integrity.init(rawValue:)) else { return nil }
        func int(_ key: String) -> Int? { o[key]?.numberValue?.int64.flatMap { Int(exactly: $0) } }
        self.init(path: path, mode: mode, integrity: integrity)
        format = o["format"]?.stringValue.flatMap(ImageFormat.init(rawValue:))
        extensionFormat = o["extension_format"]?.stringValue.flatMap(ImageFormat.init(rawValue:))
        fileSize = int("file_size")
        width = int("width")
        height = int("height")
        channels = int("channels")
        bitDepth = int("bit_depth")
        colorSpace = o["color_space"]?.stringValue
        interlaced = o["interlaced"]?.boolValue
        animationFrames = int("animation_frames")
        jpegProcess = o["jpeg_process"]?.stringValue.flatMap(JPEGProcess.init(rawValue:))
        arithmeticCoding = o["arithmetic_coding"]?.boolValue
        orientation = int("exif_orientation").flatMap(EXIFOrientation.init(rawValue:))
        trailingBytes = int("trailing_bytes")
        for problem in o["problems"]?.arrayValue ?? [] {
            guard let code = problem["code"]?.stringValue.flatMap(ImageProblemCode.init(rawValue:)),
                  let message = problem["message"]?.stringValue else { return nil }
            problems.append(ImageProblem(code, message))
        }
        measures = o["measures"].flatMap(ImageMeasures.init(json:))
    }
}
