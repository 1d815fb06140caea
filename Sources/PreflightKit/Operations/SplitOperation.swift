/// Splits a manifest into training and test manifests, stratified by label, as a
/// replacement for the service's 20% auto-split that can be checked before upload.
///
/// The unit of the split is an image: every line naming the same `source-ref` (and, when the
/// images are readable through --root / --map, every line whose image has the same bytes)
/// goes to the same side, so the two manifests never share an image. Each label gets
/// `round(n × fraction)` of its n images in the test set, at least 1 and at most n − 1, so
/// that every label with two or more images is on both sides; multi-label images are placed
/// rarest label first. A label with a single image cannot be on both sides: it stays in
/// training and is reported, as the service's auto-split would fail on it
/// (ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT). The same seed gives the same split.
/// Lines keep their input order on each side.
public struct SplitOperation {
    public var input: String
    public var trainingOutput: String
    public var testOutput: String
    /// The share of each label's images that goes to the test set (0 < fraction < 1).
    public var testFraction: Double
    public var seed: UInt64
    /// Where the images are, to keep images with the same bytes together (optional).
    public var options: CheckOptions

    public init(input: String, trainingOutput: String, testOutput: String, testFraction: Double = ServiceLimits.autoSplitTestShare,
                seed: UInt64 = 0, options: CheckOptions = CheckOptions()) {
        self.input = input
        self.trainingOutput = trainingOutput
        self.testOutput = testOutput
        self.testFraction = testFraction
        self.seed = seed
        self.options = options
    }

    public struct LabelSplit: Sendable, Equatable {
        public var label: String
        public var training: Int
        public var test: Int
    }

    public struct Outcome: Sendable {
        public var trainingLines = 0
        public var testLines = 0
        /// Images per label on each side, sorted by label.
        public var labels: [LabelSplit] = []
        /// Labels with one image: they cannot be on both sides.
        public var impossible: [String] = []
        /// Labels with two or more images that shared images with other labels so tightly
        /// that no placement put them on both sides.
        public var uncovered: [String] = []
        public var log: [LogLine] = []
    }

    public func run() throws(OperationError) -> Outcome {
        guard testFraction > 0, testFraction < 1 else { throw OperationError("--test-fraction must be between 0 and 1 (exclusive)") }
        try OperationFiles.refuseOverwriting([input], with: [trainingOutput, testOutput])

        // Lines into images (units), with their labels.
        var unitOfLine: [Int] = []
        var unitOfRef: [String: Int] = [:]
        var unitLabels: [Set<String>] = []
        try OperationFiles.forEachLine(of: input) { number, line in
            var ref: String?
            var labels = Set<String>()
            if case .bytes(let bytes) = line {
                let parsed = LineInterpreter.interpret(bytes, number: number)
                ref = parsed.sourceRef.uri?.description
                labels = LineLabels.of(parsed)
            }
            if let ref, let unit = unitOfRef[ref] {
                unitOfLine.append(unit)
                unitLabels[unit].formUnion(labels)
            } else {
                unitOfLine.append(unitLabels.count)
                if let ref { unitOfRef[ref] = unitLabels.count }
                unitLabels.append(labels)
            }
        }
        var groups = UnionFind(count: unitLabels.count)
        if !options.resolver.isEmpty {
            var checkOptions = options
            checkOptions.mode = .header
            let result = CheckEngine(options: checkOptions).run([ManifestInput(path: input, role: .training)])
            for finding in result.findings where finding.code == DuplicateImage.definition.code {
                if let line = finding.line, let earlier = finding.details["first_line"]?.numberValue?.int64 {
                    groups.union(unitOfLine[line - 1], unitOfLine[Int(earlier) - 1])
                }
            }
        }
        var images: [Set<String>] = []
        var imageOfUnit: [Int] = []
        var imageOfRoot: [Int: Int] = [:]
        for unit in unitLabels.indices {
            let root = groups.find(unit)
            if let image = imageOfRoot[root] {
                imageOfUnit.append(image)
                images[image].formUnion(unitLabels[unit])
            } else {
                imageOfRoot[root] = images.count
                imageOfUnit.append(images.count)
                images.append(unitLabels[unit])
            }
        }

        var plan = StratifiedSplit(images: images, fraction: testFraction, seed: seed)
        plan.place()
        var outcome = Outcome()
        outcome.labels = plan.labelNames.indices.map {
            LabelSplit(label: plan.labelNames[$0], training: plan.count[0][$0], test: plan.count[1][$0])
        }
        outcome.impossible = plan.labelNames.indices.filter { plan.total[$0] == 1 }.map { plan.labelNames[$0] }
        outcome.uncovered = plan.labelNames.indices.filter { plan.total[$0] >= 2 && (plan.count[0][$0] == 0 || plan.count[1][$0] == 0) }
            .map { plan.labelNames[$0] }

        let inTest = unitOfLine.map { plan.side[imageOfUnit[$0]] == 1 }
        outcome.testLines = inTest.filter { $0 }.count
        outcome.trainingLines = inTest.count - outcome.testLines
        for (path, test) in [(trainingOutput, false), (testOutput, true)] {
            var failure: OperationError?
            try OperationFiles.write(path) { sink in
                do throws(OperationError) {
                    try OperationFiles.forEachLine(of: input) { number, line in
                        if inTest[number - 1] == test { sink.writeLine(OperationFiles.text(line) ?? "") }
                    }
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        outcome.log = log(outcome, images: images.count, testImages: plan.side.filter { $0 == 1 }.count)
        return outcome
    }

    private func log(_ outcome: Outcome, images: Int, testImages: Int) -> [LogLine] {
        var log: [LogLine] = []
        log.append(LogLine("\(images) image\(images == 1 ? "" : "s") in \(outcome.trainingLines + outcome.testLines) lines: "
            + "\(outcome.trainingLines) lines to \(trainingOutput), \(outcome.testLines) to \(testOutput) (\(testImages) test image\(testImages == 1 ? "" : "s"))"))
        for label in outcome.labels {
            log.append(LogLine("  \(label.label): \(label.training) training, \(label.test) test"))
        }
        if !outcome.impossible.isEmpty {
            log.append(LogLine("cannot be on both sides (one image each): " + outcome.impossible.joined(separator: ", ")
                + "; kept in training. The service's 20% auto-split would fail on the same labels "
                + "(ERROR_INSUFFICIENT_IMAGES_PER_LABEL_FOR_AUTOSPLIT)", problem: true))
        }
        if !outcome.uncovered.isEmpty {
            log.append(LogLine("no placement put these labels on both sides (their images carry other labels that needed them): "
                + outcome.uncovered.joined(separator: ", "), problem: true))
        }
        return log
    }
}

/// Iterative stratification: images are placed rarest label first, each on the side that
/// still wants more of that label; then any label missing from a side gets an image moved
/// over, when one can move without emptying a side of another label.
private struct StratifiedSplit {
    let labelNames: [String]
    /// Labels of each image, as indices into `labelNames`.
    let labels: [[Int]]
    /// Images per label.
    let total: [Int]
    /// 0 training, 1 test, per image (-1 while unplaced).
    var side: [Int]
    /// Images per side per label.
    var count: [[Int]]
    let fraction: Double
    var random: SplitMix64

    init(images: [Set<String>], fraction: Double, seed: UInt64) {
        labelNames = Set(images.flatMap { $0 }).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let index = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, $0) })
        labels = images.map { $0.compactMap { index[$0] }.sorted() }
        var total = Array(repeating: 0, count: labelNames.count)
        for set in labels { for label in set { total[label] += 1 } }
        self.total = total
        side = Array(repeating: -1, count: images.count)
        count = Array(repeating: Array(repeating: 0, count: labelNames.count), count: 2)
        self.fraction = fraction
        random = SplitMix64(seed: seed)
    }

