import Dispatch
import ImageEngine
import Synchronization

/// The distinct local images of a check run, each examined exactly once however many
/// lines name it, on `jobs` threads.
struct ImageCatalog {
    /// How much of a file the first duplicate test reads.
    static let headBytes = 16 << 10

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

    /// Which images have identical bytes. Only images that share their size with another
    /// are read at all: first their leading 16 KiB (a CRC-32 of it), then, for those that
    /// still agree, the whole file (its CRC-32, kept in the cache), and files that agree on
    /// both are compared byte for byte, so equality is exact. Returns, for every image whose
    /// bytes equal another image's, the number of its group; images absent are unique.
    func identicalContentGroups(jobs: Int, cache: ResultCache?) -> [String: Int] {
        var bySize: [Int: [String]] = [:]
        for (path, fact) in zip(paths, facts) {
            guard let size = fact.fileSize, fact.integrity != .unreadable else { continue }
            bySize[size, default: []].append(path)
        }
        let sameSize = bySize.values.filter { $0.count > 1 }.flatMap { $0 }
        let heads = Self.parallelMap(sameSize, jobs: jobs, progress: nil) { path -> UInt32? in
            Self.checksum(of: path, .head, cache: cache)
        }
        var byHead: [String: [String]] = [:]
        for (path, head) in zip(sameSize, heads) {
            guard let head, let size = facts(for: path)?.fileSize else { continue }
            byHead["\(size):\(head)", default: []].append(path)
        }
        let candidates = byHead.values.filter { $0.count > 1 }.flatMap { $0 }
        let checksums = Self.parallelMap(candidates, jobs: jobs, progress: nil) { path -> UInt32? in
            Self.checksum(of: path, .whole, cache: cache)
        }
        var byChecksum: [String: [String]] = [:]
        for (path, checksum) in zip(candidates, checksums) {
            guard let checksum, let size = facts(for: path)?.fileSize else { continue }
            byChecksum["\(size):\(checksum)", default: []].append(path)
        }
        var groups: [String: Int] = [:]
        var nextGroup = 0
        for (_, sameChecksum) in byChecksum.sorted(by: { $0.key < $1.key }) where sameChecksum.count > 1 {
            // Compare each file with the first of every group found so far in this bucket,
            // streaming both: no file is held in memory.
            var representatives: [(path: String, group: Int)] = []
            for path in sameChecksum {
                if let match = representatives.first(where: { Checksum.sameBytes($0.path, path) }) {
                    groups[path] = match.group
                } else {
                    representatives.append((path, nextGroup))
                    groups[path] = nextGroup
                    nextGroup += 1
                }
            }
        }
        // Keep only groups with more than one member.
        var sizes: [Int: Int] = [:]
        for group in groups.values { sizes[group, default: 0] += 1 }
        return groups.filter { sizes[$0.value]! > 1 }
    }

    /// The CRC-32 of a file's first `headBytes` or of all of it, from the cache when the
    /// file is unchanged.
    private static func checksum(of path: String, _ kind: ResultCache.Checksum, cache: ResultCache?) -> UInt32? {
        let identity = cache == nil ? nil : FileIdentity.of(path)
        if let cache, let identity, let known = cache.crc32(kind, for: path, identity: identity) { return known }
        guard let crc = Checksum.crc32(path: path, limit: kind == .head ? headBytes : Int.max) else { return nil }
        if let cache, let identity, FileIdentity.of(path) == identity { cache.storeCRC32(crc, kind, for: path, identity: identity) }
        return crc
    }

    /// `transform` applied to every element on up to `jobs` threads; results in input order,
    /// written straight into the result's storage (each slot exactly once).
    static func parallelMap<T: Sendable>(_ items: [String], jobs: Int, progress: (@Sendable (Int, Int) -> Void)?,
                                         _ transform: @escaping @Sendable (String) -> T) -> [T] {
        guard !items.isEmpty else { return [] }
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let workers = max(1, min(jobs, items.count))
        return [T](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= items.count { break }
                    (slots.base + i).initialize(to: transform(items[i]))
                    let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                    progress?(finished, items.count)
                }
            }
            initialized = items.count
        }
    }
}

/// The result storage shared by the workers of `parallelMap`; each index is written by one worker only.
private struct Slots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}
