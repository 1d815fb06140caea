#if canImport(Glibc)
import Glibc
#endif

/// What identifies a file's content without reading it: device, inode, size and the
/// modification and status-change times to the nanosecond. Any write, rename over or
/// copy changes at least one of them.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var changed: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    init(_ info: stat) {
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                  modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                  changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }

    /// The identity of the regular file at `path` (following symbolic links), or nil.
    public static func of(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileIdentity(info)
    }

    /// What `lstat` says of `path`: a regular file's identity, or that the path is a
    /// symbolic link, or neither (missing, a folder, a special file).
    public enum Entry: Sendable, Equatable {
        case regularFile(FileIdentity)
        case symbolicLink
        case other
    }

    /// One `lstat` of `path`: the file's identity unless the last component is a link.
    public static func entry(_ path: String) -> Entry {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .other }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile(FileIdentity(info))
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }
}
