#if canImport(Glibc)
import Glibc
#endif

/// Decides whether resolved image paths stay inside their mapped folders once symbolic
/// links are followed. Resolves each folder on the way once, not once per file: a file
/// that is not itself a link lies where its folder really is.
struct EscapeGuard {
    private var realFolders: [String: String?] = [:]

    /// True when `path`, links followed, lies inside the mapped folder `directory`.
    /// A folder that does not exist has nothing to escape from.
    mutating func staysInside(_ path: String, directory: String) -> Bool {
        guard let realDirectory = realPath(of: directory) else { return true }
        return staysInside(path, realDirectory: realDirectory)
    }

    private mutating func realPath(of folder: String) -> String? {
        if realFolders[folder] == nil { realFolders[folder] = .some(SourceRefResolver.realPath(folder)) }
        return realFolders[folder]!
    }

    private mutating func staysInside(_ path: String, realDirectory: String) -> Bool {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            return SourceRefResolver.staysInside(path, realDirectory: realDirectory)
        }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else {
            // A link, or missing: judge the whole path.
            return SourceRefResolver.staysInside(path, realDirectory: realDirectory)
        }
        guard let realFolder = realPath(of: String(path[..<slash])) else {
            return SourceRefResolver.staysInside(path, realDirectory: realDirectory)
        }
        let prefix = realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/"
        return realFolder == realDirectory || (realFolder + "/").hasPrefix(prefix)
    }
}
