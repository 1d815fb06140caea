import ImageEngine
import PreflightStore

/// What was learnt of one image file.
struct ImageRecord: Sendable {
    /// Nil when the path leads out of its mapped folder through a link: the file is never read.
    var facts: ImageFacts?
    var identity: FileIdentity?
    /// CRC-32 of the first `ImageCatalog.headBytes` bytes (all of a smaller file).
    var headCRC32: UInt32?
    /// CRC-32 of the whole file, when known.
    var crc32: UInt32?
    /// A stored object's version tag (S3's ETag).
    var tag: String?

    static let escaped = ImageRecord()
}

/// The distinct local images of a check run, each examined exactly once however many
/// lines name it, on `jobs` threads.
struct ImageCatalog {
    /// How much of a file the first duplicate test reads.
    static let headBytes = 16 << 10

    private(set) var paths: [String] = []
    /// The mapped folder each path was resolved into (an index into `folders`).
    private var folderOfPath: [Int] = []
    private var folders: [String] = []
    private var index: [String: Int] = [:]
    private(set) var records: [ImageRecord] = []

    /// Registers a path, resolved into the mapped folder `directory`.
    mutating func add(_ path: String, directory: String) {
        guard index[path] == nil else { return }
        index[path] = paths.count
        paths.append(path)
        if let folder = folders.lastIndex(of: directory) {
            folderOfPath.append(folder)
        } else {
            folderOfPath.append(folders.count)
            folders.append(directory)
        }
    }

    /// The catalog's own copy of `path` (so that every line naming an image shares one
    /// string) and the image's facts; `path` itself and nil when it is not registered.
    func entry(for path: String) -> (path: String, facts: ImageFacts?) {
        guard let i = index[path] else { return (path, nil) }
        return (paths[i], i < records.count ? records[i].facts : nil)
    }

    /// Paths that a symbolic link leads out of their mapped folder; never read.
    var escapedPaths: Set<String> {
        var escaped = Set<String>()
        for i in records.indices where records[i].facts == nil { escaped.insert(paths[i]) }
        return escaped
    }

    /// Examined images (escaped paths excluded).
    var examinedCount: Int {
        var count = 0
        for i in records.indices where records[i].facts != nil { count += 1 }
        return count
    }

    /// Examines every registered image, or takes its facts from the cache when the file is
    /// unchanged. Images at `s3://` locations are read through `store`.
    mutating func examineAll(probe: ImageProbe, jobs: Int, cache: ResultCache?, verify: Bool, store: StoreImages? = nil,
                             progress: (@Sendable (Int, Int) -> Void)?) {
        let escapeGuard = EscapeGuard()
        cache?.reserve(paths.count)
        let folders = folders, folderOfPath = folderOfPath, paths = paths
        let stored = store == nil ? [] : paths.indices.filter { StoreImages.isStored(paths[$0]) }
        let local = stored.isEmpty ? Array(paths.indices) : paths.indices.filter { !StoreImages.isStored(paths[$0]) }
        let total = paths.count
        var records = [ImageRecord](repeating: .escaped, count: total)
        var localProgress: (@Sendable (Int, Int) -> Void)?
        if let progress { localProgress = { done, _ in progress(done, total) } }
        let localRecords = Parallel.map(local, jobs: jobs, progress: localProgress) { i -> ImageRecord in
            // After a Ctrl-C no image is started; the run ends once those under way are done.
            if Interruption.isRequested { return .escaped }
            return Self.examine(paths[i], directory: folders[folderOfPath[i]], escapeGuard: escapeGuard,
                         probe: probe, cache: cache, verify: verify)
        }
        for (i, record) in zip(local, localRecords) { records[i] = record }
        if let store, !stored.isEmpty {
            let storeProbe = StoreImages.probe(probe.options)
            // Objects the cache knows are confirmed by listings first: an unchanged one is not read.
            let cached = cache.map { cache in stored.filter { cache.knows(paths[$0]) } } ?? []
            let known = cached.isEmpty || Interruption.isRequested ? [:] : store.confirm(cached.map { paths[$0] })
            let done = local.count
            var storedProgress: (@Sendable (Int, Int) -> Void)?
            if let progress { storedProgress = { finished, _ in progress(done + finished, total) } }
            let storedRecords = Parallel.mapOnThreads(stored, threads: store.jobs, progress: storedProgress) { i -> ImageRecord in
                if Interruption.isRequested { return .escaped }
                return Self.examineStored(paths[i], known: known[paths[i]], store: store, probe: storeProbe, cache: cache, verify: verify)
            }
            for (i, record) in zip(stored, storedRecords) { records[i] = record }
        }
        self.records = records
    }

