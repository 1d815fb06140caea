#if canImport(Glibc)
import Glibc
#endif
import ImageEngine

/// A folder-per-label tree as the service imports it (label by folder name): which files
/// become dataset images with which label, and which are left out and why.
///
/// The label of an image is the name of the direct child folder of the location that holds
/// it, at any depth; images directly in the location have none. The location is the folder
/// itself, or `--location SUBDIR` inside it.
public struct FolderListing: Sendable {
    public struct Image: Sendable, Equatable {
        /// The path below the folder, `/`-separated: the image's S3 key below the folder's prefix.
        public var key: String
        /// The local path: the folder as given, then `/`, then the key.
        public var path: String
        /// The direct child folder of the location that holds the image; nil directly in the location.
        public var label: String?
        /// The child folder of the label folder that holds the image, when it is deeper.
        public var subfolder: String?
        /// Last modification (UTC), for the manifest's `creation-date`.
        public var modifiedSeconds: Int
        public var modifiedNanoseconds: Int
    }

    /// Why an entry is not a dataset image.
    public enum Skip: Sendable, Equatable {
        /// The name starts with a dot; a hidden folder is not walked.
        case hidden(isFolder: Bool)
        /// Not an image at all (or not a regular file).
        case notAnImage(kind: String)
        /// An image the service does not import: another format, or a PNG or JPEG under another extension.
        case unsupportedImage(format: ImageFormat)
        /// A symbolic link to a folder already walked (a loop, or a second way to the same folder).
        case symlinkLoop(target: String)
        /// A symbolic link that leads out of the folder.
        case symlinkOutside(target: String)
        /// The entry could not be read: permissions, a broken link, a file that vanished during the walk.
        case unreadable(reason: String)
    }

    public struct Skipped: Sendable, Equatable {
        public var key: String
        public var path: String
        public var skip: Skip
    }

    /// The folder as given.
    public var folder: String
    /// The location inside it (`a/b`), or nil for the folder itself.
    public var location: String?
    /// Every image the service would import, labelled or not, in key order (UTF-8 byte order
    /// of each path component, so a folder's contents follow it).
    public var images: [Image] = []
    /// Everything else, in key order.
    public var skipped: [Skipped] = []

    /// The images that carry a label: the dataset's lines, in order.
    public var labelledImages: [Image] { images.filter { $0.label != nil } }

    /// Images per label.
    public var labelCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for image in images { if let label = image.label { counts[label, default: 0] += 1 } }
        return counts
    }

    /// The location's own path: the folder, or the folder and `--location`.
    public var locationPath: String { location.map { FolderListing.join(folder, $0) } ?? folder }

    /// Adds an image, labelled as the service labels it: by the child folder of the location
    /// that holds it (and the folder below that, when deeper).
    mutating func addImage(key: String, path: String, modifiedSeconds: Int, nanoseconds: Int) {
        let below = location.map { String(key.dropFirst($0.count + 1)) } ?? key
        let parts = below.split(separator: "/", omittingEmptySubsequences: false)
        images.append(Image(key: key, path: path,
                            label: parts.count >= 2 ? String(parts[0]) : nil,
                            subfolder: parts.count >= 3 ? String(parts[1]) : nil,
                            modifiedSeconds: modifiedSeconds, modifiedNanoseconds: nanoseconds))
    }

    static func join(_ folder: String, _ key: String) -> String {
        (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + "/" + key
    }
}

/// Why a folder cannot be walked at all.
public struct FolderError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Walks a folder the way an upload of it would see it: every entry once, in sorted order,
/// following symbolic links but never into a loop (folders are tracked by device and inode)
/// and never out of the folder. Unreadable folders and entries that vanish meanwhile are
/// recorded, not fatal.
public enum FolderWalker {
    /// The file names the service imports.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]
    /// Deeper than this is taken for a runaway tree.
    static let maxDepth = 256

