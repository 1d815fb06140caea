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
        ]))
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
    }
}
