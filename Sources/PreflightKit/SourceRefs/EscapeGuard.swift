#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Decides whether resolved image paths stay inside their mapped folders once symbolic
/// links are followed. Resolves each folder on the way once, not once per file: a file
/// that is not itself a link lies where its folder really is. Safe to share between threads.
final class EscapeGuard: Sendable {
    private let realFolders = Mutex<[String: String?]>([:])

    /// True when `path`, links followed, lies inside the mapped folder `directory`.
    /// `isRegularFile` says that the path's last component is a regular file, not a link
    /// (one `lstat`, which the caller has made anyway); otherwise the whole path is resolved.
    /// A folder that does not exist has nothing to escape from.
    func staysInside(_ path: String, directory: String, isRegularFile: Bool) -> Bool {
        guard let realDirectory = realPath(of: directory) else { return true }
        guard isRegularFile, let slash = path.lastIndex(of: "/"), slash != path.startIndex,
              let realFolder = realPath(of: String(path[..<slash])) else {
            return SourceRefResolver.staysInside(path, realDirectory: realDirectory)
        }
        let prefix = realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/"
        return realFolder == realDirectory || (realFolder + "/").hasPrefix(prefix)
    }

    private func realPath(of folder: String) -> String? {
        if let known = realFolders.withLock({ $0[folder] }) { return known }
        let real = SourceRefResolver.realPath(folder)
        realFolders.withLock { $0[folder] = .some(real) }
        return real
    }
}
