#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPixelAverager

/// A small grey picture of a decoded image, row by row.
public struct GreyPicture: Sendable, Equatable {
    public var pixels: [UInt8]
    public var width: Int
    public var height: Int

    /// Takes the pixels out of a C picture and frees it (nil when it holds none).
    static func taking(_ picture: inout pf_grey_picture) -> GreyPicture? {
        guard let pixels = picture.pixels else { return nil }
        defer {
            pf_picture_free(pixels)
            picture.pixels = nil
        }
        let width = Int(picture.width), height = Int(picture.height)
        guard width > 0, height > 0 else { return nil }
        return GreyPicture(pixels: Array(UnsafeBufferPointer(start: pixels, count: width * height)), width: width, height: height)
    }
}

/// What an image's pixels say about its use for training, measured on a small grey picture
/// of the decoded image (at most `ImageMeasures.pictureSide` pixels on the longest side,
/// each pixel the mean of the image pixels it covers). Measuring at one normalised size
/// makes the figures comparable across image sizes: a 4,000-pixel photograph and its
/// 640-pixel copy measure alike.
public struct ImageMeasures: Sendable, Equatable {
    /// The longest side of the picture measured.
    public static let pictureSide = 256

    /// A 64-bit DCT hash (pHash) of the picture as displayed (EXIF orientation applied), less
    /// any uniform border: the picture reduced to 32 x 32, its 2-D DCT, and one bit per low-frequency
    /// coefficient (the 8 x 8 lowest but the constant one: 63 bits), set when the
    /// coefficient is above their median. Nil when the picture is under 8 pixels a side.
    public var perceptualHash: UInt64?
    /// The 63 coefficients the hash is made from, scaled to -127...127 by the largest: a finer
    /// comparison of two pictures whose hashes are close. Empty when there is no hash.
    public var lowFrequencies: [Int8]
    /// The mean luminance, 0 (black) to 255 (white).
    public var brightness: Double
    /// The luminance that 99% of the picture is at or below: under a low value, the whole
    /// picture is dark, highlights included.
    public var highlights: Double
    /// The luminance that 95% of the picture is at or above: over a high value, even the
    /// darkest parts are pale (washed out).
    public var shadows: Double
    /// The Shannon entropy of the luminance histogram, in bits (0 for one flat colour, 8 at most).
    public var information: Double
    /// How sharp the sharpest edges are: the 99.9th percentile of the absolute Laplacian
    /// over the luminance range between the 5th and 95th percentiles. A crisp edge across
    /// that range gives about 1 (photographs measure 0.3 to 3); blur spreads edges over more
    /// pixels and weakens them, to a few hundredths. Nil when the picture is under 16 pixels
    /// a side or its range under 16 grey levels.
    public var sharpness: Double?

    public init(perceptualHash: UInt64?, lowFrequencies: [Int8], brightness: Double, highlights: Double, shadows: Double,
                information: Double, sharpness: Double?) {
        self.perceptualHash = perceptualHash
        self.lowFrequencies = lowFrequencies
        self.brightness = brightness
        self.highlights = highlights
        self.shadows = shadows
        self.information = information
        self.sharpness = sharpness
    }

    /// Measures a grey picture of `width * height` pixels, row by row, as stored in the file;
    /// `orientation` turns it upright for the hash.
    public static func measure(grey: [UInt8], width: Int, height: Int, orientation: EXIFOrientation?) -> ImageMeasures? {
        guard width > 0, height > 0, grey.count == width * height else { return nil }
        var histogram = [Int](repeating: 0, count: 256)
        var total = 0
        histogram.withUnsafeMutableBufferPointer { h in
            for value in grey {
                h[Int(value)] += 1
                total += Int(value)
            }
        }
        let count = Double(grey.count)
        var entropy = 0.0
        for n in histogram where n > 0 {
            let p = Double(n) / count
            entropy -= p * log2(p)
        }
        let hashed = perceptualHash(grey: grey, width: width, height: height, orientation: orientation ?? .normal)
        return ImageMeasures(
            perceptualHash: hashed?.hash, lowFrequencies: hashed?.coefficients ?? [],
            brightness: rounded(Double(total) / count),
            highlights: Double(percentile(histogram, count: grey.count, share: 0.99)),
            shadows: Double(percentile(histogram, count: grey.count, share: 0.05)),
            information: rounded(max(0, entropy)),
            sharpness: sharpness(grey: grey, width: width, height: height, histogram: histogram).map { rounded($0) })
    }

