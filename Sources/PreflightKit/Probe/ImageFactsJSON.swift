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