    /// One stored object: from the cache when a listing showed it unchanged, else read once.
    private static func examineStored(_ path: String, known: ObjectInfo?, store: StoreImages, probe: ImageProbe,
                                      cache: ResultCache?, verify: Bool) -> ImageRecord {
        if let known, let cache, let cached = cache.lookup(path, identity: StoreImages.identity(known)) {
            let record = ImageRecord(facts: cached.facts, identity: StoreImages.identity(known), headCRC32: cached.headCRC32,
                                     crc32: cached.crc32, tag: known.tag)
            guard verify else { return record }
            if let stored = cached.sha256, let bytes = store.wholeBytes(path, identity: record.identity),
               ContentHash.sha256Hex(bytes) == stored {
                return record
            }
        }
        let (facts, read, info) = store.examine(path, probe: probe, known: known)
        var record = ImageRecord(facts: facts, identity: read?.identity, tag: info?.tag)
        if let read, read.bytes.count >= min(headBytes, read.fileSize) {
            record.headCRC32 = Checksum.crc32(read.bytes.prefix(headBytes))
        }
        // The whole object was read: its checksum costs nothing more now and no download later.
        if let read, read.isComplete { record.crc32 = Checksum.crc32(read.bytes) }
        guard let cache, let read, !read.changedWhileReading else { return record }
        var hash: String?
        if verify {
            if read.isComplete {
                hash = ContentHash.sha256Hex(read.bytes)
            } else if let bytes = store.wholeBytes(path, identity: read.identity) {
                hash = ContentHash.sha256Hex(bytes)
            }
        }
        var entry = ResultCache.Entry(identity: read.identity, facts: facts, sha256: hash, headCRC32: record.headCRC32)
        entry.crc32 = record.crc32
        cache.store(path, entry)
        return record
    }

    /// One image: a single `lstat` when the cache knows the file; otherwise one open and
    /// one read of its first bytes (all of it in full mode).
    private static func examine(_ path: String, directory: String, escapeGuard: EscapeGuard,
                                probe: ImageProbe, cache: ResultCache?, verify: Bool) -> ImageRecord {
        let entry = FileIdentity.entry(path)
        let identity: FileIdentity? = switch entry {
        case .regularFile(let known): known
        case .symbolicLink: FileIdentity.of(path)
        case .other: nil
        }
        guard escapeGuard.staysInside(path, directory: directory, isRegularFile: identity != nil && entry != .symbolicLink) else {
            return .escaped
        }
        if let cache, let identity, let cached = cache.lookup(path, identity: identity) {
            let record = ImageRecord(facts: cached.facts, identity: identity, headCRC32: cached.headCRC32, crc32: cached.crc32)
            guard verify else { return record }
            if let stored = cached.sha256, case .success(let file) = FileBytes.read(path: path, limit: Int(identity.size)),
               file.isComplete, ContentHash.sha256Hex(file.bytes) == stored {
                return record
            }
        }
        let (facts, read) = probe.examineFile(path: path, displayName: path)
        var record = ImageRecord(facts: facts, identity: read?.identity)
        if let read, read.bytes.count >= min(headBytes, read.fileSize) {
            record.headCRC32 = Checksum.crc32(read.bytes.prefix(headBytes))
        }
        guard let cache, let read, !read.changedWhileReading, read.identity == identity else { return record }
        var hash: String?
        if verify {
            if read.isComplete {
                hash = ContentHash.sha256Hex(read.bytes)
            } else if case .success(let file) = FileBytes.read(path: path, limit: Int(read.identity.size)), file.isComplete {
                hash = ContentHash.sha256Hex(file.bytes)
            }
        }
        // Cache only what was read from a file that did not change meanwhile.
        cache.store(path, ResultCache.Entry(identity: read.identity, facts: facts, sha256: hash, headCRC32: record.headCRC32))
        return record
    }