    /// Two decimals: what the findings show, and what the cache keeps.
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// The smallest luminance with at least `share` of the pixels at or below it.
    static func percentile(_ histogram: [Int], count: Int, share: Double) -> Int {
        let needed = max(1, Int((Double(count) * share).rounded(.up)))
        var seen = 0
        for (value, n) in histogram.enumerated() {
            seen += n
            if seen >= needed { return value }
        }
        return 255
    }

    /// The number of bits in which two hashes differ.
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    // MARK: - The perceptual hash

    static let hashSide = 32
    static let hashBand = 8

    /// Cosines of the DCT-II basis, at [u * 32 + x], for the 8 lowest frequencies over 32 samples.
    private static let cosines: [Double] = (0..<hashBand).flatMap { u in
        (0..<hashSide).map { x in cos(Double((2 * x + 1) * u) * Double.pi / Double(2 * hashSide)) }
    }

    /// The picture without a uniform border: outer rows and columns whose every pixel is
    /// within 4 grey levels of the top-left corner's, at most a quarter of each side. A copy
    /// framed or letterboxed then hashes as the picture inside the frame.
    static func inner(grey: [UInt8], width: Int, height: Int) -> (x: Range<Int>, y: Range<Int>) {
        let edge = Int(grey[0]), tolerance = 4
        func flat(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
            for row in y {
                for x in x where abs(Int(grey[row * width + x]) - edge) > tolerance { return false }
            }
            return true
        }
        var top = 0, bottom = height, left = 0, right = width
        while top < height / 4 && flat(0..<width, top..<(top + 1)) { top += 1 }
        while bottom > 3 * height / 4 && flat(0..<width, (bottom - 1)..<bottom) { bottom -= 1 }
        while left < width / 4 && flat(left..<(left + 1), top..<bottom) { left += 1 }
        while right > 3 * width / 4 && flat((right - 1)..<right, top..<bottom) { right -= 1 }
        return (left..<right, top..<bottom)
    }

    /// The hash, and the 63 coefficients it is made from, scaled to -127...127 by the largest.
    static func perceptualHash(grey stored: [UInt8], width storedWidth: Int, height storedHeight: Int, orientation: EXIFOrientation)
        -> (hash: UInt64, coefficients: [Int8])? {
        guard storedWidth >= hashBand, storedHeight >= hashBand else { return nil }
        let n = hashSide
        // Turned upright before the border is looked for: the border (and the corner it is
        // matched against) is the displayed picture's, whichever way the pixels are stored.
        let (grey, width, height) = upright(stored, width: storedWidth, height: storedHeight, orientation: orientation)
        let (xs, ys) = inner(grey: grey, width: width, height: height)
        let ox = xs.lowerBound, oy = ys.lowerBound, iw = xs.count, ih = ys.count
        // Box means over a 32 x 32 grid of cells (every cell at least one pixel).
        var shown = [Double](repeating: 0, count: n * n)
        grey.withUnsafeBufferPointer { g in
            for cy in 0..<n {
                let y0 = oy + cy * ih / n, y1 = max(y0 + 1, oy + (cy + 1) * ih / n)
                for cx in 0..<n {
                    let x0 = ox + cx * iw / n, x1 = max(x0 + 1, ox + (cx + 1) * iw / n)
                    var sum = 0
                    for y in y0..<y1 {
                        let row = y * width
                        for x in x0..<x1 { sum &+= Int(g[row + x]) }
                    }
                    shown[cy * n + cx] = Double(sum) / Double((y1 - y0) * (x1 - x0))
                }
            }
        }
        // The 8 x 8 lowest DCT coefficients, rows then columns.
        let band = hashBand
        var coefficients: [Double] = []
        coefficients.reserveCapacity(band * band - 1)
        Self.cosines.withUnsafeBufferPointer { c in
            shown.withUnsafeBufferPointer { f in
                var rows = [Double](repeating: 0, count: n * band)   // [y][u]
                for y in 0..<n {
                    for u in 0..<band {
                        var sum = 0.0
                        for x in 0..<n { sum += f[y * n + x] * c[u * n + x] }
                        rows[y * band + u] = sum
                    }
                }
                for v in 0..<band {
                    for u in 0..<band where u + v > 0 {
                        var sum = 0.0
                        for y in 0..<n { sum += rows[y * band + u] * c[v * n + y] }
                        coefficients.append(sum)
                    }
                }
            }
        }
        let median = coefficients.sorted()[coefficients.count / 2]
        var hash: UInt64 = 0
        for (i, c) in coefficients.enumerated() where c > median { hash |= 1 << UInt64(i) }
        let largest = coefficients.map(abs).max() ?? 0
        let scaled = coefficients.map { largest > 0 ? Int8(($0 / largest * 127).rounded()) : 0 }
        return (hash, scaled)
    }

