import ImageEngine
import PreflightStore

/// Images read from an object store (S3) instead of the local disk. The catalog hands every
/// image whose location is `s3://…` here; what comes back (facts, the bytes read, an identity
/// for the cache) has the same shape as for a file, so nothing after the catalog knows where
/// an image was read from.
///
/// Header mode reads one range of each object's first `headerSteps[0]` bytes, and the bytes
/// that follow only when a header runs past them; full mode reads each object whole, once, and an
/// object over the service's 15 MB limit is refused from its size, before its bytes are read
/// (only its headers are examined). A cache entry is confirmed by a listing, never a download.
struct StoreImages: Sendable {
    let store: BlockingStore
    /// Requests in flight at once: reading is bound by the network, not the cores.
    let jobs: Int

    /// The first range covers the headers of most photos, their EXIF block included (a phone's
    /// is some 10 to 30 KiB); each longer prefix reads only the bytes it adds, doubling, so a
    /// header that runs far costs a few more requests, never the same bytes twice.
    static let headerSteps = [32 << 10, 64 << 10, 128 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20]

    static func isStored(_ path: String) -> Bool { path.hasPrefix("s3://") }

    /// The probe for stored objects: full mode decodes an object only up to the service's size
    /// limit, since a larger one is never downloaded.
    static func probe(_ options: ProbeOptions) -> ImageProbe {
        var options = options
        options.maxFileBytes = min(options.maxFileBytes, ServiceLimits.maxImageBytes)
        return ImageProbe(options: options)
    }

    /// An object's identity in the cache's terms: the same key, ETag, size and modification
    /// time (to the second, as listings and reads both give it) make the same identity.
    static func identity(_ info: ObjectInfo) -> FileIdentity {
        var hash = FNV1a()
        hash.add(info.location.description)
        hash.add("\n")
        hash.add(info.tag ?? "")
        let seconds = info.lastModified.map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? 0
        // The device number no file system uses marks an object.
        return FileIdentity(device: UInt64.max, inode: hash.value, size: Int64(info.size),
                            modified: seconds * 1_000_000_000, changed: 0)
    }

    /// Examines one object: `known` is what a listing said of it, if anything.
    func examine(_ path: String, probe: ImageProbe, known: ObjectInfo?) -> (facts: ImageFacts, read: FileBytes?, info: ObjectInfo?) {
        guard let location = ObjectLocation(path) else {
            var facts = ImageFacts(path: path, mode: probe.options.mode)
            facts.integrity = .unreadable
            facts.problems.append(ImageProblem(.fileMissing, "\(path) is not an object location"))
            return (facts, nil, nil)
        }
        var size = known?.size
        var first: ObjectInfo?
        // What the earlier reads of this object hold: a longer prefix asks only for the rest.
        var held: [UInt8] = []
        let result = probe.examine(displayName: path, fileName: path, headerSteps: Self.headerSteps) { limit in
            do throws(StoreError) {
                let read: ObjectRead
                if let size, !held.isEmpty {
                    let wanted = min(size, limit(size))
                    guard wanted > held.count else {
                        return .success(FileBytes(fileSize: size, bytes: held, identity: Self.identity(first!)))
                    }
                    read = try store.read(location, range: held.count..<wanted)
                } else if let size {
                    read = limit(size) < size ? try store.read(location, range: 0..<max(1, limit(size))) : try store.read(location)
                } else if probe.options.mode == .full {
                    // The whole object, unless its size says it is over the limit to decode.
                    do throws(StoreError) {
                        read = try store.read(location)
                    } catch .tooLarge(_, let total, _) {
                        read = try store.read(location, range: 0..<max(1, limit(total)))
                    }
                } else {
                    read = try store.read(location, range: 0..<max(1, limit(Int.max)))
                }
                size = read.info.size
                // A later read of an object that changed meanwhile is not of the same object.
                let changed = first.map { $0.tag != read.info.tag || $0.size != read.info.size } ?? false
                if first == nil { first = read.info }
                // Ranges join what was held before (a first read starts at 0).
                if read.range.lowerBound == held.count, !held.isEmpty { held += read.bytes } else { held = read.bytes }
                // A store that hands out more than was wanted is held to the limit.
                let wanted = limit(read.info.size)
                if held.count > wanted { held.removeLast(held.count - wanted) }
                return .success(FileBytes(fileSize: read.info.size, bytes: held,
                                          identity: Self.identity(first!), changedWhileReading: changed))
            } catch {
                return .failure(Self.failure(error))
            }
        }
        return (result.facts, result.read, first)
    }

    /// Whether two objects' tags prove their bytes equal: S3's ETag of an object uploaded in
    /// one part is the MD5 of its bytes (one uploaded in parts has a `-` in it, and depends on
    /// the part sizes too).
    static func tagsProveSameBytes(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b, a == b, a.count == 32, !a.contains("-") else { return false }
        return a.allSatisfy(\.isHexDigit)
    }

    /// All of an object's bytes (for a checksum or a comparison), or nil.
    func wholeBytes(_ path: String, identity: FileIdentity?) -> [UInt8]? {
        guard let location = ObjectLocation(path), let read = try? store.read(location) else { return nil }
        if let identity, Self.identity(read.info) != identity { return nil }
        return read.bytes
    }

