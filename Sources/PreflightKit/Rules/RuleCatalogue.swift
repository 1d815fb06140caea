/// Every rule Preflight knows, in the order the engine runs them. Adding a rule means
/// adding its type here; `preflight rules`, the documentation and the example tests all
/// read this list.
public enum RuleCatalogue {
    /// Checked before any line is read; a finding ends the manifest's check.
    public static let manifestFileRules: [any ManifestFileRule.Type] = [
        ManifestInaccessibleOrUnsupportedFormat.self,
        EmptyManifest.self,
        ManifestSizeTooLarge.self,
        ManifestUTF16.self,
        ManifestJSONArray.self,
    ]

    /// Checked on every line, in this order: later rules see the effects of earlier ones
    /// (dropped boxes, invalid attributes).
    public static let lineRules: [any LineRule.Type] = [
        // the line as a whole
        InvalidJSONLine.self,
        MissingSourceRef.self,
        InvalidSourceRefFormat.self,
        DuplicateJSONKey.self,
        UnannotatedRecord.self,
        NoLabelAttributes.self,
        SourceRefEscapesRoot.self,
        SourceRefUnmapped.self,
        // label attributes and their metadata
        UnsupportedUseCaseType.self,
        InvalidLabelAttributeMetadataFormat.self,
        InvalidLabelAttributeFormat.self,
        MissingBoundingBoxConfidence.self,
        MissingClassMapID.self,
        InvalidLabelNameLength.self,
        TooManyBoundingBoxes.self,
        NoAttributeAnnotations.self,
        // the image
        InvalidImage.self,
        InvalidImageDimension.self,
        FormatExtensionMismatch.self,
        TrailingData.self,
        ImageNotDecoded.self,
        ImageAccessDenied.self,
        ImageUnavailable.self,
        UnusualEncoding.self,
        EXIFOrientationTransform.self,
        ImageSizeMismatch.self,
        // boxes against the image
        InvalidBoundingBox.self,
        BoundingBoxTooSmall.self,
        NoValidAnnotations.self,
        // the line's outcome
        TooManyLabelsPerImage.self,
        NoValidLabelAttributes.self,
        NoAnnotations.self,
        // advice on the boxes the service keeps, on the lines it uses
        BoxCoversImage.self,
        OverlappingBoxes.self,
        TinyBox.self,
        // advice on what the pixels show (full mode)
        LowInformationImage.self,
        BlurryImage.self,
        DarkImage.self,
        BrightImage.self,
    ]

    /// Checked once per manifest after all its lines (project rules on the test manifest).
    public static let datasetRules: [any DatasetRule.Type] = [
        TooManyInvalidRows.self,
        ImagesInMultipleBuckets.self,
        ManifestTooFewLabels.self,
        ManifestTooManyLabels.self,
        ManifestTooFewUsableLabels.self,
        InsufficientImagesPerLabelForAutosplit.self,
        InsufficientLabelOverlap.self,
        InsufficientUsableLabelOverlap.self,
        TooManyLines.self,
        TooManyImages.self,
        ImagesNotChecked.self,
        ImagesMostlyMissing.self,
        MixedUseCase.self,
        ClassMapConflict.self,
        LabelNameVariant.self,
        DuplicateImage.self,
        TrainTestOverlap.self,
        NearDuplicateImage.self,
        TrainTestNearDuplicate.self,
        RareBoxLabel.self,
        LabelImbalance.self,
        LabelShift.self,
    ]

    /// Checked on the files and folders of a folder dataset (`preflight check DIR`), besides
    /// every rule above on the manifest the folder makes.
    public static let folderRules: [any FolderRule.Type] = [
        FolderUnlabeledImage.self,
        FolderNotAnImage.self,
        FolderUnsupportedImage.self,
        FolderHiddenEntry.self,
        FolderSymlinkLoop.self,
        FolderSymlinkOutside.self,
        FolderUnreadable.self,
        FolderNestedLabels.self,
    ]

    /// Every definition: manifest-file rules, line rules, dataset rules, folder rules.
    public static let all: [RuleDefinition] =
        manifestFileRules.map { $0.definition } + lineRules.map { $0.definition } + datasetRules.map { $0.definition }
            + folderRules.map { $0.definition }

    public static func definition(code: String) -> RuleDefinition? {
        all.first { $0.code == code.uppercased() }
    }
}
