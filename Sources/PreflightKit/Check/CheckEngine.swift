import ImageEngine
import PreflightJSON
import PreflightStore

/// One manifest given to a check.
public struct ManifestInput: Sendable {
    /// The local file read.
    public var path: String
    /// The manifest as the user named it (an `s3://` object read into `path`, say); reports use it.
    public var name: String
    public var role: DatasetRole
    public init(path: String, role: DatasetRole, name: String? = nil) {
        self.path = path
        self.name = name ?? path
        self.role = role
    }
}

/// Everything a check run found.
public struct CheckResult: Sendable {
    public var inputs: [ManifestInput]
    public var options: CheckOptions
    /// In report order: training before test; per manifest, lines in order, then dataset findings.
    public var findings: [Finding]
    public var stats: [DatasetStats]
    /// Distinct `source-ref`s the manifests name (training and test together).
    public var imagesNamed = 0
    /// Distinct image files examined (located through --map or --root, whether or not they exist).
    public var imagesExamined: Int
    /// Of those, how many were taken from the result cache.
    public var imagesFromCache = 0
    /// Distinct `source-ref`s that led to no file: not covered by --map or --root, or leaving their folder.
    public var imagesNotLookedFor = 0
    /// Of those, how many could not be read (missing, not a file, no permission).
    public var imagesUnreadable = 0
    /// Of those, PNGs and JPEGs that full mode did not decode (over a decoding limit).
    public var imagesNotDecoded = 0
    /// Manifests that could not be read at all (the run cannot be trusted: exit code 2).
    public var unreadableManifests: [String]
    /// Findings past `maxStoredFindings`, counted by code but not kept.
    public var omittedFindings: [String: Int] = [:]
    /// Images whose pixels were measured for the pixel checks (full mode, intact PNG and JPEG
    /// images but CMYK and YCCK ones).
    public var imagesMeasured = 0
    /// Whether the pixel checks (near-duplicates, blur, exposure, uniform images) ran: in full
    /// mode, unless every one of them is switched off.
    public var pixelChecksRun: Bool { options.measuresImages && readsImages }
    /// A Ctrl-C stopped the run before the lines were judged: there is no verdict to report.
    public var interrupted = false
    /// Whether images were looked for at all (a mapping, a root, a store, or a folder dataset's
    /// own mapping); false when only the manifests were checked.
    public var readsImages = false

    public func stats(for role: DatasetRole) -> DatasetStats? { stats.first { $0.role == role } }

    /// Findings per code, the omitted ones included.
    public var countsByCode: [String: Int] {
        var counts = omittedFindings
        for finding in findings { counts[finding.code, default: 0] += 1 }
        return counts
    }

    /// True only when every image was read and its data checked in full.
    public var integrityChecked: Bool {
        options.mode == .full && readsImages && imagesExamined > 0 && imagesUnreadable == 0
            && imagesNotDecoded == 0 && imagesNotLookedFor == 0
    }

    /// What was read of the images and what was not, in one sentence every report shares:
    /// "29 named; 28 read, 1 could not be read; all image data of those read checked".
    public var imagesStatement: String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let named = "\(count(imagesNamed, "distinct image")) named"
        guard readsImages else {
            return named + "; none read (no --map or --root): only the manifests were checked"
        }
        let read = imagesExamined - imagesUnreadable
        var parts = [named]
        var found = "\(read) read"
        if imagesUnreadable > 0 { found += ", \(imagesUnreadable) could not be read" }
        let unmapped = imagesNotLookedFor
        if unmapped > 0 { found += ", \(unmapped) not looked for (no --map covers them, or their key leaves the folder)" }
        parts.append(found)
        if read == 0 {
            parts.append("no image data checked")
        } else if options.mode == .header {
            parts.append("headers only: image data (corruption) not checked, and no pixel checks (near-duplicates, blur, exposure) made")
        } else if imagesNotDecoded > 0 {
            parts.append("image data checked in \(read - imagesNotDecoded), not in \(imagesNotDecoded) (over a decoding limit, such as --max-pixels)")
        } else {
            parts.append(read == 1 ? "its image data checked" : "all their image data checked")
        }
        if options.mode == .full && read > 0 {
            if !options.measuresImages {
                parts.append("pixel checks switched off")
            } else if imagesMeasured < read - imagesNotDecoded {
                parts.append("pixels measured in \(imagesMeasured) (not in damaged or unsupported images, nor in CMYK or YCCK JPEGs)")
            }
        }
        if imagesFromCache > 0 { parts.append("\(imagesFromCache) unchanged since an earlier run") }
        return parts.joined(separator: "; ")
    }

    /// Findings of a severity, the omitted ones included.
    public func count(_ severity: Severity) -> Int {
        findings.filter { $0.severity == severity }.count
            + omittedFindings.filter { RuleCatalogue.definition(code: $0.key)?.severity == severity }.values.reduce(0, +)
    }
}

