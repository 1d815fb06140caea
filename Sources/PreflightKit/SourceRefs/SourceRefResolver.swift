#if canImport(Glibc)
import Glibc
#endif

/// Where the image a `source-ref` names is read from.
public enum ResolvedImage: Sendable, Equatable {
    /// The local path to read, or the `s3://` object itself when images are read from S3.
    case located(path: String)
    /// No `--map` or `--root` covers this reference.
    case unmapped
    /// The key would leave the folder it is mapped to; the file is never read.
    case escapes(reason: String)
}

/// Turns `s3://` references into local paths using `--map PREFIX=DIR` and `--root DIR`, or,
/// when images are read from the object store, into the object itself.
public struct SourceRefResolver: Sendable {
    public struct Mapping: Sendable, Equatable {
        /// `s3://bucket` or `s3://bucket/prefix`, without a trailing slash.
        public let prefix: String
        public let directory: String
        /// The prefix's bucket, and its key prefix with a trailing slash ("" for a whole bucket).
        private let bucket: Substring
        private let keyPrefix: String

        public init(prefix: String, directory: String) {
            self.prefix = prefix
            self.directory = directory
            let rest = prefix.dropFirst(5)
            if let slash = rest.firstIndex(of: "/") {
                bucket = rest[..<slash]
                keyPrefix = String(rest[rest.index(after: slash)...]) + "/"
            } else {
                bucket = rest
                keyPrefix = ""
            }
        }

        /// The part of `uri`'s key below this mapping's prefix, when the prefix covers it.
        func relativeKey(of uri: S3URI) -> Substring? {
            guard uri.bucket == bucket, uri.key.hasPrefix(keyPrefix) else { return nil }
            return uri.key.dropFirst(keyPrefix.count)
        }
    }

    public private(set) var mappings: [Mapping]
    public var root: String?
    /// References that no mapping or root covers are read from the object store, under
    /// their own `s3://` name (a `..` in a key stays part of the key).
    public var readsStore: Bool

    public init(mappings: [Mapping] = [], root: String? = nil, readsStore: Bool = false) {
        // Longest prefix first, so the most specific mapping wins.
        self.mappings = mappings.sorted { $0.prefix.count > $1.prefix.count }
        self.root = root
        self.readsStore = readsStore
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

    /// True when no image is read at all.
    public var isEmpty: Bool { mappings.isEmpty && root == nil && !readsStore }

    public func resolve(_ uri: S3URI) -> ResolvedImage {
        for mapping in mappings {
            if let relative = mapping.relativeKey(of: uri) { return join(mapping.directory, relative) }
        }
        if let root { return join(root, uri.key[...]) }
        if readsStore { return .located(path: uri.description) }
        return .unmapped
    }

    private func join(_ directory: String, _ relative: Substring) -> ResolvedImage {
        if relative.hasPrefix("/") {
            return .escapes(reason: "the key is an absolute path")
        }
        // One scan for NUL bytes and ".." components.
        var componentStart = true, dots = 0
        for byte in relative.utf8 {
            if byte == 0 { return .escapes(reason: "the key contains a NUL byte") }
            if byte == UInt8(ascii: "/") {
                if componentStart && dots == 2 { return .escapes(reason: "the key contains a '..' path component") }
                componentStart = true
                dots = 0
            } else if componentStart && byte == UInt8(ascii: ".") && dots < 2 {
                dots += 1
            } else {
                componentStart = false
            }
        }
        if componentStart && dots == 2 { return .escapes(reason: "the key contains a '..' path component") }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return .located(path: base + "/" + relative)
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

    /// The mapping that covers `uri`, as the prefix it maps, its folder and the key's rest
    /// below the prefix (`--root` maps the bucket).
    public func mapping(for uri: S3URI) -> (prefix: String, directory: String, relative: String)? {
        for mapping in mappings {
            if let relative = mapping.relativeKey(of: uri) { return (mapping.prefix, mapping.directory, String(relative)) }
        }
        if let root { return ("s3://\(uri.bucket)", root, String(uri.key)) }
        return nil
    }

    /// The mapped folder that `path` was resolved into.
    public func directory(containing uri: S3URI) -> String? {
        for mapping in mappings where mapping.relativeKey(of: uri) != nil { return mapping.directory }
        return root
    }

    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
