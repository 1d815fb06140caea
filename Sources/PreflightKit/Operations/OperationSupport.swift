#if canImport(Glibc)
import Glibc
#endif
import PreflightJSON

/// Why a manifest operation could not run at all (exit code 2): a usage error or a file
/// that cannot be read or written.
public struct OperationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One line of an operation's log, as the command prints it.
public struct LogLine: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    /// True when the line reports a problem the operation could not resolve (exit code 1).
    public var isProblem: Bool
    public init(_ text: String, problem: Bool = false) {
        self.text = text
        isProblem = problem
    }
    public var description: String { text }
}

/// A private folder for intermediate manifests, removed with everything in it when the
/// operation ends. Outputs are never written here: they go through `AtomicFile`.
final class ScratchFolder {
    let path: String

    init() throws(OperationError) {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/preflight-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw OperationError("cannot create a temporary folder in \(base): \(String(cString: strerror(errno)))")
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        cleanup = InterruptCleanup.remember(path)
    }

    private let cleanup: Int?
    private var fileCleanups: [Int?] = []

    /// Has `file`, which the caller writes in the folder, removed on Ctrl-C too.
    func remember(_ file: String) {
        fileCleanups.append(InterruptCleanup.remember(file))
    }

    /// Writes `lines`, each ended by a line feed, to NAME in the folder; returns its path.
    func write(_ name: String, lines: [String]) throws(OperationError) -> String {
        let file = path + "/" + name
        fileCleanups.append(InterruptCleanup.remember(file))
        do {
            try AtomicFile.write(to: file) { sink in
                for line in lines { sink.write(Array((line + "\n").utf8)) }
            }
        } catch {
            throw OperationError(error.description)
        }
        return file
    }

    deinit {
        for slot in fileCleanups { InterruptCleanup.forget(slot) }
        InterruptCleanup.forget(cleanup)
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// Dates as manifests write them: `2023-05-04T10:11:12.000Z` (UTC).
enum UTCTimestamp {
    static func string(seconds: Int, nanoseconds: Int = 0) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(nanoseconds / 1_000_000), 3))Z"
    }

    /// The modification time of the file at `path`, or nil when it cannot be read.
    static func modification(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return string(seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
    }
}

/// Files an operation reads and writes.
enum OperationFiles {
    /// Refuses, before any work, an output that is one of the inputs (same file, whatever
    /// the path says), an image, a folder, a file inside an input folder, or one in a folder
    /// that does not exist or cannot be written: operations never change their inputs.
    static func refuseOverwriting(_ inputs: [String], with outputs: [String]) throws(OperationError) {
        try OutputPlan(files: outputs.map { ("--output", $0) }, inputs: inputs).approve(roles: [])
    }

    /// Streams the lines of a manifest that must be readable; returns the line count.
    @discardableResult
    static func forEachLine(of path: String, _ body: (Int, ManifestReader.Line) -> Void) throws(OperationError) -> Int {
        switch ManifestReader(path: path).forEachLine(body) {
        case .success(let count): return count
        case .failure(let problem): throw OperationError("cannot read \(path): \(problem.message)")
        }
    }

    /// The JSON object of a line, or nil when the line is not one.
    static func object(_ line: ManifestReader.Line) -> JSONObject? {
        guard case .bytes(let bytes) = line, case .object(let object)? = try? JSONParser.parse(bytes) else { return nil }
        return object
    }

    /// The line's bytes as text (a line over the length limit has none).
    static func text(_ line: ManifestReader.Line) -> String? {
        guard case .bytes(let bytes) = line else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isBlank(_ line: ManifestReader.Line) -> Bool {
        guard case .bytes(let bytes) = line else { return false }
        return bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// Writes an output manifest atomically.
    static func write(_ path: String, _ produce: (inout AtomicFile.Sink) -> Void) throws(OperationError) {
        do {
            try AtomicFile.write(to: path, produce)
        } catch {
            throw OperationError(error.description)
        }
    }
}

extension AtomicFile.Sink {
    /// Writes one manifest line and its line feed.
    mutating func writeLine(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(0x0A)
        write(bytes)
    }

    mutating func writeLine(_ object: JSONObject) {
        var bytes: [UInt8] = []
        JSONWriter.write(.object(object), into: &bytes)
        bytes.append(0x0A)
        write(bytes)
    }
}

/// The labels a manifest line carries, as written: classification class names and the
/// class-map names of detection boxes. Judges nothing; `preflight check` does that.
enum LineLabels {
    static func of(_ line: ManifestLine) -> Set<String> {
        var labels = Set<String>()
        for attribute in line.attributes {
            if let name = attribute.className { labels.insert(name) }
            for box in attribute.boxes {
                if let name = attribute.labelName(ofClass: box.classID) { labels.insert(name) }
            }
        }
        return labels
    }

    static func describe(_ labels: Set<String>) -> String {
        labels.isEmpty ? "no label" : labels.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
