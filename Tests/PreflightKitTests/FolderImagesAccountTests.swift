import Testing
@testable import PreflightKit
import PreflightTestSupport

@Suite("What a folder check says it read")
struct FolderImagesAccountTests {
    /// A folder's labelled images (six: the seventh lies at the top) are read through a mapping
    /// the user never gave; the account of the images (every report's "images:" sentence, and
    /// `integrity_checked`) counts them as read.
    @Test func aLocalFoldersImagesAreCountedAsReadAndChecked() throws {
        let tree = try TemporaryTree(alexaDevices)
        let result = try checkFolder(tree.path("alexa-devices"))
        #expect(result.imagesExamined == 6)
        #expect(result.imagesStatement == "6 distinct images named; 6 read; all their image data checked")
        #expect(result.integrityChecked)
        // The user's own options stay those reported: no mapping appears that was not given.
        #expect(result.options.resolver.mappings.isEmpty)
    }
}
