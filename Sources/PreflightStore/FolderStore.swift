#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `ObjectStore` over a local folder laid out as buckets: `s3://bucket/key` is the file
/// `root/bucket/key`. It serves a bucket copied to disk (`aws s3 sync s3://bucket root/bucket`)
/// under its S3 names, and answers as S3 would: a missing file is `notFound`, a missing bucket
/// folder `noSuchBucket`, and a file that grants nobody read permission (mode without any `r`)
/// is `accessDenied`, whoever runs the process, as an object whose policy denies reading.
/// A key is a name, never a path: one with an empty, `.` or `..` segment names no file here.
public struct FolderStore: ObjectStore {
    public let root: String
    /// Objects larger than this are refused from their size, never read.
    public let maxReadBytes: Int
    /// The identity access is checked for, as messages name it.
    public let identity: String

    public init(root: String, maxReadBytes: Int = 64 << 20, identity: String = "this user") {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.maxReadBytes = maxReadBytes
        self.identity = identity
    }

    public func info(of location: ObjectLocation) async throws(StoreError) -> ObjectInfo {
        try lookUp(location).info
    }

    public func read(_ location: ObjectLocation, range: Range<Int>?) async throws(StoreError) -> ObjectRead {
        let (path, info, mode) = try lookUp(location)
        guard mode & 0o444 != 0 else { throw .accessDenied(location, identity: identity) }
        let start = min(range?.lowerBound ?? 0, info.size)
        let end = min(range?.upperBound ?? info.size, info.size)
        guard end - start <= maxReadBytes else { throw .tooLarge(location, size: info.size, limit: maxReadBytes) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(errno, location, identity) }
        defer { close(fd) }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: end - start) { buffer, count in
            var done = 0
            while done < end - start {
                let n = pread(fd, buffer.baseAddress! + done, end - start - done, off_t(start + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                done += n
            }
            count = done
        }
        if failure != 0 { throw Self.error(failure, location, identity) }
        return ObjectRead(info: info, bytes: bytes, range: start..<(start + bytes.count))
    }

    /// The whole listing under the prefix is gathered and sorted on each call (a local folder
    /// is cheap to walk); a page holds at most 1,000 objects, as S3's do.
    public func listPage(prefix: ObjectLocation, continuation: String?) async throws(StoreError) -> ObjectPage {
        guard case let .s3(bucket, keyPrefix) = prefix else { throw .other(prefix, "not an S3 location (s3://bucket/key)") }
        let bucketFolder = root + "/" + bucket
        var info = stat()
        guard statPath(bucketFolder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .noSuchBucket(bucket) }
        // Walk only the folder the prefix lies in; keys are compared in full below.
        let folder = keyPrefix.lastIndex(of: "/").map { String(keyPrefix[...$0]) } ?? ""
        var keys: [String] = []
        Self.walk(bucketFolder + "/" + folder, key: folder, into: &keys)
        let sorted = keys.filter { key in
            key.hasPrefix(keyPrefix) && (continuation.map { after in after.utf8.lexicographicallyPrecedes(key.utf8) } ?? true)
        }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let page = sorted.prefix(1000)
        var objects: [ObjectInfo] = []
        for key in page {
            let location = ObjectLocation.s3(bucket: bucket, key: key)
            if let (_, info, _) = try? lookUp(location) { objects.append(info) }
        }
        return ObjectPage(objects: objects, continuation: sorted.count > page.count ? page.last : nil)
    }

    private func lookUp(_ location: ObjectLocation) throws(StoreError) -> (path: String, info: ObjectInfo, mode: UInt32) {
        guard case let .s3(bucket, key) = location else { throw .other(location, "not an S3 location (s3://bucket/key)") }
        var info = stat()
        guard statPath(root + "/" + bucket, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw .noSuchBucket(bucket) }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }), !key.utf8.contains(0) else {
            throw .notFound(location)
        }
        let path = root + "/" + bucket + "/" + key
        guard statPath(path, &info) == 0 else { throw Self.error(errno, location, identity) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notFound(location) }
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        let tag = "\(info.st_dev)-\(info.st_ino)-\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        return (path, ObjectInfo(location: location, size: Int(info.st_size), tag: tag, lastModified: modified), UInt32(info.st_mode))
    }

    private static func error(_ code: Int32, _ location: ObjectLocation, _ identity: String) -> StoreError {
        switch code {
        case ENOENT, ENOTDIR: return .notFound(location)
        case EACCES, EPERM: return .accessDenied(location, identity: identity)
        default: return .other(location, String(cString: strerror(code)))
        }
    }

    /// Regular files under `path`, as keys below `key` (symbolic links are not followed).
    private static func walk(_ path: String, key: String, into keys: inout [String]) {
        guard let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            // Read up to the name's NUL only: a directory entry is as long as its name, not as the
            // structure's fixed-size array (copying the whole array reads past the entry).
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard lstat(path + "/" + name, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG: keys.append(key + name)
            case S_IFDIR: walk(path + "/" + name, key: key + name + "/", into: &keys)
            default: break
            }
        }
    }
}

/// `stat(2)`, named apart from the `stat` structure it fills.
private func statPath(_ path: String, _ info: inout stat) -> Int32 { stat(path, &info) }
