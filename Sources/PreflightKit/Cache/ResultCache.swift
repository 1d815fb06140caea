#if canImport(Glibc)
import Glibc
#endif
import ImageEngine
import PreflightJSON
import Synchronization

/// Image facts from earlier runs, so that an unchanged dataset is not decoded again.
///
/// Entries are keyed by path and `FileIdentity`; a file whose identity changed is examined
/// again. One cache file per engine version and probe options (a new engine, mode or
/// pixel limit starts a new file), under `$PREFLIGHT_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/preflight`, else `~/.cache/preflight`. The file is replaced atomically
/// at the end of a run with the old entries plus the new ones, so concurrent runs never see
/// a torn file (the last to finish wins; the other's new entries are examined again next time).
/// Rules are never cached: they run on the cached facts every time.
public final class ResultCache: Sendable {
    /// Bumped whenever the engine's facts or the cache's encoding of them change meaning.
    public static let engineVersion = 4

    struct Entry: Sendable {
        var identity: FileIdentity
        var facts: ImageFacts
        var sha256: String?
        var crc32: UInt32? = nil
        var headCRC32: UInt32? = nil
    }

    public let file: String
    private let entries: Mutex<EntryTable>
    private let dirty = Atomic<Bool>(false)
    public let hits = Atomic<Int>(0)
    public let misses = Atomic<Int>(0)

    /// Opens (or starts) the cache for these probe options in `directory`.
    public init(directory: String, options: ProbeOptions) {
        let name = "images-v\(Self.engineVersion)-\(options.mode.rawValue)-px\(options.maxPixels)-\(options.jpegMethod.cacheName)-\(options.pngMethod.rawValue)\(options.measures && options.mode == .full ? "-m" : "").jsonl"
        file = directory + "/" + name
        entries = Mutex(Self.load(file, mode: options.mode))
    }

    /// The default cache folder for this user, created if needed, or why it cannot be used;
    /// nil when no variable names one.
    public static func defaultLocation() -> Result<String, CacheFolderProblem>? {
        func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let directory: String
        if let explicit = env("PREFLIGHT_CACHE_DIR") {
            directory = explicit
        } else if let xdg = env("XDG_CACHE_HOME") {
            directory = xdg + "/preflight"
        } else if let home = env("HOME") {
            directory = home + "/.cache/preflight"
        } else {
            return nil
        }
        if let reason = FolderWalker.makeFolders(directory) {
            return .failure(CacheFolderProblem(directory: directory, reason: reason))
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            return .failure(CacheFolderProblem(directory: directory, reason: String(cString: strerror(errno))))
        }
        return .success(directory)
    }

    /// Why the cache folder cannot be used, in a sentence for the user.
    public struct CacheFolderProblem: Error, CustomStringConvertible, Sendable {
        public var directory: String
        public var reason: String
        public var description: String {
            "the result cache folder \(directory) cannot be written (\(reason)): every image is examined afresh "
                + "and nothing is kept for the next run; set PREFLIGHT_CACHE_DIR to a writable folder, or pass --no-cache"
        }
    }

    /// Why the last `save()` failed, if it did.
    public var saveFailure: String? { saveError.withLock { $0 } }
    private let saveError = Mutex<String?>(nil)

    /// Cached facts for `path` if its identity is unchanged.
    func lookup(_ path: String, identity: FileIdentity) -> Entry? {
        let entry = entries.withLock { $0[path] }
        guard let entry, entry.identity == identity else {
            misses.add(1, ordering: .relaxed)
            return nil
        }
        hits.add(1, ordering: .relaxed)
        return entry
    }

    /// Whether an entry for `path` exists, whatever its identity.
    func knows(_ path: String) -> Bool {
        entries.withLock { $0[path] != nil }
    }

    /// Makes room for `count` entries in all, before many are stored at once.
    func reserve(_ count: Int) {
        entries.withLock { $0.reserveCapacity(count) }
    }

    func store(_ path: String, _ entry: Entry) {
        entries.withLock { $0[path] = entry }
        dirty.store(true, ordering: .relaxed)
    }

    /// Which CRC-32 of a file: of its first bytes, or of all of it.
    enum Checksum { case head, whole }

