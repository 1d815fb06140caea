/// Images that are nearly the same picture: their 63-bit perceptual hashes differ in at most
/// a few bits. Each image is compared with the first image of every group found so far (a
/// later image within reach of a group joins it and is reported against that first image),
/// through a multi-index hash: no pair is compared unless one of the hashes' four 16-bit
/// bands is within `distance / 4` bits of the other's. Two hashes within `distance` bits
/// always share such a band (were all four bands more than `distance / 4` bits apart, the
/// hashes would be more than `distance` apart), so nothing within reach is missed, and the
/// work per image is a fixed number of probes plus the few groups that share a band with it,
/// however many images there are.
public struct NearDuplicateIndex: Sendable {
    static let bands = 4
    static let bandBits = 16

    public let maxDistance: Int
    /// Every 16-bit mask of at most `maxDistance / 4` bits: the probes around a band's value.
    private let masks: [Int]
    /// The first image of each group, in the order added.
    public private(set) var hashes: [UInt64] = []
    /// Per band, the newest entry with each 16-bit value; `next` chains to older ones.
    private var heads: [[Int32]]
    private var next: [[Int32]]
    /// Hashes compared so far (the cost, for measuring).
    public private(set) var comparisons = 0

    public init(maxDistance: Int) {
        self.maxDistance = max(0, min(maxDistance, 63))
        let radius = self.maxDistance / Self.bands
        masks = (0..<(1 << Self.bandBits)).filter { $0.nonzeroBitCount <= radius }
        heads = Array(repeating: [Int32](repeating: -1, count: 1 << Self.bandBits), count: Self.bands)
        next = Array(repeating: [], count: Self.bands)
    }

    private static func band(_ hash: UInt64, _ b: Int) -> Int { Int((hash >> UInt64(b * bandBits)) & 0xFFFF) }

    /// The group (its index in `hashes`) nearest to `hash` within `maxDistance` that `accept`
    /// takes, the earliest of equally near ones; nil when none is.
    public mutating func nearest(_ hash: UInt64, accept: (Int) -> Bool = { _ in true }) -> (group: Int, distance: Int)? {
        var best: (group: Int, distance: Int)?
        for b in 0..<Self.bands {
            let key = Self.band(hash, b)
            for mask in masks {
                var entry = heads[b][key ^ mask]
                while entry >= 0 {
                    let group = Int(entry)
                    comparisons += 1
                    let distance = (hashes[group] ^ hash).nonzeroBitCount
                    if distance <= maxDistance, best == nil || distance < best!.distance
                        || (distance == best!.distance && group < best!.group), accept(group) {
                        best = (group, distance)
                    }
                    entry = next[b][group]
                }
            }
        }
        return best
    }

    /// Starts a group with `hash`; returns its index.
    @discardableResult
    public mutating func add(_ hash: UInt64) -> Int {
        let group = hashes.count
        hashes.append(hash)
        for b in 0..<Self.bands {
            let key = Self.band(hash, b)
            next[b].append(heads[b][key])
            heads[b][key] = Int32(group)
        }
        return group
    }
}

/// Lines whose images are nearly the same picture as an earlier line's: within a manifest,
/// and a test image against the training images.
public enum NearDuplicates {
    /// One line's image, the first line to name it.
    public struct Candidate: Sendable {
        public var role: DatasetRole
        public var line: Int
        public var sourceRef: String
        public var path: String
        public var hash: UInt64
    }

    public struct Match: Sendable {
        public var role: DatasetRole
        public var line: Int
        public var sourceRef: String
        public var path: String
        public var firstRole: DatasetRole
        public var firstLine: Int
        public var firstSourceRef: String
        public var firstPath: String
        public var distance: Int
    }

    /// Two pictures within reach by their hashes are one picture only when their low
    /// frequencies also agree this closely (`ImageMeasures.similarity`): a hash is 63 bits,
    /// and among hundreds of thousands of unrelated pictures a few fall within reach by chance.
    public static let minSimilarity = 0.9

    /// Candidates come in line order, training before test, with their low frequencies one
    /// after another in `lowFrequencies` (`ImageMeasures.lowFrequencies`, `frequencyCount`
    /// each). A training image is matched against the training groups; a test image against
    /// the training groups first (leakage matters more), then the test groups.
    public static func find(_ candidates: [Candidate], lowFrequencies: [Int8], maxDistance: Int)
        -> (matches: [Match], comparisons: Int) {
        let n = frequencyCount
        func alike(_ a: Int, _ b: Int) -> Bool {
            lowFrequencies.withUnsafeBufferPointer { all in
                similarity(UnsafeBufferPointer(rebasing: all[(a * n)..<(a * n + n)]),
                           UnsafeBufferPointer(rebasing: all[(b * n)..<(b * n + n)])) >= minSimilarity
            }
        }
        var training = NearDuplicateIndex(maxDistance: maxDistance), testing = NearDuplicateIndex(maxDistance: maxDistance)
        var trainingFirst: [Int] = [], testingFirst: [Int] = []
        var matches: [Match] = []
        func match(_ c: Candidate, _ first: Candidate, _ distance: Int) -> Match {
            Match(role: c.role, line: c.line, sourceRef: c.sourceRef, path: c.path, firstRole: first.role, firstLine: first.line,
                  firstSourceRef: first.sourceRef, firstPath: first.path, distance: distance)
        }
        for (i, candidate) in candidates.enumerated() {
            if let found = training.nearest(candidate.hash, accept: { alike(i, trainingFirst[$0]) }) {
                matches.append(match(candidate, candidates[trainingFirst[found.group]], found.distance))
            } else if candidate.role == .training {
                training.add(candidate.hash)
                trainingFirst.append(i)
            } else if let found = testing.nearest(candidate.hash, accept: { alike(i, testingFirst[$0]) }) {
                matches.append(match(candidate, candidates[testingFirst[found.group]], found.distance))
            } else {
                testing.add(candidate.hash)
                testingFirst.append(i)
            }
        }
        return (matches, training.comparisons + testing.comparisons)
    }
}

extension NearDuplicates {
    /// Low frequencies per candidate.
    public static let frequencyCount = 63

    /// The cosine of two vectors of low frequencies (0 when either is all zero).
    static func similarity(_ a: UnsafeBufferPointer<Int8>, _ b: UnsafeBufferPointer<Int8>) -> Double {
        var dot = 0, aa = 0, bb = 0
        for i in 0..<min(a.count, b.count) {
            let x = Int(a[i]), y = Int(b[i])
            dot += x * y
            aa += x * x
            bb += y * y
        }
        return aa > 0 && bb > 0 ? Double(dot) / (Double(aa).squareRoot() * Double(bb).squareRoot()) : 0
    }
}
