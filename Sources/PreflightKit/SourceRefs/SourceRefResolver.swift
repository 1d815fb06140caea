#if canImport(Glibc)
import Glibc
#endif

/// Where a `source-ref` lives on the local disk.
public enum ResolvedImage: Sendable, Equatable {
    /// The local path to read.
    case local(path: String)
    /// No `--map` or `--root` covers this reference.
    case unmapped
    /// The key would leave the folder it is mapped to; the file is never read.
    case escapes(reason: String)
}

/// Turns `s3://` references into local paths using `--map PREFIX=DIR` and `--root DIR`.
public struct SourceRefResolver: Sendable {
    public struct Mapping: Sendable, Equatable {
        /// `s3://bucket` or `s3://bucket/prefix`, without a trailing slash.
        public var prefix: String
        public var directory: String
    }

    public private(set) var mappings: [Mapping]
    public var root: String?

    public init(mappings: [Mapping] = [], root: String? = nil) {
        // Longest prefix first, so the most specific mapping wins.
        self.mappings = mappings.sorted { $0.prefix.count > $1.prefix.count }
        self.root = root
    }

    /// Parses one `--map` argument: `s3://BUCKET[/PREFIX]=DIR`.
    public static func parseMapping(_ argument: String) -> Mapping? {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        var prefix = String(argument[..<equals])
        let directory = String(argument[argument.index(after: equals)...])
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard prefix.hasPrefix("s3://"), prefix.count > 5, !directory.isEmpty else { return nil }
        return Mapping(prefix: prefix, directory: directory)
    }

    public var isEmpty: Bool { mappings.isEmpty && root == nil }

    public func resolve(_ uri: S3URI) -> ResolvedImage {
        let text = uri.description
        for mapping in mappings {
            if text.hasPrefix(mapping.prefix + "/") {
                let rest = String(text.dropFirst(mapping.prefix.count + 1))
                return join(mapping.directory, rest)
            }
        }
        if let root { return join(root, uri.key) }
        return .unmapped
    }

    private func join(_ directory: String, _ relative: String) -> ResolvedImage {
        if relative.hasPrefix("/") {
            return .escapes(reason: "the key is an absolute path")
        }
        if relative.utf8.contains(0) {
            return .escapes(reason: "the key contains a NUL byte")
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") {
            return .escapes(reason: "the key contains a '..' path component")
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return .local(path: base + "/" + relative)
    }

    /// True when `path`, with every symbolic link followed, still lies inside `directory`.
    /// A path that does not exist is judged by its deepest existing ancestor.
    public static func staysInside(_ path: String, directory: String) -> Bool {
        guard let realDirectory = realPath(directory) else { return true } // nothing to escape from
        return staysInside(path, realDirectory: realDirectory)
    }

    /// As `staysInside(_:directory:)`, with the folder's own real path already known.
    public static func staysInside(_ path: String, realDirectory: String) -> Bool {
        var candidate = path
        while true {
            if let real = realPath(candidate) {
                return real == realDirectory || real.hasPrefix(realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/")
            }
            guard let slash = candidate.lastIndex(of: "/"), slash != candidate.startIndex else { return true }
            candidate = String(candidate[..<slash])
        }
    }

    /// The mapped folder that `path` was resolved into.
    public func directory(containing uri: S3URI) -> String? {
        let text = uri.description
        for mapping in mappings where text.hasPrefix(mapping.prefix + "/") { return mapping.directory }
        return root
    }

    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