    /// What finding identical contents read and compared, for a caller that wants to know.
    struct ContentSearchWork: Equatable {
        /// Leading bytes read for their CRC-32 (not known from the examination).
        var headChecksums = 0
        /// Whole files read for their CRC-32 (not known from the cache).
        var wholeChecksums = 0
        /// Pairs of files compared byte for byte.
        var byteComparisons = 0
    }

    /// Which images have identical bytes. Names of one file (hard links: the same device and
    /// inode, and the same size as examined) have them without reading anything: only one
    /// name of each file takes part in what follows, and the others join its group. Only
    /// files that share their size with another are read at all: first their leading 16 KiB
    /// (a CRC-32 of it), then, for those that still agree, the whole file (its CRC-32, kept
    /// in the cache), and files that agree on both are compared byte for byte, so equality
    /// is exact. Returns, for every image whose bytes equal another image's, the number of
    /// its group; images absent are unique.
    func identicalContentGroups(jobs: Int, cache: ResultCache?, store: StoreImages? = nil) -> [String: Int] {
        var work = ContentSearchWork()
        return identicalContentGroups(jobs: jobs, cache: cache, store: store, work: &work)
    }

    func identicalContentGroups(jobs: Int, cache: ResultCache?, store: StoreImages? = nil,
                                work: inout ContentSearchWork) -> [String: Int] {
        // Indices only, narrowed by sorting: no per-image dictionaries or keys.
        let examined = records.indices.filter { records[$0].facts?.fileSize != nil && records[$0].facts?.integrity != .unreadable }
        let size = { (i: Int) in records[i].facts!.fileSize! }
        // One name per file: sorted by (device, inode, size), each run of equal keys is one
        // file under several names (a name whose identity is unknown is a file of its own).
        let fileKey = { (i: Int) -> FileKey in
            let identity = records[i].identity
            return FileKey(device: identity?.device ?? 0, inode: identity?.inode ?? 0, size: size(i), unknown: identity == nil ? i : -1)
        }
        let byFile = examined.sorted { fileKey($0) < fileKey($1) }
        var files: [Int] = []
        var namesOfOneFile: [Range<Int>] = []
        var start = 0
        while start < byFile.count {
            var end = start + 1
            while end < byFile.count && fileKey(byFile[end]) == fileKey(byFile[start]) { end += 1 }
            files.append(byFile[start])
            if end - start > 1 { namesOfOneFile.append(start..<end) }
            start = end
        }

        var bySize = files
        bySize.sort { size($0) < size($1) }
        let sameSize = Self.runs(of: bySize, longerThanOne: size)
        work.headChecksums += sameSize.count { records[$0].headCRC32 == nil }
        let heads = Parallel.map(sameSize, jobs: jobs, progress: nil) { [paths, records] i -> UInt32? in
            records[i].headCRC32 ?? Self.checksum(of: paths[i], .head, identity: records[i].identity, cache: cache, store: store)
        }
        let headKey = { (k: Int) in (UInt64(truncatingIfNeeded: size(sameSize[k])) << 32) | UInt64(heads[k] ?? 0) }
        let byHead = sameSize.indices.filter { heads[$0] != nil }.sorted { headKey($0) < headKey($1) }
        let candidates = Self.runs(of: byHead, longerThanOne: headKey).map { sameSize[$0] }
        work.wholeChecksums += candidates.count { records[$0].crc32 == nil }
        let checksums = Parallel.map(candidates, jobs: jobs, progress: nil) { [paths, records] i -> UInt32? in
            records[i].crc32 ?? Self.checksum(of: paths[i], .whole, identity: records[i].identity, cache: cache, store: store)
        }
        let wholeKey = { (k: Int) in (UInt64(truncatingIfNeeded: size(candidates[k])) << 32) | UInt64(checksums[k] ?? 0) }
        let byChecksum = candidates.indices.filter { checksums[$0] != nil }.sorted { wholeKey($0) < wholeKey($1) }
        var buckets: [[String]] = []
        var previous: UInt64?
        for k in byChecksum {
            if wholeKey(k) != previous { buckets.append([]) }
            previous = wholeKey(k)
            buckets[buckets.count - 1].append(paths[candidates[k]])
        }
        var groups: [String: Int] = [:]
        var nextGroup = 0
        for sameChecksum in buckets where sameChecksum.count > 1 {
            // Compare each file with the first of every group found so far in this bucket,
            // streaming both: no file is held in memory.
            var representatives: [(path: String, group: Int)] = []
            for path in sameChecksum {
                let tag = { (path: String) in index[path].flatMap { records[$0].tag } }
                if let match = representatives.first(where: { representative in
                    // Objects whose tags are their bytes' MD5 compare without a download.
                    if StoreImages.tagsProveSameBytes(tag(representative.path), tag(path)) { return true }
                    work.byteComparisons += 1
                    return Self.sameBytes(representative.path, path, store: store)
                }) {
                    groups[path] = match.group
                } else {
                    representatives.append((path, nextGroup))
                    groups[path] = nextGroup
                    nextGroup += 1
                }
            }
        }
        // The other names of each file: in its file's group, or, when no other file has its
        // bytes, in a group of their own.
        for names in namesOfOneFile {
            let group: Int
            if let known = groups[paths[byFile[names.lowerBound]]] {
                group = known
            } else {
                group = nextGroup
                nextGroup += 1
            }
            for k in names { groups[paths[byFile[k]]] = group }
        }
        // Keep only groups with more than one member.
        var sizes: [Int: Int] = [:]
        for group in groups.values { sizes[group, default: 0] += 1 }
        return groups.filter { sizes[$0.value]! > 1 }
    }