/// Runs every rule over a training manifest (and optionally a test manifest) and the
/// images they name. Reads each manifest twice, streaming: once to learn which images to
/// examine, once to judge the lines. Each distinct image is decoded once.
public struct CheckEngine: Sendable {
    public let options: CheckOptions

    public init(options: CheckOptions) { self.options = options }

    public func run(_ inputs: [ManifestInput]) -> CheckResult {
        var result = CheckResult(inputs: inputs, options: options, findings: [], stats: [], imagesExamined: 0, unreadableManifests: [])
        result.readsImages = !options.resolver.isEmpty
        var readable: [ManifestInput] = []
        var terminalFindings: [Finding] = []
        for input in inputs {
            if let finding = checkManifestFile(input, unreadable: &result.unreadableManifests) {
                terminalFindings.append(finding)
                var stats = DatasetStats(file: input.name, role: input.role)
                stats.fileSize = FileBytes.size(path: input.path).map { $0 }.get(or: 0)
                result.stats.append(stats)
            } else {
                readable.append(input)
            }
        }

        // Pass 1: which images, resolved into which mapped folder.
        var catalog = ImageCatalog()
        let resolver = options.resolver
        for input in readable where !resolver.isEmpty {
            // Lines are read in batches, each batch's lines parsed on every thread, and the
            // images registered in line order.
            LineBatch.read(ManifestReader(path: input.path), accept: { $0 <= ServiceLimits.maxLinesPerManifest }) { batch in
                let located = Parallel.map(Array(0..<batch.count), jobs: options.jobs) { i -> (path: String, directory: String)? in
                    batch.withLine(i) { line in
                        guard case .bytes(let bytes) = line, let uri = LineInterpreter.sourceRef(bytes)?.uri,
                              case .located(let path) = resolver.resolve(uri) else { return nil }
                        // An object read from the store lies in no folder.
                        return (path, resolver.directory(containing: uri) ?? "")
                    }
                }
                for case let (path, directory)? in located { catalog.add(path, directory: directory) }
            }
        }
        let store = options.store.map { StoreImages(store: BlockingStore($0), jobs: options.storeJobs) }
        Interruption.windingDown {
            catalog.examineAll(probe: ImageProbe(options: options.probeOptions), jobs: options.jobs,
                               cache: options.cache, verify: options.verifyCache, store: store, progress: options.progress)
        }
        if Interruption.isRequested {
            // Nothing is judged on half the images; what was learnt is kept for the next run.
            options.cache?.save()
            result.interrupted = true
            return result
        }
        let escapedBySymlink = catalog.escapedPaths
        result.imagesExamined = catalog.examinedCount
        for record in catalog.records {
            guard let facts = record.facts else { continue }
            if facts.integrity == .unreadable { result.imagesUnreadable += 1 } else if facts.isUndecoded { result.imagesNotDecoded += 1 }
            if facts.measures != nil { result.imagesMeasured += 1 }
        }
        result.imagesFromCache = options.cache?.hits.load(ordering: .relaxed) ?? 0

        // Images with the same bytes, across both manifests. The cache has learnt all it
        // will: it is written now and its memory given back before the lines are judged.
        let findsDuplicates = !options.ignored.isSuperset(of: [DuplicateImage.definition.code, TrainTestOverlap.definition.code])
        var groups = findsDuplicates ? catalog.identicalContentGroups(jobs: options.jobs, cache: options.cache, store: store) : [:]
        options.cache?.saveAndRelease()

        // Pass 2: every line through every line rule. Lines naming an image an earlier line
        // names are noted on the way, by `source-ref` (from the text alone) and by image.
        var lineFindings: [DatasetRole: [Finding]] = [:]
        var storedFindings = 0
        let findsNearDuplicates = options.measuresImages
            && !options.ignored.isSuperset(of: [NearDuplicateImage.definition.code, TrainTestNearDuplicate.definition.code])
        var sameImages = SameImageTracker(groups: groups, findsDuplicates: findsDuplicates, detailLimit: options.maxStoredFindings,
                                          findsNearDuplicates: findsNearDuplicates, minInformation: options.thresholds.minInformation)
        groups = [:]
        for input in readable {
            var stats = DatasetStats(file: input.name, role: input.role)
            stats.fileSize = FileBytes.size(path: input.path).map { $0 }.get(or: 0)
            var findings: [Finding] = []
            let catalog = catalog, escapedBySymlink = escapedBySymlink
            // The service refuses a manifest over the line limit outright: the rest are
            // counted, none of them checked (memory stays bounded however long the file).
            var unchecked = 0
            let accept = { (number: Int) -> Bool in
                guard number <= ServiceLimits.maxLinesPerManifest else {
                    unchecked += 1
                    return false
                }
                return true
            }
            LineBatch.read(ManifestReader(path: input.path), accept: accept) { batch in
                // Each line is judged on its own, on every thread; the results are taken in line order.
                let checks = Parallel.map(Array(0..<batch.count), jobs: options.jobs) { i in
                    Handoff(value: batch.withLine(i) { line in
                        Self.judge(line, number: batch.numbers[i], input: input, options: options,
                                   catalog: catalog, escapedBySymlink: escapedBySymlink)
                    })
                }
                for handoff in checks {
                    let check = handoff.value
                    stats.add(check)
                    sameImages.add(check, stats: &stats)
                    for finding in check.findings {
                        if storedFindings < options.maxStoredFindings {
                            findings.append(finding)
                            storedFindings += 1
                        } else {
                            result.omittedFindings[finding.code, default: 0] += 1
                        }
                    }
                }
            }
            stats.totalLines += unchecked
            stats.uncheckedLines += unchecked
            if lineFindings[input.role] == nil { lineFindings[input.role] = findings } else { lineFindings[input.role]! += findings }
            result.stats.append(stats)
        }

        var contentGroups = sameImages.contentGroups
        result.imagesNamed = sameImages.distinctSourceRefs
        result.imagesNotLookedFor = sameImages.notLookedFor
        if findsNearDuplicates {
            contentGroups.nearDuplicates = NearDuplicates.find(sameImages.nearCandidates, lowFrequencies: sameImages.lowFrequencies,
                                                               maxDistance: Int(options.thresholds.nearDuplicateDistance)).matches
        }
        // Its tables are not needed again: their memory goes back before the dataset rules run.
        sameImages = SameImageTracker(groups: [:], findsDuplicates: false, detailLimit: 0, findsNearDuplicates: false, minInformation: 0)

        // Dataset rules, training first so the test manifest can be compared with it.
        let training = result.stats.first { $0.role == .training }
        let hasTest = inputs.contains { $0.role == .testing }
        var datasetFindings: [DatasetRole: [Finding]] = [:]
        for input in readable {
            guard let stats = result.stats.first(where: { $0.role == input.role }) else { continue }
            let check = DatasetCheck(stats: stats, training: input.role == .testing ? training : nil,
                                     hasTestManifest: hasTest, options: options, contentGroups: contentGroups,
                                     room: max(0, options.maxStoredFindings - storedFindings))
            for rule in RuleCatalogue.datasetRules { rule.check(check) }
            if datasetFindings[input.role] == nil { datasetFindings[input.role] = check.findings } else { datasetFindings[input.role]! += check.findings }
            storedFindings += check.findings.count
            result.omittedFindings.merge(check.omitted, uniquingKeysWith: +)
        }

        contentGroups = ContentGroups()

        // Report order: manifest-file findings, then per manifest its lines in order (a line's
        // own findings before the dataset rules' findings on it), then its dataset findings.
        result.findings = terminalFindings
        for role in [DatasetRole.training, .testing] {
            // Each dataset rule reports in line order; findings of several rules need sorting.
            var onLines = datasetFindings.removeValue(forKey: role) ?? []
            let whole = onLines.filter { $0.line == nil }
            onLines.removeAll { $0.line == nil }
            if !zip(onLines, onLines.dropFirst()).allSatisfy({ $0.line! <= $1.line! }) {
                onLines = onLines.enumerated().sorted { ($0.element.line!, $0.offset) < ($1.element.line!, $1.offset) }.map(\.element)
            }
            var lines = lineFindings.removeValue(forKey: role) ?? []
            if result.findings.isEmpty && (lines.isEmpty || onLines.isEmpty) {
                // Moved, not copied: the list is left with no other owner, so appending to it
                // later does not copy it either.
                if lines.isEmpty { swap(&result.findings, &onLines) } else { swap(&result.findings, &lines) }
            } else {
                result.findings.reserveCapacity(result.findings.count + lines.count + onLines.count + whole.count)
                Self.merge(lines, onLines, into: &result.findings)
            }
            result.findings += whole
        }
        result.stats.sort { $0.role == .training && $1.role == .testing }
        return result
    }

