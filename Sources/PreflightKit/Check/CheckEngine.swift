import ImageEngine
import PreflightJSON

/// One manifest given to a check.
public struct ManifestInput: Sendable {
    public var path: String
    public var role: DatasetRole
    public init(path: String, role: DatasetRole) {
        self.path = path
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
    /// Distinct image files examined.
    public var imagesExamined: Int
    /// Of those, how many were taken from the result cache.
    public var imagesFromCache = 0
    /// Manifests that could not be read at all (the run cannot be trusted: exit code 2).
    public var unreadableManifests: [String]
    /// Findings past `maxStoredFindings`, counted by code but not kept.
    public var omittedFindings: [String: Int] = [:]

    public func stats(for role: DatasetRole) -> DatasetStats? { stats.first { $0.role == role } }

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
        var readable: [ManifestInput] = []
        var terminalFindings: [Finding] = []
        for input in inputs {
            if let finding = checkManifestFile(input, unreadable: &result.unreadableManifests) {
                terminalFindings.append(finding)
                var stats = DatasetStats(file: input.path, role: input.role)
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
                              case .local(let path) = resolver.resolve(uri),
                              let directory = resolver.directory(containing: uri) else { return nil }
                        return (path, directory)
                    }
                }
                for case let (path, directory)? in located { catalog.add(path, directory: directory) }
            }
        }
        catalog.examineAll(probe: ImageProbe(options: options.probeOptions), jobs: options.jobs,
                           cache: options.cache, verify: options.verifyCache, progress: options.progress)
        let escapedBySymlink = catalog.escapedPaths
        result.imagesExamined = catalog.examinedCount
        result.imagesFromCache = options.cache?.hits.load(ordering: .relaxed) ?? 0

        // Images with the same bytes, across both manifests. The cache has learnt all it
        // will: it is written now and its memory given back before the lines are judged.
        let findsDuplicates = !options.ignored.isSuperset(of: [DuplicateImage.definition.code, TrainTestOverlap.definition.code])
        let groups = findsDuplicates ? catalog.identicalContentGroups(jobs: options.jobs, cache: options.cache) : [:]
        options.cache?.saveAndRelease()

        // Pass 2: every line through every line rule.
        var lineFindings: [DatasetRole: [Finding]] = [:]
        var storedFindings = 0
        for input in readable {
            var stats = DatasetStats(file: input.path, role: input.role)
            stats.fileSize = FileBytes.size(path: input.path).map { $0 }.get(or: 0)
            var findings: [Finding] = []
            var distinct = Set<String>()
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
                    if case .local(let path)? = check.resolution { distinct.insert(path) }
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
            stats.distinctImages = distinct.count
            if lineFindings[input.role] == nil { lineFindings[input.role] = findings } else { lineFindings[input.role]! += findings }
            result.stats.append(stats)
        }

        // Lines whose images have the same bytes.
        var contentGroups = ContentGroups()
        var firstSeen: [Int: (role: DatasetRole, line: Int, path: String)] = [:]
        var firstLineOfPath: [String: (role: DatasetRole, line: Int)] = [:]
        for role in [DatasetRole.training, .testing] where findsDuplicates {
            guard let stats = result.stats.first(where: { $0.role == role }) else { continue }
            for (line, path) in stats.imageLines {
                if let group = groups[path] {
                    if let first = firstSeen[group] {
                        contentGroups.duplicates.append((role, line, path, first.role, first.line, first.path))
                    } else {
                        firstSeen[group] = (role, line, path)
                    }
                } else if let first = firstLineOfPath[path] {
                    // The same file named again.
                    contentGroups.duplicates.append((role, line, path, first.role, first.line, path))
                } else {
                    firstLineOfPath[path] = (role, line)
                }
            }
        }

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
            if case .local(let resolved)? = resolution {
                // The catalog's copy of the path: one string per image, however many lines name it.
                let (path, facts) = catalog.entry(for: resolved)
                if escapedBySymlink.contains(path) {
                    resolution = .escapes(reason: "a symbolic link on the path points outside the mapped folder")
                } else {
                    resolution = .local(path: path)
                    image = facts
                }
            }
        }
        let check = LineCheck(line: parsed, file: input.path, role: input.role, resolution: resolution,
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
            unreadable.append(input.path)
            return Finding(rule: rule, file: input.path, role: input.role,
                           details: ["reason": .string("the manifest cannot be read: \(failure.message)")])
        case .success(let bytes):
            size = bytes
        }
        // Readable by this user? (A size says nothing about permission.)
        if case .failure(let problem) = FileBytes.read(path: input.path, limit: 0) {
            unreadable.append(input.path)
            return Finding(rule: rule, file: input.path, role: input.role,
                           details: ["reason": .string("the manifest cannot be read: \(problem.message)")])
        }
        for fileRule in RuleCatalogue.manifestFileRules where !options.ignored.contains(fileRule.definition.code) {
            if let reason = fileRule.check(path: input.path, size: size) {
                return Finding(rule: fileRule.definition, file: input.path, role: input.role, details: ["reason": .string(reason)])
            }
        }
        return nil
    }
}

extension Result {
    func get(or fallback: Success) -> Success { (try? get()) ?? fallback }
}