    /// What makes two names one file: the same device and inode, at the same size.
    private struct FileKey: Equatable, Comparable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        /// The record's index when its identity is unknown (so it is a file of its own), else -1.
        var unknown: Int

        static func < (a: FileKey, b: FileKey) -> Bool {
            (a.device, a.inode, a.size, a.unknown) < (b.device, b.inode, b.size, b.unknown)
        }
    }

    /// The elements of `sorted` whose key equals a neighbour's: the members of every run of
    /// equal keys longer than one, in order.
    private static func runs<Key: Equatable>(of sorted: [Int], longerThanOne key: (Int) -> Key) -> [Int] {
        var out: [Int] = []
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && key(sorted[end]) == key(sorted[start]) { end += 1 }
            if end - start > 1 { out += sorted[start..<end] }
            start = end
        }
        return out
    }

    /// The CRC-32 of a file's first `headBytes` or of all of it, kept in the cache when
    /// the file is still the one examined.
    private static func checksum(of path: String, _ kind: ResultCache.Checksum, identity: FileIdentity?,
                                 cache: ResultCache?, store: StoreImages?) -> UInt32? {
        if let store, StoreImages.isStored(path) {
            // Only a whole object can be had here: its head was read when it was examined.
            guard let bytes = store.wholeBytes(path, identity: identity) else { return nil }
            let crc = kind == .head ? Checksum.crc32(bytes.prefix(headBytes)) : Checksum.crc32(bytes)
            if let cache, let identity { cache.storeCRC32(crc, kind, for: path, identity: identity) }
            return crc
        }
        guard let crc = Checksum.crc32(path: path, limit: kind == .head ? headBytes : Int.max) else { return nil }
        if let cache, let identity, FileIdentity.of(path) == identity { cache.storeCRC32(crc, kind, for: path, identity: identity) }
        return crc
    }

    /// Whether two images have the same bytes: files streamed side by side, objects read whole.
    private static func sameBytes(_ a: String, _ b: String, store: StoreImages?) -> Bool {
        guard let store, StoreImages.isStored(a) || StoreImages.isStored(b) else { return Checksum.sameBytes(a, b) }
        func bytes(_ path: String) -> [UInt8]? {
            StoreImages.isStored(path) ? store.wholeBytes(path, identity: nil) : (try? FileBytes.read(path: path, limit: Int.max).get())?.bytes
        }
        guard let x = bytes(a), let y = bytes(b) else { return false }
        return x == y
    }
}
