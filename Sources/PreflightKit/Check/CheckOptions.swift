import ImageEngine
import PreflightStore

/// Everything a check run is told by its caller.
public struct CheckOptions: Sendable {
    public var mode: ProbeMode = .full
    public var jobs: Int = 2
    public var resolver = SourceRefResolver()
    /// Rule codes switched off.
    public var ignored: Set<String> = []
    /// The AWS region, for region-dependent quotas.
    public var region: String?
    public var maxPixels: UInt64 = ProbeOptions.defaultMaxPixels
    public var jpegMethod: JPEGDecodeMethod = .default
    /// Facts from earlier runs (nil: examine every image).
    public var cache: ResultCache?
    /// On a cache hit, hash the file and compare with the hash stored when it was examined.
    public var verifyCache = false
    /// Findings kept in full; past this many, further line findings are only counted (by
    /// code), which bounds memory whatever the input.
    public var maxStoredFindings = 100_000
    /// Where images at `s3://` locations are read from (nil: only local files are read).
    public var store: (any ObjectStore)?
    /// Requests to the store in flight at once.
    public var storeJobs = 32
    /// The thresholds of the quality checks.
    public var thresholds = QualityThresholds()
    /// Called from worker threads as images are examined: (done, total).
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init() {}

    public var probeOptions: ProbeOptions {
        ProbeOptions(mode: mode, maxPixels: maxPixels, jpegMethod: jpegMethod, measures: measuresImages)
    }

    /// Whether the pixels of each image are measured: in full mode, unless every check that
    /// needs the measures is switched off.
    public var measuresImages: Bool {
        mode == .full && !ignored.isSuperset(of: QualityThresholds.pixelRuleCodes)
    }
}

/// The service's limits, in one place.
public enum ServiceLimits {
    public static let minImageSide = 64
    public static let maxImageSide = 4096
    public static let maxImageBytes = 15 * 1024 * 1024
    public static let maxAspectRatio = 20.0
    public static let maxManifestBytes = 1024 * 1024 * 1024
    public static let maxLinesPerManifest = 250_000
    public static let maxLabelsPerManifest = 250
    public static let minClassificationLabels = 2
    public static let minDetectionLabels = 1
    public static let maxLabelsPerImage = 50
    public static let maxBoxesPerImage = 50
    public static let maxLabelNameLength = 256
    public static let downscaleLongSide = 1280.0
    public static let maxInvalidLineShare = 0.20
    public static let minLabelOverlap = 0.50
    public static let autoSplitTestShare = 0.20
    public static let maxTestImagesPerLabel = 1000
    /// Regions with smaller dataset quotas.
    public static let smallQuotaRegions: Set<String> = ["ap-south-1", "eu-west-2"]
    /// The regions Amazon Rekognition Custom Labels runs in.
    public static let regions = [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "eu-west-1", "eu-west-2", "eu-central-1",
        "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2",
    ]

    /// The service's name for a region given in any case, or nil when the service does not run there.
    public static func region(named name: String) -> String? {
        let lowered = name.lowercased()
        return regions.contains(lowered) ? lowered : nil
    }

    public static func maxImages(role: DatasetRole, region: String?) -> Int {
        if let region, smallQuotaRegions.contains(region) {
            return role == .training ? 28_000 : 7_000
        }
        return 250_000
    }
}
