#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file's bytes could not be had.
public enum FileReadFailure: Error, Sendable, Equatable {
    case missing
    case permissionDenied
    case notRegularFile(kind: String)
    case ioError(String)
    /// Refused by the store the bytes live in (an object store), in its own words.
    case refused(ImageProblemCode, String)

    public var message: String {
        switch self {
        case .missing: "the file does not exist"
        case .permissionDenied: "permission denied when opening the file"
        case .notRegularFile(let kind): "this is a \(kind), not a regular file"
        case .ioError(let reason): "the file could not be read: \(reason)"
        case .refused(_, let message): message
        }
    }
}

/// The bytes of one file, read through a single descriptor so that the size and the
/// content agree even if the file changes on disk.
public struct FileBytes: Sendable {
    /// The size of the file when it was opened.
    public let fileSize: Int
    /// The bytes read: the whole file, or a prefix when reading was limited.
    public let bytes: [UInt8]
    /// The file's identity when it was opened.
    public let identity: FileIdentity
    /// True when the file's identity changed while it was read (it was being written).
    public let changedWhileReading: Bool
    /// True when `bytes` holds the whole file.
    public var isComplete: Bool { bytes.count == fileSize }

    public init(fileSize: Int, bytes: [UInt8], identity: FileIdentity, changedWhileReading: Bool = false) {
        self.fileSize = fileSize
        self.bytes = bytes
        self.identity = identity
        self.changedWhileReading = changedWhileReading
    }

    /// Reads at most `limit` bytes from the start of the file at `path`.
    /// Opening never blocks (a FIFO is reported, not waited on) and special files are refused.
    public static func read(path: String, limit: Int) -> Result<FileBytes, FileReadFailure> {
        read(path: path) { _ in limit }
    }

    /// Reads at most `limit(size)` bytes from the start of the file at `path`, where `size`
    /// is the file's size once opened: one open, however the limit depends on the size.
    public static func read(path: String, limit: (Int) -> Int) -> Result<FileBytes, FileReadFailure> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            return .failure(failure(errno: errno))
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            return .failure(failure(errno: errno))
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            return .failure(.notRegularFile(kind: kindName(type)))
        }
        let size = Int(info.st_size)
        let wanted = min(size, max(0, limit(size)))
        // Read straight into the array's storage: no zero-filling of what is about to be overwritten.
        var filled = 0
        var outcome: FileReadFailure?
        let buffer = [UInt8](unsafeUninitializedCapacity: wanted) { raw, initialized in
            while filled < wanted {
                let n = Glibc.read(fd, raw.baseAddress! + filled, wanted - filled)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    outcome = failure(errno: errno)
                    break
                }
                if n == 0 { break } // the file shrank while being read
                filled += n
            }
            initialized = filled
        }
        if let outcome { return .failure(outcome) }
        // A file that shrank is reported at the size actually read.
        let effectiveSize = filled < wanted ? filled : size
        let identity = FileIdentity(info)
        var after = stat()
        let changed = fstat(fd, &after) != 0 || FileIdentity(after) != identity
        return .success(FileBytes(fileSize: effectiveSize, bytes: buffer, identity: identity, changedWhileReading: changed))
    }

    /// The size of the file at `path`, following symbolic links, or the reason there is none.
    public static func size(path: String) -> Result<Int, FileReadFailure> {
        var info = stat()
        if stat(path, &info) != 0 { return .failure(failure(errno: errno)) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { return .failure(.notRegularFile(kind: kindName(type))) }
        return .success(Int(info.st_size))
    }

    private static func failure(errno code: Int32) -> FileReadFailure {
        switch code {
        case ENOENT, ENOTDIR: return .missing
        case EACCES, EPERM: return .permissionDenied
        case EISDIR: return .notRegularFile(kind: "directory")
        case ELOOP: return .ioError("too many levels of symbolic links")
        default: return .ioError(String(cString: strerror(code)))
        }
    }

    private static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "directory"
        case S_IFIFO: "named pipe (FIFO)"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFSOCK: "socket"
        case S_IFLNK: "symbolic link"
        default: "special file"
        }
    }
}
