import Testing
@testable import PreflightKit

/// The near-duplicate index against brute force, its cost at the service's 250,000 images,
/// and the order in which `NearDuplicates.find` matches training and test images.
@Suite("Near-duplicate index")
struct NearDuplicateIndexTests {
    /// Perceptual hashes have 63 bits.
    static let bits: UInt64 = (1 << 63) - 1

    /// `hash` with `count` distinct random bits of its 63 flipped.
    static func flipped(_ hash: UInt64, _ count: Int, _ rng: inout SplitMix64) -> UInt64 {
        var out = hash
        for bit in (0..<63).shuffled(using: &rng).prefix(count) { out ^= 1 << UInt64(bit) }
        return out
    }

    /// Clusters (a base hash and copies of it 0 to 12 bits away) mixed with unrelated hashes.
    static func clustered(count: Int, seed: UInt64) -> [UInt64] {
        var rng = SplitMix64(seed: seed)
        var bases: [UInt64] = []
        var out: [UInt64] = []
        while out.count < count {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...2:
                let base = rng.next() & bits
                bases.append(base)
                out.append(base)
            case 3...7 where !bases.isEmpty:
                out.append(flipped(bases.randomElement(using: &rng)!, Int.random(in: 0...12, using: &rng), &rng))
            default:
                out.append(rng.next() & bits)
            }
        }
        return out
    }

    /// What `nearest` must answer, by comparing with every group: the nearest within reach,
    /// the earliest of equally near ones.
    static func bruteForce(_ hash: UInt64, _ groups: [UInt64], maxDistance: Int, accept: (Int) -> Bool) -> (group: Int, distance: Int)? {
        var best: (group: Int, distance: Int)?
        for (group, other) in groups.enumerated() {
            let distance = (other ^ hash).nonzeroBitCount
            if distance <= maxDistance, best == nil || distance < best!.distance, accept(group) { best = (group, distance) }
        }
        return best
    }

    @Test(arguments: 0...16)
    func nearestIsWhatComparingWithEveryGroupFinds(maxDistance: Int) {
        let hashes = Self.clustered(count: 2_500, seed: 42 + UInt64(maxDistance))
        var index = NearDuplicateIndex(maxDistance: maxDistance)
        var found = 0, ties = 0
        for (i, hash) in hashes.enumerated() {
            // Odd distances also turn some groups away, as unlike low frequencies do.
            let accept: (Int) -> Bool = maxDistance % 2 == 0 ? { _ in true } : { $0 % 3 != 1 }
            let expected = Self.bruteForce(hash, index.hashes, maxDistance: maxDistance, accept: accept)
            let answer = index.nearest(hash, accept: accept)
            #expect(answer?.group == expected?.group && answer?.distance == expected?.distance,
                    "hash \(i) at \(maxDistance): \(String(describing: answer)), expected \(String(describing: expected))")
            if let expected {
                found += 1
                if index.hashes.enumerated().contains(where: { $0.offset != expected.group && accept($0.offset)
                    && ($0.element ^ hash).nonzeroBitCount == expected.distance }) { ties += 1 }
            }
            // Every third hash is added even when found, so that equally near groups occur.
            if answer == nil || i % 3 == 0 { index.add(hash) }
        }
        // The data must exercise both answers, and ties once copies are within reach.
        #expect(found > 100)
        #expect(found < hashes.count - 100)
        if maxDistance >= 4 { #expect(ties > 0) }
    }

    /// 250,000 random hashes, 1% of them copies of an earlier group's hash with 1 to 8 bits
    /// flipped, at the default distance of 10. Every copy is found, and the hashes compared
    /// stay under 2,500 per image: at this size each image is compared with about a thousand
    /// groups (those sharing a 16-bit band within 2 bits), against 125,000 on average for
    /// comparing every pair, a fiftieth of it.
    @Test func everyPlantedCopyIsFoundAmongTheServicesMaximumOfImages() {
        let n = 250_000, maxDistance = 10
        var rng = SplitMix64(seed: 7)
        var index = NearDuplicateIndex(maxDistance: maxDistance)
        var planted = 0, missed = 0
        for i in 0..<n {
            let plant = i % 100 == 99 && !index.hashes.isEmpty
            let hash: UInt64
            var flips = 0
            if plant {
                flips = Int.random(in: 1...8, using: &rng)
                hash = Self.flipped(index.hashes[Int.random(in: 0..<index.hashes.count, using: &rng)], flips, &rng)
            } else {
                hash = rng.next() & Self.bits
            }
            let answer = index.nearest(hash)
            if plant {
                planted += 1
                if answer == nil || answer!.distance > flips { missed += 1 }
            }
            if answer == nil { index.add(hash) }
        }
        #expect(planted == n / 100)
        #expect(missed == 0)
        #expect(index.comparisons < 2_500 * n, "\(index.comparisons) comparisons for \(n) images")
        #expect(index.comparisons < n * (n - 1) / 2 / 50)
    }

    // MARK: NearDuplicates.find

    static func candidate(_ role: DatasetRole, _ line: Int, _ hash: UInt64) -> NearDuplicates.Candidate {
        NearDuplicates.Candidate(role: role, line: line, sourceRef: "s3://b/\(role)-\(line).jpg", path: "\(role)-\(line).jpg", hash: hash)
    }

    /// Low frequencies for `count` candidates: `pattern(i)` of each.
    static func frequencies(_ patterns: [[Int8]]) -> [Int8] {
        patterns.flatMap { $0 }
    }

    static let pictureA: [Int8] = (0..<63).map { Int8(($0 * 37) % 255 - 127) }
    static let pictureB: [Int8] = (0..<63).map { Int8($0 % 2 == 0 ? 90 : -90) }

    /// Bits 0 to `count - 1` set.
    static func low(_ count: Int) -> UInt64 { (1 << UInt64(count)) - 1 }

    @Test func aTestImageIsMatchedWithTheTrainingImageBeforeATestImage() {
        let h: UInt64 = 0x5A5A_5A5A_0F0F_0F0F & Self.bits
        // Test line 1 is 12 bits from the training image (out of reach): it starts a test group.
        // Test line 2 is 4 bits from it, and 8 from the training image: still a training match.
        let candidates = [Self.candidate(.training, 1, h), Self.candidate(.testing, 1, h ^ Self.low(12)),
                          Self.candidate(.testing, 2, h ^ Self.low(8))]
        let (matches, _) = NearDuplicates.find(candidates, lowFrequencies: Self.frequencies(Array(repeating: Self.pictureA, count: 3)),
                                               maxDistance: 10)
        #expect(matches.count == 1)
        let match = matches.first
        #expect(match?.role == .testing && match?.line == 2)
        #expect(match?.firstRole == .training && match?.firstLine == 1 && match?.firstPath == "training-1.jpg")
        #expect(match?.distance == 8)

        // Without the training image, the same test line is matched with the first test line.
        let (alone, _) = NearDuplicates.find(Array(candidates.dropFirst()),
                                             lowFrequencies: Self.frequencies(Array(repeating: Self.pictureA, count: 2)), maxDistance: 10)
        #expect(alone.count == 1)
        #expect(alone.first?.firstRole == .testing && alone.first?.firstLine == 1 && alone.first?.distance == 4)
    }

    @Test func lowFrequenciesThatDisagreeRejectAHashMatch() {
        let h: UInt64 = 0x0123_4567_89AB_CDEF & Self.bits
        let similarity = Self.pictureA.withUnsafeBufferPointer { a in
            Self.pictureB.withUnsafeBufferPointer { b in NearDuplicates.similarity(a, b) }
        }
        #expect(similarity < NearDuplicates.minSimilarity)
        // The same hash, different low frequencies: two pictures.
        let same = [Self.candidate(.training, 1, h), Self.candidate(.training, 2, h)]
        #expect(NearDuplicates.find(same, lowFrequencies: Self.frequencies([Self.pictureA, Self.pictureB]), maxDistance: 10).matches.isEmpty)
        // With agreeing low frequencies, the same hashes are one picture.
        #expect(NearDuplicates.find(same, lowFrequencies: Self.frequencies([Self.pictureA, Self.pictureA]), maxDistance: 10).matches.count == 1)

        // Line 3 is 1 bit from line 1 but pictures what line 2 (4 bits away) does: it is
        // matched with line 2, the nearest group its low frequencies agree with.
        let three = [Self.candidate(.training, 1, h), Self.candidate(.training, 2, h ^ Self.low(3)),
                     Self.candidate(.training, 3, h ^ (1 << 40))]
        let (matches, _) = NearDuplicates.find(three, lowFrequencies: Self.frequencies([Self.pictureA, Self.pictureB, Self.pictureB]),
                                               maxDistance: 10)
        #expect(matches.count == 1)
        #expect(matches.first?.line == 3 && matches.first?.firstLine == 2 && matches.first?.distance == 4)
    }
}