    func storeCRC32(_ crc: UInt32, _ kind: Checksum, for path: String, identity: FileIdentity) {
        entries.withLock { entries in
            guard var entry = entries[path], entry.identity == identity else { return }
            if kind == .head { entry.headCRC32 = crc } else { entry.crc32 = crc }
            entries[path] = entry
        }
        dirty.store(true, ordering: .relaxed)
    }

    /// Writes the cache back if anything changed, then forgets every entry: for a run that
    /// will not look anything up again.
    public func saveAndRelease() {
        save()
        entries.withLock { $0 = EntryTable() }
    }

    /// Writes the cache back if anything changed. A failure only costs the next run time.
    public func save() {
        guard dirty.load(ordering: .relaxed) else { return }
        dirty.store(false, ordering: .relaxed)
        let snapshot = entries.withLock { $0 }
        do {
            try write(snapshot)
        } catch {
            saveError.withLock { $0 = "the result cache was not saved (\(error.description)); the next run examines every image again" }
        }
    }

    private func write(_ snapshot: EntryTable) throws(AtomicFile.WriteError) {
        try AtomicFile.write(to: file) { sink in
            var line: [UInt8] = []
            for (path, entry) in snapshot.pairs {
                let id = entry.identity
                var object: JSONObject = [
                    "p": .string(path),
                    "id": .array([.number(JSONNumber(Int64(bitPattern: id.device))), .number(JSONNumber(Int64(bitPattern: id.inode))),
                                  .number(JSONNumber(id.size)), .number(JSONNumber(id.modified)), .number(JSONNumber(id.changed))]),
                    "f": Self.encode(entry.facts),
                ]
                if let hash = entry.sha256 { object["h"] = .string(hash) }
                if let crc = entry.crc32 { object["c"] = .number(JSONNumber(Int(crc))) }
                if let crc = entry.headCRC32 { object["hc"] = .number(JSONNumber(Int(crc))) }
                JSONWriter.write(.object(object), into: &line)
                line.append(0x0A)
                sink.write(line)
                line.removeAll(keepingCapacity: true)
            }
        }
    }

    private static func load(_ file: String, mode: ProbeMode) -> EntryTable {
        var entries = EntryTable()
        // About 200 bytes an entry: reserving spares the dictionary's repeated growth.
        if case .success(let size) = FileBytes.size(path: file) { entries.reserveCapacity(size / 200) }
        ManifestReader(path: file).forEachLine { _, line in
            guard case .bytes(let bytes) = line, let value = try? JSONParser.parse(bytes),
                  let path = value["p"]?.stringValue,
                  let id = value["id"]?.arrayValue?.compactMap({ $0.numberValue?.int64 }), id.count == 5,
                  let facts = value["f"].flatMap({ Self.decode($0, path: path, mode: mode) }) else { return }
            let identity = FileIdentity(device: UInt64(bitPattern: id[0]), inode: UInt64(bitPattern: id[1]),
                                        size: id[2], modified: id[3], changed: id[4])
            let crc = value["c"]?.numberValue?.int64.flatMap { UInt32(exactly: $0) }
            let head = value["hc"]?.numberValue?.int64.flatMap { UInt32(exactly: $0) }
            entries[path] = Entry(identity: identity, facts: facts, sha256: value["h"]?.stringValue, crc32: crc, headCRC32: head)
        }
        return entries
    }

    /// Entries by path. The entries sit in one dense array and the dictionary holds only
    /// their positions: a dictionary's storage has room for up to twice its count, and slots
    /// of a few bytes cost far less empty than slots of a whole entry.
    struct EntryTable {
        private var index: [String: Int] = [:]
        private var paths: [String] = []
        private var entries: [Entry] = []

        subscript(path: String) -> Entry? {
            get { index[path].map { entries[$0] } }
            set {
                guard let newValue else { preconditionFailure("entries are never removed one by one") }
                if let i = index[path] {
                    entries[i] = newValue
                } else {
                    index[path] = entries.count
                    paths.append(path)
                    entries.append(newValue)
                }
            }
        }

