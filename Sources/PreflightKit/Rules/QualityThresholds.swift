/// The thresholds of the quality checks, in one place. Each rule's explanation states its
/// default; `--threshold NAME=VALUE` sets one for a run (`QualityThresholds.settings` names them).
public struct QualityThresholds: Sendable, Equatable {
    /// A box covering at least this share of the image's area says nothing about where the object is.
    public var coveringBoxShare = 0.95
    /// Two boxes of one label overlapping by at least this intersection over union are one object twice.
    public var duplicateBoxIoU = 0.9
    /// A box whose shorter side, after the service's downscaling, is under this many pixels is
    /// smaller than one cell of the finest feature map (stride 8) of common detectors.
    public var minScaledBoxSide = 8.0
    /// A detection label with fewer boxes than this in the training set is too rare to learn.
    public var minBoxesPerLabel = 10.0
    /// A label with fewer images than this share of the median label's is far behind the rest.
    public var imbalanceShareOfMedian = 0.1
    /// A label whose share of images in one set is at least this many times its share in the other has shifted.
    public var shiftRatio = 3.0
    /// Two images whose perceptual hashes differ in at most this many of their 63 bits are one picture.
    public var nearDuplicateDistance = 10.0
    /// An image whose sharpness (`ImageMeasures.sharpness`) is under this is blurred.
    public var minSharpness = 0.1
    /// An image whose highlights (the luminance 99% of it is at or below) are under this is too dark.
    public var darkHighlights = 60.0
    /// An image whose shadows (the luminance 95% of it is at or above) are at least this is washed out.
    public var brightShadows = 180.0
    /// An image whose luminance carries less than this many bits of information is nearly uniform.
    public var minInformation = 2.5

    /// Judged only when the dataset has at least this many labels (with two, there is no median to speak of).
    public static let imbalanceMinLabels = 3
    /// Shares are compared only when each manifest has at least this many usable images...
    public static let shiftMinImages = 20
    /// ...and the set where the label is rarer would, at the other set's share, hold at least this many of its images.
    public static let shiftMinExpectedImages = 5.0

    public init() {}

    /// The checks that need each image's pixels measured.
    public static let pixelRuleCodes: Set<String> = [
        "PREFLIGHT_NEAR_DUPLICATE_IMAGE", "PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE", "PREFLIGHT_BLURRY_IMAGE",
        "PREFLIGHT_DARK_IMAGE", "PREFLIGHT_BRIGHT_IMAGE", "PREFLIGHT_LOW_INFORMATION_IMAGE",
    ]

    public static let defaults = QualityThresholds()

    /// One threshold a user may set.
    public struct Setting: Sendable {
        public let name: String
        public let keyPath: WritableKeyPath<QualityThresholds, Double> & Sendable
        public let range: ClosedRange<Double>
        /// Whole numbers only.
        public let whole: Bool
        /// The rules it belongs to.
        public let codes: [String]
        public let meaning: String

        public var defaultValue: Double { QualityThresholds.defaults[keyPath: keyPath] }
    }

    public static let settings: [Setting] = [
        Setting(name: "near-duplicate-distance", keyPath: \.nearDuplicateDistance, range: 0...20, whole: true,
                codes: ["PREFLIGHT_NEAR_DUPLICATE_IMAGE", "PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE"],
                meaning: "the most bits in which two images' perceptual hashes may differ for them to be one picture"),
        Setting(name: "min-sharpness", keyPath: \.minSharpness, range: 0...10, whole: false, codes: ["PREFLIGHT_BLURRY_IMAGE"],
                meaning: "the sharpness under which an image is blurred"),
        Setting(name: "dark-highlights", keyPath: \.darkHighlights, range: 0...255, whole: false, codes: ["PREFLIGHT_DARK_IMAGE"],
                meaning: "the luminance (0 to 255) that an image's highlights must reach not to be too dark"),
        Setting(name: "bright-shadows", keyPath: \.brightShadows, range: 0...256, whole: false, codes: ["PREFLIGHT_BRIGHT_IMAGE"],
                meaning: "the luminance (0 to 255) at or over which an image's shadows are washed out"),
        Setting(name: "min-information", keyPath: \.minInformation, range: 0...8, whole: false, codes: ["PREFLIGHT_LOW_INFORMATION_IMAGE"],
                meaning: "the bits of information (entropy of the luminance) under which an image is nearly uniform"),
        Setting(name: "covering-box-share", keyPath: \.coveringBoxShare, range: 0...1, whole: false, codes: ["PREFLIGHT_BOX_COVERS_IMAGE"],
                meaning: "the share of the image's area at or over which a box covers the image"),
        Setting(name: "overlapping-box-iou", keyPath: \.duplicateBoxIoU, range: 0...1, whole: false, codes: ["PREFLIGHT_OVERLAPPING_BOXES"],
                meaning: "the intersection over union at or over which two boxes of one label are one object twice"),
        Setting(name: "min-box-side", keyPath: \.minScaledBoxSide, range: 0...1280, whole: false, codes: ["PREFLIGHT_TINY_BOX"],
                meaning: "the pixels, after the service's downscaling, under which a box's shorter side is too small"),
        Setting(name: "min-boxes-per-label", keyPath: \.minBoxesPerLabel, range: 0...1_000_000, whole: true, codes: ["PREFLIGHT_RARE_BOX_LABEL"],
                meaning: "the boxes under which a detection label is too rare to learn"),
        Setting(name: "imbalance-share", keyPath: \.imbalanceShareOfMedian, range: 0...1, whole: false, codes: ["PREFLIGHT_LABEL_IMBALANCE"],
                meaning: "the share of the median label's images under which a label is far behind"),
        Setting(name: "shift-ratio", keyPath: \.shiftRatio, range: 1...1000, whole: false, codes: ["PREFLIGHT_LABEL_SHIFT"],
                meaning: "how many times a label's share in one set must be its share in the other to have shifted"),
    ]

    /// Sets one threshold from `NAME=VALUE`; the error says what is wrong and what is allowed.
    public mutating func set(_ text: String) -> String? {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let names = Self.settings.map(\.name).joined(separator: ", ")
        guard parts.count == 2 else { return "'\(text)' is not NAME=VALUE; names: \(names)" }
        let name = String(parts[0]).trimmingSpaces
        guard let setting = Self.settings.first(where: { $0.name == name }) else {
            return "unknown threshold '\(name)'; names: \(names)"
        }
        guard let value = Double(String(parts[1]).trimmingSpaces), value.isFinite,
              setting.range.contains(value), !setting.whole || value == value.rounded() else {
            let lower = setting.range.lowerBound, upper = setting.range.upperBound
            return "threshold \(name) takes \(setting.whole ? "a whole number" : "a number") from \(Self.format(lower)) to \(Self.format(upper)), not '\(parts[1])'"
        }
        self[keyPath: setting.keyPath] = value
        return nil
    }

    /// A threshold's value as written in docs and messages: no trailing ".0".
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
