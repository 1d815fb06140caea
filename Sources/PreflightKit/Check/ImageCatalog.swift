import Dispatch
import ImageEngine
import Synchronization

/// The distinct local images of a check run, each examined exactly once however many
/// lines name it, on `jobs` threads.
struct ImageCatalog {
    private(set) var paths: [String] = []
    private var index: [String: Int] = [:]
    private(set) var facts: [ImageFacts] = []

    /// Registers a path; returns its index.
    @discardableResult
    mutating func add(_ path: String) -> Int {
        if let existing = index[path] { return existing }
        index[path] = paths.count
        paths.append(path)
        return paths.count - 1
    }

    /// Forgets paths that must not be read.
    mutating func remove(_ unwanted: Set<String>) {
        guard !unwanted.isEmpty else { return }
        paths.removeAll { unwanted.contains($0) }
        index = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
    }

    func facts(for path: String) -> ImageFacts? {
        guard let i = index[path], i < facts.count else { return nil }
        return facts[i]
    }

    /// Examines every registered image, or takes its facts from the cache when the file is unchanged.
    mutating func examineAll(probe: ImageProbe, jobs: Int, cache: ResultCache?, verify: Bool,
                             progress: (@Sendable (Int, Int) -> Void)?) {
        facts = Self.parallelMap(paths, jobs: jobs, progress: progress) { path in
            Self.examine(path, probe: probe, cache: cache, verify: verify)
        }
    }

    private static func examine(_ path: String, probe: ImageProbe, cache: ResultCache?, verify: Bool) -> ImageFacts {
        guard let cache, let identity = FileIdentity.of(path) else { return probe.examine(path: path) }
        if let entry = cache.lookup(path, identity: identity) {
            guard verify else { return entry.facts }
            if let stored = entry.sha256, case .success(let file) = FileBytes.read(path: path, limit: Int(identity.size)),
               file.isComplete, SHA256.hex(file.bytes) == stored {
                return entry.facts
            }
        }
        let (facts, bytes) = probe.examine(path: path, displayName: path)
        var hash: String?
        if verify {
            if let bytes {
                hash = SHA256.hex(bytes)
            } else if case .success(let file) = FileBytes.read(path: path, limit: Int(identity.size)), file.isComplete {
                hash = SHA256.hex(file.bytes)
            }
        }
        // Cache only what was read from a file that did not change meanwhile.
        if FileIdentity.of(path) == identity {
            cache.store(path, ResultCache.Entry(identity: identity, facts: facts, sha256: hash))
        }
        return facts
    }

    /// Identities by content: images whose size is shared with another image are hashed;
    /// an image with a size of its own is identified by its path.
    func contentIdentities(jobs: Int, cache: ResultCache?) -> [String: String] {
        var bySize: [Int: [String]] = [:]
        for (path, fact) in zip(paths, facts) {
            guard let size = fact.fileSize, fact.integrity != .unreadable else { continue }
            bySize[size, default: []].append(path)
        }
        var identities: [String: String] = [:]
        var toHash: [String] = []
        for (_, group) in bySize {
            if group.count == 1 { identities[group[0]] = "path:" + group[0] } else { toHash += group }
        }
        let hashes = Self.parallelMap(toHash, jobs: jobs, progress: nil) { path -> String in
            let identity = FileIdentity.of(path)
            if let cache, let identity, let known = cache.sha256(for: path, identity: identity) { return "sha256:" + known }
            switch FileBytes.read(path: path, limit: Int.max) {
            case .success(let file):
                let hash = SHA256.hex(file.bytes)
                if let cache, let identity, FileIdentity.of(path) == identity { cache.storeSHA256(hash, for: path, identity: identity) }
                return "sha256:" + hash
            case .failure:
                return "path:" + path
            }
        }
        for (path, hash) in zip(toHash, hashes) { identities[path] = hash }
        return identities
    }

    /// `transform` applied to every element on up to `jobs` threads; results in input order.
    static func parallelMap<T: Sendable>(_ items: [String], jobs: Int, progress: (@Sendable (Int, Int) -> Void)?,
                                         _ transform: @escaping @Sendable (String) -> T) -> [T] {
        guard !items.isEmpty else { return [] }
        let results = Mutex<[T?]>(Array(repeating: nil, count: items.count))
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let workers = max(1, min(jobs, items.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= items.count { break }
                let value = transform(items[i])
                results.withLock { $0[i] = value }
                let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                progress?(finished, items.count)
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