    mutating func place() {
        // Wanted test images per label: a share of each, at least one on each side when there are two.
        var wanted: [[Int]] = [Array(repeating: 0, count: labelNames.count), Array(repeating: 0, count: labelNames.count)]
        for label in labelNames.indices {
            let test = total[label] < 2 ? 0 : min(max(Int((Double(total[label]) * fraction).rounded()), 1), total[label] - 1)
            wanted[1][label] = test
            wanted[0][label] = total[label] - test
        }
        let testImages = Int((Double(side.count) * fraction).rounded())
        var room = [side.count - testImages, testImages]
        var order = Array(side.indices)
        random.shuffle(&order)

        var left = total
        func put(_ image: Int, on chosen: Int) {
            side[image] = chosen
            room[chosen] -= 1
            for label in labels[image] {
                wanted[chosen][label] -= 1
                count[chosen][label] += 1
                left[label] -= 1
            }
        }
        while true {
            // The label with the fewest images still to place.
            guard let label = labelNames.indices.filter({ left[$0] > 0 }).min(by: { (left[$0], $0) < (left[$1], $1) }) else { break }
            for image in order where side[image] < 0 && labels[image].contains(label) {
                let chosen: Int
                if wanted[0][label] != wanted[1][label] {
                    chosen = wanted[1][label] > wanted[0][label] ? 1 : 0
                } else {
                    chosen = room[1] > room[0] ? 1 : 0
                }
                put(image, on: chosen)
            }
        }
        // Images without a label are split by the same fraction among themselves.
        var unlabelled = 0
        for image in order where side[image] < 0 {
            unlabelled += 1
            let test = Int((Double(unlabelled) * fraction).rounded(.down)) > Int((Double(unlabelled - 1) * fraction).rounded(.down))
            put(image, on: test ? 1 : 0)
        }

        // Repair: move an image to the side a label is missing from, if no other label empties.
        var changed = true
        while changed {
            changed = false
            for label in labelNames.indices where total[label] >= 2 {
                for missing in [0, 1] where count[missing][label] == 0 {
                    let from = 1 - missing
                    guard let image = order.first(where: { image in
                        side[image] == from && labels[image].contains(label) && labels[image].allSatisfy { count[from][$0] >= 2 }
                    }) else { continue }
                    side[image] = missing
                    for other in labels[image] {
                        count[from][other] -= 1
                        count[missing][other] += 1
                    }
                    changed = true
                }
            }
        }
    }
}

/// Union-find over image units, for images with the same bytes.
private struct UnionFind {
    var parent: [Int]
    init(count: Int) { parent = Array(0..<count) }
    mutating func find(_ x: Int) -> Int {
        var root = x
        while parent[root] != root { root = parent[root] }
        var node = x
        while parent[node] != root { (node, parent[node]) = (parent[node], root) }
        return root
    }
    mutating func union(_ a: Int, _ b: Int) {
        let (x, y) = (find(a), find(b))
        if x != y { parent[max(x, y)] = min(x, y) }
    }
}

/// A small, seedable generator (SplitMix64) with its own shuffle, so a seed gives the same
/// split on every platform and Swift version.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher-Yates.
    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            items.swapAt(i, j)
        }
    }
}