    /// What a store's refusal means for an image.
    static func failure(_ error: StoreError) -> FileReadFailure {
        switch error {
        case .notFound(let location):
            return .refused(.fileMissing, "no such object: \(location)")
        case .noSuchBucket(let bucket):
            return .refused(.fileMissing, "no such bucket: s3://\(bucket)")
        case .accessDenied(let location, let identity):
            return .refused(.accessDenied, "access to \(location) was denied to \(identity); the image was not checked")
        case .tooLarge(let location, let size, let limit):
            return .refused(.readError, "\(location) is \(size) bytes, over the \(limit)-byte limit; not read")
        case .throttled, .timedOut, .network, .other, .invalidCredentials, .noCredentials:
            return .refused(.unavailable, error.description)
        }
    }

    /// Confirms cached objects with listings: ListObjectsV2 gives 1,000 objects with their
    /// ETags per request. The prefixes listed are the objects' folders, merged into common
    /// ancestors until there are no more prefixes than one per 1,000 objects; a prefix whose
    /// listing runs far past what is wanted is abandoned, and what it did not confirm is asked
    /// for object by object (a HEAD request, no download). Returns what the store said of each
    /// object found.
    func confirm(_ paths: [String]) -> [String: ObjectInfo] {
        var byBucket: [String: [String]] = [:]
        for path in paths {
            guard case let .s3(bucket, key)? = ObjectLocation(path) else { continue }
            byBucket[bucket, default: []].append(key)
        }
        var found: [String: ObjectInfo] = [:]
        var unconfirmed: [String] = []
        for (bucket, keys) in byBucket.sorted(by: { $0.key < $1.key }) {
            let wanted = Set(keys)
            let prefixes = Self.listingPrefixes(keys, budget: max(1, keys.count / 1000))
            var seen = Set<String>()
            for prefix in prefixes {
                let inside = keys.count { $0.hasPrefix(prefix) }
                let pageLimit = 4 + 4 * (inside / 1000)
                var continuation: String?
                var pages = 0
                repeat {
                    guard let page = try? store.listPage(prefix: .s3(bucket: bucket, key: prefix), continuation: continuation) else { break }
                    pages += 1
                    for object in page.objects {
                        guard case let .s3(_, key) = object.location, wanted.contains(key) else { continue }
                        found[object.location.description] = object
                        seen.insert(key)
                    }
                    continuation = page.continuation
                } while continuation != nil && pages < pageLimit
            }
            unconfirmed += keys.filter { !seen.contains($0) }.map { "s3://\(bucket)/\($0)" }
        }
        // Objects no listing showed: missing, or in a prefix not listed in full.
        let asked = Parallel.mapOnThreads(unconfirmed, threads: jobs) { path -> ObjectInfo? in
            guard let location = ObjectLocation(path) else { return nil }
            return try? store.info(of: location)
        }
        for case let info? in asked { found[info.location.description] = info }
        return found
    }

    /// The key prefixes to list for `keys`: their folders (a listing is recursive, so a folder
    /// inside another listed one is dropped), merged pairwise into their common folder while
    /// there are more than `budget`.
    static func listingPrefixes(_ keys: [String], budget: Int) -> [String] {
        func folder(_ key: Substring) -> Substring {
            guard let slash = key.lastIndex(of: "/") else { return "" }
            return key[...slash]
        }
        func outermost(_ sorted: [Substring]) -> [Substring] {
            var out: [Substring] = []
            for prefix in sorted where !(out.last.map { prefix.hasPrefix($0) } ?? false) { out.append(prefix) }
            return out
        }
        var prefixes = outermost(Set(keys.map { folder($0[...]) }).sorted())
        while prefixes.count > budget {
            // Merge the neighbours with the longest common folder.
            var best = 0, bestLength = -1
            for i in 0..<(prefixes.count - 1) {
                let common = folder(Substring(String(zip(prefixes[i], prefixes[i + 1]).prefix { $0 == $1 }.map(\.0))))
                if common.count > bestLength { best = i; bestLength = common.count }
            }
            let merged = folder(Substring(String(zip(prefixes[best], prefixes[best + 1]).prefix { $0 == $1 }.map(\.0))))
            prefixes.replaceSubrange(best...(best + 1), with: [merged])
            prefixes = outermost(prefixes)
        }
        return prefixes.map(String.init)
    }
}

/// FNV-1a, 64 bits: a hash that is the same in every run (Swift's `Hasher` is seeded per run).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }
}

/// An image's bytes wherever they live, for what reads images again after the check (the HTML
/// report's pictures): a local path is read as a file, an `s3://` location from the store.
struct ImageSource: Sendable {
    let store: StoreImages?

    init(options: CheckOptions) {
        store = options.store.map { StoreImages(store: BlockingStore($0), jobs: options.storeJobs) }
    }

    /// Threads to read with: many for a store (they mostly wait), else one per job.
    func threads(jobs: Int) -> Int { store.map { max($0.jobs, jobs) } ?? jobs }

    func examine(_ path: String, probe: ImageProbe) -> (facts: ImageFacts, read: FileBytes?) {
        if let store, StoreImages.isStored(path) {
            let (facts, read, _) = store.examine(path, probe: StoreImages.probe(probe.options), known: nil)
            return (facts, read)
        }
        return probe.examineFile(path: path, displayName: path)
    }

    /// All of the image, reusing `first` when it already holds all of it.
    func wholeBytes(_ path: String, first: FileBytes?) -> [UInt8]? {
        if let first, first.isComplete { return first.bytes }
        if let store, StoreImages.isStored(path) { return store.wholeBytes(path, identity: first?.identity) }
        guard case .success(let file) = FileBytes.read(path: path, limit: ProbeOptions.defaultMaxFileBytes), file.isComplete else { return nil }
        return file.bytes
    }
}
