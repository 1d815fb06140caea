#if canImport(Glibc)
import Glibc
#endif

/// Streams a manifest's lines with constant memory: a line is a run of bytes ended by
/// LF (a CR before it is dropped) or by the end of the file. An empty file has no lines;
/// a final line without LF still counts.
public struct ManifestReader {
    /// Lines longer than this are not held in memory; they are reported as invalid.
    public static let defaultMaxLineBytes = 16 << 20

    public enum Line {
        case bytes(UnsafeRawBufferPointer)
        /// The line was longer than the limit; its length in bytes.
        case tooLong(Int)
    }


    public let path: String
    public let maxLineBytes: Int

    public init(path: String, maxLineBytes: Int = defaultMaxLineBytes) {
        self.path = path
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `body` with each line's 1-based number and bytes, in order.
    /// Returns the number of lines, or the reason the file could not be read.
    @discardableResult
    public func forEachLine(_ body: (Int, Line) -> Void) -> Result<Int, FileProblem> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileProblem(errno: errno)) }
        defer { close(fd) }
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var pending: [UInt8] = []       // the start of a line that crosses chunks
        var pendingTooLong = 0          // bytes of an over-long line seen so far (0: not over-long)
        var number = 0

        func emit(_ bytes: UnsafeRawBufferPointer) {
            number += 1
            var view = bytes
            if let last = view.last, last == 0x0D { view = UnsafeRawBufferPointer(rebasing: view.dropLast()) }
            body(number, .bytes(view))
        }

        while true {
            let count = chunk.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress!, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(FileProblem(errno: errno))
            }
            if count == 0 { break }
            chunk.withUnsafeBytes { raw in
                let data = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                var start = 0
                while start < count {
                    guard let found = memchr(data.baseAddress! + start, 0x0A, count - start) else {
                        // No end of line in the rest of this chunk: keep it for the next.
                        let rest = count - start
                        if pendingTooLong > 0 || pending.count + rest > maxLineBytes {
                            pendingTooLong = max(pendingTooLong, pending.count) + rest
                            pending.removeAll()
                        } else {
                            pending.append(contentsOf: data[start..<count])
                        }
                        start = count
                        break
                    }
                    let newline = UnsafeRawPointer(found) - data.baseAddress!
                    let piece = UnsafeRawBufferPointer(rebasing: data[start..<newline])
                    if pendingTooLong > 0 {
                        number += 1
                        body(number, .tooLong(pendingTooLong + piece.count))
                        pendingTooLong = 0
                    } else if pending.isEmpty {
                        if piece.count > maxLineBytes {
                            number += 1
                            body(number, .tooLong(piece.count))
                        } else {
                            emit(piece)
                        }
                    } else {
                        pending.append(contentsOf: piece)
                        if pending.count > maxLineBytes {
                            number += 1
                            body(number, .tooLong(pending.count))
                        } else {
                            pending.withUnsafeBytes { emit($0) }
                        }
                        pending.removeAll(keepingCapacity: false)
                    }
                    start = newline + 1
                }
            }
        }
        if pendingTooLong > 0 {
            number += 1
            body(number, .tooLong(pendingTooLong))
        } else if !pending.isEmpty {
            pending.withUnsafeBytes { emit($0) }
        }
        return .success(number)
    }
}

/// Why a file (a manifest, say) could not be opened or read.
public struct FileProblem: Error, Equatable, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    init(errno code: Int32) {
        switch code {
        case ENOENT: message = "the file does not exist"
        case EACCES, EPERM: message = "permission denied"
        case EISDIR: message = "it is a directory"
        default: message = String(cString: strerror(code))
        }
    }
}