    /// One line through every line rule, with its image as the catalog knows it.
    private static func judge(_ line: ManifestReader.Line, number: Int, input: ManifestInput, options: CheckOptions,
                              catalog: ImageCatalog, escapedBySymlink: Set<String>) -> LineCheck {
        let parsed: ManifestLine
        switch line {
        case .bytes(let bytes): parsed = LineInterpreter.interpret(bytes, number: number)
        case .tooLong(let length):
            var long = ManifestLine(number: number)
            long.parseError = "the line is \(length) bytes long, over the \(ManifestReader.defaultMaxLineBytes)-byte limit Preflight reads"
            parsed = long
        }
        var resolution: ResolvedImage?
        var image: ImageFacts?
        if let uri = parsed.sourceRef.uri {
            resolution = options.resolver.resolve(uri)
            if case .located(let resolved)? = resolution {
                // The catalog's copy of the path: one string per image, however many lines name it.
                let (path, facts) = catalog.entry(for: resolved)
                if escapedBySymlink.contains(path) {
                    resolution = .escapes(reason: "a symbolic link on the path points outside the mapped folder")
                } else {
                    resolution = .located(path: path)
                    image = facts
                }
            }
        }
        let check = LineCheck(line: parsed, file: input.name, role: input.role, resolution: resolution,
                              image: image, options: options)
        for rule in RuleCatalogue.lineRules { rule.check(check) }
        return check
    }

