#if canImport(Glibc)
import Glibc
#endif
import ImageEngine

/// Every file a check run will write, checked before the run reads a single image: a typo
/// in a path costs nothing, and no output may land on one of the run's inputs.
public struct OutputPlan: Sendable {
    /// Report files, each with the option that names it (`--output`, `--report`).
    public var files: [(option: String, path: String)] = []
    /// `--rekognition-dir`: made, as `mkdir -p` would, when the plan is approved.
    public var rekognitionDirectory: String?
    /// Manifests or dataset folders the run reads.
    public var inputs: [String] = []

    public init(files: [(option: String, path: String)] = [], rekognitionDirectory: String? = nil, inputs: [String] = []) {
        self.files = files
        self.rekognitionDirectory = rekognitionDirectory
        self.inputs = inputs
    }

    /// The files `--rekognition-dir` writes, for the roles a run has.
    public func rekognitionFiles(roles: [DatasetRole]) -> [String] {
        guard let rekognitionDirectory else { return [] }
        return ([RekognitionFiles.summaryName] + roles.map(RekognitionFiles.validationManifestName(for:)))
            .map { rekognitionDirectory + "/" + $0 }
    }

    /// Refuses the plan with a sentence naming the path and what to do, or makes the
    /// `--rekognition-dir` folder and returns. Writes nothing else.
    public func approve(roles: [DatasetRole]) throws(OperationError) {
        let folders = inputs.filter(FolderWalker.isFolder).map { (given: $0, real: SourceRefResolver.realPath($0) ?? $0) }
        let manifests = inputs.filter { !FolderWalker.isFolder($0) }
        var seen: [(path: String, identity: String)] = []

        func refuseClash(_ path: String, option: String) throws(OperationError) {
            let identity = Self.identity(path) ?? Self.normalized(path)
            if let earlier = seen.first(where: { $0.identity == identity }) {
                throw OperationError("\(option) \(path): the same file as \(earlier.path), written by another option; name each output once")
            }
            seen.append((path, identity))
            for manifest in manifests where manifest == path || Self.identity(manifest).map({ $0 == identity }) == true {
                throw OperationError("\(option) \(path): that is the input manifest \(manifest); inputs are never overwritten, name another file")
            }
            if let parent = SourceRefResolver.realPath(Self.parent(of: path)) {
                for folder in folders where parent == folder.real || parent.hasPrefix(folder.real + "/") {
                    throw OperationError("\(option) \(path): inside the dataset folder \(folder.given), where a new file would change the dataset; write it elsewhere")
                }
            }
            var info = stat()
            if stat(path, &info) == 0 {
                if info.st_mode & S_IFMT == S_IFDIR {
                    throw OperationError("\(option) \(path): that is a folder; name a file")
                }
                if info.st_mode & S_IFMT == S_IFREG, Self.holdsImage(path) {
                    throw OperationError("\(option) \(path): that file is an image; inputs are never overwritten, name another file")
                }
            }
        }

        func requireWritableFolder(_ folder: String, for path: String, option: String) throws(OperationError) {
            var info = stat()
            guard stat(folder, &info) == 0 else {
                throw OperationError("\(option) \(path): the folder \(folder) does not exist; create it or name another path")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw OperationError("\(option) \(path): \(folder) is not a folder")
            }
            guard access(folder, W_OK | X_OK) == 0 else {
                throw OperationError("\(option) \(path): the folder \(folder) cannot be written (\(String(cString: strerror(errno))))")
            }
        }

        for (option, path) in files {
            try refuseClash(path, option: option)
            try requireWritableFolder(Self.parent(of: path), for: path, option: option)
        }
        guard let directory = rekognitionDirectory else { return }
        let option = "--rekognition-dir"
        if let real = SourceRefResolver.realPath(directory) {
            for folder in folders where real == folder.real || real.hasPrefix(folder.real + "/") {
                throw OperationError("\(option) \(directory): inside the dataset folder \(folder.given), where new files would change the dataset; write them elsewhere")
            }
        }
        for path in rekognitionFiles(roles: roles) { try refuseClash(path, option: option) }
        if let reason = FolderWalker.makeFolders(directory) {
            throw OperationError("\(option) \(directory): the folder cannot be made (\(reason))")
        }
        try requireWritableFolder(directory, for: directory, option: option)
    }

    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    static func normalized(_ path: String) -> String {
        let parent = parent(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return (SourceRefResolver.realPath(parent) ?? parent) + "/" + name
    }

    /// Device and inode: the same file under any name, hard links included.
    static func identity(_ path: String) -> String? {
        FileIdentity.of(path).map { "\($0.device):\($0.inode)" }
    }

    /// True when the file's first bytes are those of an image format.
    static func holdsImage(_ path: String) -> Bool {
        guard case .success(let head) = FileBytes.read(path: path, limit: 64) else { return false }
        let format = ImageFormat.sniff(head.bytes)
        return format != .unknown
    }
}