        mutating func reserveCapacity(_ count: Int) {
            index.reserveCapacity(count)
            paths.reserveCapacity(count)
            entries.reserveCapacity(count)
        }

        var pairs: Zip2Sequence<[String], [Entry]> { zip(paths, entries) }
    }

    /// The facts as a positional array (the path and the mode are known from the entry and
    /// the file): a third of the keyed object's size, and read back several times faster.
    public static func encode(_ facts: ImageFacts) -> JSONValue {
        func int(_ value: Int?) -> JSONValue { value.map { .number(JSONNumber($0)) } ?? .null }
        func str(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        func bool(_ value: Bool?) -> JSONValue { value.map { .bool($0) } ?? .null }
        return .array([
            str(facts.format?.rawValue), str(facts.extensionFormat?.rawValue), int(facts.fileSize),
            int(facts.width), int(facts.height), int(facts.channels), int(facts.bitDepth), str(facts.colorSpace),
            bool(facts.interlaced), int(facts.animationFrames), str(facts.jpegProcess?.rawValue), bool(facts.arithmeticCoding),
            int(facts.orientation?.rawValue), int(facts.trailingBytes), .string(facts.integrity.rawValue),
            .array(facts.problems.map { .array([.string($0.code.rawValue), .string($0.message)]) }),
            facts.measures.map { m in
                .array([str(m.hashHex), .string(m.lowFrequenciesHex), .number(JSONNumber(m.brightness)),
                        .number(JSONNumber(m.highlights)), .number(JSONNumber(m.shadows)), .number(JSONNumber(m.information)),
                        m.sharpness.map { .number(JSONNumber($0)) } ?? .null])
            } ?? .null,
        ])
    }

    /// Reads back what `encode` wrote; nil when the value does not fit.
    public static func decode(_ value: JSONValue, path: String, mode: ProbeMode) -> ImageFacts? {
        guard let a = value.arrayValue, a.count == 17,
              let integrity = a[14].stringValue.flatMap(Integrity.init(rawValue:)) else { return nil }
        func int(_ i: Int) -> Int? { a[i].numberValue?.int64.flatMap { Int(exactly: $0) } }
        var facts = ImageFacts(path: path, mode: mode, integrity: integrity)
        facts.format = a[0].stringValue.flatMap(ImageFormat.init(rawValue:))
        facts.extensionFormat = a[1].stringValue.flatMap(ImageFormat.init(rawValue:))
        facts.fileSize = int(2)
        facts.width = int(3)
        facts.height = int(4)
        facts.channels = int(5)
        facts.bitDepth = int(6)
        facts.colorSpace = a[7].stringValue
        facts.interlaced = a[8].boolValue
        facts.animationFrames = int(9)
        facts.jpegProcess = a[10].stringValue.flatMap(JPEGProcess.init(rawValue:))
        facts.arithmeticCoding = a[11].boolValue
        facts.orientation = int(12).flatMap(EXIFOrientation.init(rawValue:))
        facts.trailingBytes = int(13)
        for problem in a[15].arrayValue ?? [] {
            guard let pair = problem.arrayValue, pair.count == 2,
                  let code = pair[0].stringValue.flatMap(ImageProblemCode.init(rawValue:)),
                  let message = pair[1].stringValue else { return nil }
            facts.problems.append(ImageProblem(code, message))
        }
        if let m = a[16].arrayValue {
            guard m.count == 7, let frequencies = m[1].stringValue.flatMap(ImageMeasures.lowFrequencies(hex:)),
                  let brightness = m[2].numberValue?.double, let highlights = m[3].numberValue?.double,
                  let shadows = m[4].numberValue?.double, let information = m[5].numberValue?.double else { return nil }
            facts.measures = ImageMeasures(perceptualHash: m[0].stringValue.flatMap { UInt64($0, radix: 16) },
                                           lowFrequencies: frequencies, brightness: brightness, highlights: highlights,
                                           shadows: shadows, information: information, sharpness: m[6].numberValue?.double)
        }
        return facts
    }
}

extension JPEGDecodeMethod {
    var cacheName: String {
        switch self {
        case .scanlines(let denominator): "s\(denominator)"
        case .coefficients: "c"
        }
    }
}