    /// Appends two lists of findings, each in line order, merged into one in line order;
    /// at the same line, `first`'s findings come first.
    static func merge(_ first: [Finding], _ second: [Finding], into out: inout [Finding]) {
        var i = 0, j = 0
        while i < first.count || j < second.count {
            if j == second.count || (i < first.count && first[i].line! <= second[j].line!) {
                out.append(first[i])
                i += 1
            } else {
                out.append(second[j])
                j += 1
            }
        }
    }

    /// The manifest-file rules; returns the terminal finding, if any.
    private func checkManifestFile(_ input: ManifestInput, unreadable: inout [String]) -> Finding? {
        let rule = ManifestInaccessibleOrUnsupportedFormat.definition
        let size: Int
        switch FileBytes.size(path: input.path) {
        case .failure(let failure):
            unreadable.append(input.name)
            return Finding(rule: rule, file: input.name, role: input.role,
                           details: ["reason": .string("the manifest cannot be read: \(failure.message)")])
        case .success(let bytes):
            size = bytes
        }
        // Readable by this user? (A size says nothing about permission.)
        if case .failure(let problem) = FileBytes.read(path: input.path, limit: 0) {
            unreadable.append(input.name)
            return Finding(rule: rule, file: input.name, role: input.role,
                           details: ["reason": .string("the manifest cannot be read: \(problem.message)")])
        }
        for fileRule in RuleCatalogue.manifestFileRules where !options.ignored.contains(fileRule.definition.code) {
            if let reason = fileRule.check(path: input.path, size: size) {
                return Finding(rule: fileRule.definition, file: input.name, role: input.role, details: ["reason": .string(reason)])
            }
        }
        return nil
    }
}

extension Result {
    func get(or fallback: Success) -> Success { (try? get()) ?? fallback }
}

/// Lines that name an image an earlier line names. The same `source-ref` is seen from the
/// text alone; with images read, the same file under another reference and files with the
/// same bytes too. References are kept as 128-bit hashes, not strings, so that memory stays
/// small however many lines there are.
struct SameImageTracker {
    private struct FirstLines { var training: Int32 = 0; var testing: Int32 = 0 }
    private struct Key: Hashable { var a: UInt64; var b: UInt64 }

    private let groups: [String: Int]
    private let findsDuplicates: Bool
    private var bySourceRef: [Key: FirstLines] = [:]
    private var byGroup: [Int: (role: DatasetRole, line: Int, path: String)] = [:]
    private var byPath: [String: (role: DatasetRole, line: Int)] = [:]
    private(set) var contentGroups = ContentGroups()
    private(set) var distinctSourceRefs = 0
    /// Distinct references no --map or --root led to a file (or whose key leaves its folder).
    private(set) var notLookedFor = 0

    /// Duplicates past this many can never be listed (the findings cap), only counted: they
    /// are kept without their names, so memory stays bounded however many there are.
    private let detailLimit: Int