    /// True when `path` is a folder (following symbolic links).
    public static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Makes the folder and any missing parents, as `mkdir -p` does; nil when the folder is
    /// there, else why it cannot be.
    static func makeFolders(_ path: String) -> String? {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { return String(cString: strerror(errno)) }
        }
        return isFolder(path) ? nil : "a file of that name is in the way"
    }

    public static func walk(_ folder: String, location: String? = nil) throws(FolderError) -> FolderListing {
        guard isFolder(folder) else { throw FolderError("\(folder) is not a folder") }
        let listing = FolderListing(folder: folder, location: try normalized(location, in: folder))
        var start = stat()
        guard stat(listing.locationPath, &start) == 0, start.st_mode & S_IFMT == S_IFDIR else {
            throw FolderError("--location \(location ?? ""): \(listing.locationPath) is not a folder")
        }
        if listing.location != nil, !SourceRefResolver.staysInside(listing.locationPath, directory: folder) {
            throw FolderError("--location \(location ?? ""): it leads out of \(folder)")
        }
        var walker = Walk(listing: listing, visited: [FolderID(start)])
        walker.visit(key: listing.location ?? "", depth: 0)
        return walker.listing
    }

    /// `a/./b/` becomes `a/b`; `..` and absolute paths are refused; empty means the folder itself.
    static func normalized(_ location: String?, in folder: String) throws(FolderError) -> String? {
        guard let location else { return nil }
        let parts = location.split(separator: "/").filter { $0 != "." }
        if location.hasPrefix("/") || parts.contains("..") {
            throw FolderError("--location \(location): name a folder inside \(folder), relative to it, without '..'")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    private struct FolderID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    private struct Walk {
        var listing: FolderListing
        var visited: Set<FolderID>

        /// Lists the folder at `key` (relative to the folder; "" for the folder itself).
        mutating func visit(key: String, depth: Int) {
            let path = key.isEmpty ? listing.folder : FolderListing.join(listing.folder, key)
            guard let directory = opendir(path) else {
                let reason = errno == ENOENT ? "the folder vanished during the walk" : "the folder cannot be read: \(String(cString: strerror(errno)))"
                skip(key, .unreadable(reason: reason))
                return
            }
            var names: [String] = []
            var badNames = 0
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    String(validatingCString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                guard let name else { badNames += 1; continue }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            if badNames > 0 {
                skip(key, .unreadable(reason: "\(badNames) name\(badNames == 1 ? "" : "s") in this folder \(badNames == 1 ? "is" : "are") not valid UTF-8, so no S3 key can name \(badNames == 1 ? "it" : "them")"))
            }
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names {
                visitEntry(key: key.isEmpty ? name : key + "/" + name, name: name, depth: depth)
            }
        }

        mutating func visitEntry(key: String, name: String, depth: Int) {
            let path = FolderListing.join(listing.folder, key)
            var link = stat(), info = stat()
            guard lstat(path, &link) == 0 else {
                skip(key, .unreadable(reason: errno == ENOENT ? "it vanished during the walk" : String(cString: strerror(errno))))
                return
            }
            if name.hasPrefix(".") {
                skip(key, .hidden(isFolder: stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR))
                return
            }
            let isLink = link.st_mode & S_IFMT == S_IFLNK
            if isLink {
                guard stat(path, &info) == 0 else {
                    let reason = errno == ENOENT || errno == ENOTDIR ? "a symbolic link to \(target(of: path)), which does not exist"
                        : "a symbolic link that cannot be followed: \(String(cString: strerror(errno)))"
                    skip(key, .unreadable(reason: reason))
                    return
                }
            } else {
                info = link
            }
            let type = info.st_mode & S_IFMT
            if isLink, !SourceRefResolver.staysInside(path, directory: listing.folder) {
                skip(key, .symlinkOutside(target: target(of: path)))
                return
            }
            switch type {
            case S_IFDIR:
                guard visited.insert(FolderID(info)).inserted else {
                    skip(key, .symlinkLoop(target: isLink ? target(of: path) : key))
                    return
                }
                guard depth < FolderWalker.maxDepth else {
                    skip(key, .unreadable(reason: "more than \(FolderWalker.maxDepth) folders deep; not walked further"))
                    return
                }
                visit(key: key, depth: depth + 1)
            case S_IFREG:
                let dot = name.lastIndex(of: ".")
                let ext = dot.map { name[name.index(after: $0)...].lowercased() } ?? ""
                if FolderWalker.imageExtensions.contains(ext) {
                    listing.addImage(key: key, path: path, modifiedSeconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
                    return
                }
                switch FileBytes.read(path: path, limit: ImageFormat.sniffLength) {
                case .success(let head):
                    let format = ImageFormat.sniff(head.bytes)
                    skip(key, format == .unknown ? .notAnImage(kind: "file") : .unsupportedImage(format: format))
                case .failure(.missing):
                    skip(key, .unreadable(reason: "it vanished during the walk"))
                case .failure(let failure):
                    skip(key, .unreadable(reason: failure.message))
                }
            default:
                skip(key, .notAnImage(kind: Self.kind(type)))
            }
        }

        mutating func skip(_ key: String, _ reason: FolderListing.Skip) {
            let path = key.isEmpty ? listing.folder : FolderListing.join(listing.folder, key)
            listing.skipped.append(FolderListing.Skipped(key: key, path: path, skip: reason))
        }

        func target(of path: String) -> String {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &buffer, buffer.count - 1)
            guard count >= 0 else { return "?" }
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        static func kind(_ type: mode_t) -> String {
            switch type {
            case S_IFIFO: "named pipe (FIFO)"
            case S_IFCHR: "character device"
            case S_IFBLK: "block device"
            case S_IFSOCK: "socket"
            default: "special file"
            }
        }
    }
}