    /// The picture as displayed: display pixel (X, Y) comes from stored pixel source(X, Y).
    static func upright(_ grey: [UInt8], width: Int, height: Int, orientation: EXIFOrientation) -> ([UInt8], Int, Int) {
        guard orientation != .normal else { return (grey, width, height) }
        let (w, h) = orientation.swapsDimensions ? (height, width) : (width, height)
        var shown = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let (sx, sy): (Int, Int)
                switch orientation {
                case .normal: (sx, sy) = (x, y)
                case .mirrorHorizontal: (sx, sy) = (width - 1 - x, y)
                case .rotate180: (sx, sy) = (width - 1 - x, height - 1 - y)
                case .mirrorVertical: (sx, sy) = (x, height - 1 - y)
                case .transpose: (sx, sy) = (y, x)
                case .rotate90CW: (sx, sy) = (y, height - 1 - x)
                case .transverse: (sx, sy) = (width - 1 - y, height - 1 - x)
                case .rotate270CW: (sx, sy) = (width - 1 - y, x)
                }
                shown[y * w + x] = grey[sy * width + sx]
            }
        }
        return (shown, w, h)
    }

    // MARK: - Sharpness

    /// The sharpest edges' strength against the picture's contrast: the 99.9th percentile of
    /// the absolute 4-neighbour Laplacian over the luminance range from the 5th to the 95th
    /// percentile. A crisp step between the picture's dark and light parts gives about 1;
    /// blur spreads every edge over more pixels and weakens it, to a few hundredths. Nil under
    /// 16 pixels a side, or when the range is under 16 grey levels (too flat to judge).
    static func sharpness(grey: [UInt8], width: Int, height: Int, histogram: [Int]) -> Double? {
        guard width >= 16, height >= 16 else { return nil }
        let range = percentile(histogram, count: grey.count, share: 0.95) - percentile(histogram, count: grey.count, share: 0.05)
        guard range >= 16 else { return nil }
        // The 4-neighbour Laplacian of 8-bit values lies within -1020...1020.
        var edges = [Int](repeating: 0, count: 4 * 255 + 1)
        grey.withUnsafeBufferPointer { g in
            edges.withUnsafeMutableBufferPointer { e in
                for y in 1..<(height - 1) {
                    let row = y * width
                    for x in 1..<(width - 1) {
                        let i = row + x
                        let l = 4 * Int(g[i]) - Int(g[i - 1]) - Int(g[i + 1]) - Int(g[i - width]) - Int(g[i + width])
                        e[abs(l)] += 1
                    }
                }
            }
        }
        let strongest = percentile(edges, count: (width - 2) * (height - 2), share: 0.999)
        return Double(strongest) / Double(range)
    }
}