    /// The first line to name each image with a perceptual hash, for `NearDuplicates`: lines
    /// the service uses, images not nearly uniform, not already the duplicate of another.
    private let findsNearDuplicates: Bool
    private let minInformation: Double
    private(set) var nearCandidates: [NearDuplicates.Candidate] = []
    private(set) var lowFrequencies: [Int8] = []
    private var candidatePaths: Set<String> = []

    init(groups: [String: Int], findsDuplicates: Bool, detailLimit: Int, findsNearDuplicates: Bool, minInformation: Double) {
        self.groups = groups
        self.findsDuplicates = findsDuplicates
        self.detailLimit = detailLimit
        self.findsNearDuplicates = findsNearDuplicates
        self.minInformation = minInformation
    }

    /// Notes one judged line (lines come in order, training before test).
    mutating func add(_ check: LineCheck, stats: inout DatasetStats) {
        let duplicatesBefore = contentGroups.duplicates.count
        addForDuplicates(check, stats: &stats)
        guard findsNearDuplicates, contentGroups.duplicates.count == duplicatesBefore, check.isUsable,
              let path = check.imagePath, let uri = check.line.sourceRef.uri, let measures = check.image?.measures,
              let hash = measures.perceptualHash, measures.lowFrequencies.count == NearDuplicates.frequencyCount,
              measures.information >= minInformation, candidatePaths.insert(path).inserted else { return }
        nearCandidates.append(NearDuplicates.Candidate(role: check.role, line: check.line.number, sourceRef: uri.description,
                                                       path: path, hash: hash))
        lowFrequencies += measures.lowFrequencies
    }

    private mutating func addForDuplicates(_ check: LineCheck, stats: inout DatasetStats) {
        guard let uri = check.line.sourceRef.uri else { return }
        let key = Self.key(uri)
        let line = check.line.number, role = check.role
        var first = bySourceRef[key] ?? FirstLines()
        if first.training == 0 && first.testing == 0 {
            distinctSourceRefs += 1
            if check.imagePath == nil { notLookedFor += 1 }
        }
        let earlierInRole = role == .training ? first.training : first.testing
        if earlierInRole == 0 {
            stats.distinctImages += 1
            if role == .training { first.training = Int32(line) } else { first.testing = Int32(line) }
            bySourceRef[key] = first
        }
        guard findsDuplicates else { return }
        let path = check.imagePath
        if earlierInRole != 0 {
            note(check, uri, path, firstRole: role, firstLine: Int(earlierInRole), firstPath: path, .sourceRef)
            return
        }
        if role == .testing && first.training != 0 {
            note(check, uri, path, firstRole: .training, firstLine: Int(first.training), firstPath: path, .sourceRef)
            return
        }
        // Another reference: the same file, or the same bytes, seen only in the images.
        guard let path, check.image?.integrity != .unreadable else { return }
        if let group = groups[path] {
            if let earlier = byGroup[group] {
                note(check, uri, path, firstRole: earlier.role, firstLine: earlier.line, firstPath: earlier.path,
                     earlier.path == path ? .file : .bytes)
            } else {
                byGroup[group] = (role, line, path)
            }
        } else if let earlier = byPath[path] {
            note(check, uri, path, firstRole: earlier.role, firstLine: earlier.line, firstPath: path, .file)
        } else {
            byPath[path] = (role, line)
        }
    }

    private mutating func note(_ check: LineCheck, _ uri: S3URI, _ path: String?, firstRole: DatasetRole,
                               firstLine: Int, firstPath: String?, _ sameness: ContentGroups.Sameness) {
        let named = contentGroups.duplicates.count < detailLimit
        contentGroups.duplicates.append(ContentGroups.Duplicate(
            role: check.role, line: check.line.number, sourceRef: named ? uri.description : nil, path: named ? path : nil,
            firstRole: firstRole, firstLine: firstLine, firstPath: named ? firstPath : nil, sameness: sameness))
    }

    /// Two keyed 64-bit hashes of the reference, salted apart: a collision of both is far
    /// less likely than a disk error.
    private static func key(_ uri: S3URI) -> Key {
        var first = Hasher(), second = Hasher()
        first.combine(UInt8(1))
        second.combine(UInt8(2))
        first.combine(uri)
        second.combine(uri)
        let a = UInt64(bitPattern: Int64(first.finalize())), b = UInt64(bitPattern: Int64(second.finalize()))
        return Key(a: a, b: b)
    }
}
