import Foundation
import Testing
@testable import PreflightKit
import PreflightStore

/// How a re-run confirms cached objects: few listings, each over the images' folders.
@Suite("Listings that confirm cached objects")
struct StoreListingTests {
    @Test func oneFolderIsOneListing() {
        let keys = (0..<2500).map { "data/images/\($0).jpg" }
        #expect(StoreImages.listingPrefixes(keys, budget: 2) == ["data/images/"])
    }

    @Test func foldersInsideAListedFolderAreNotListedAgain() {
        let keys = ["a/x.jpg", "a/b/y.jpg", "a/b/c/z.jpg", "d/w.jpg"]
        #expect(StoreImages.listingPrefixes(keys, budget: 10) == ["a/", "d/"])
    }

    @Test func labelFoldersMergeIntoTheirParentWithinTheBudget() {
        // 10 label folders of 50 images: 500 images allow one listing, of the folders' parent.
        let keys = (0..<10).flatMap { label in (0..<50).map { "set/label\(label)/\($0).png" } }
        #expect(StoreImages.listingPrefixes(keys, budget: max(1, keys.count / 1000)) == ["set/"])
        // Two datasets apart: merged only as far as needed.
        let two = (0..<3000).map { "one/a/\($0).jpg" } + (0..<3000).map { "two/b/\($0).jpg" }
        #expect(StoreImages.listingPrefixes(two, budget: 6) == ["one/a/", "two/b/"])
        #expect(StoreImages.listingPrefixes(two, budget: 1) == [""])
    }

    @Test func theCacheIdentityOfAnObjectChangesWithItsTagSizeOrTime() {
        let location = ObjectLocation.s3(bucket: "b", key: "k.jpg")
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let base = StoreImages.identity(ObjectInfo(location: location, size: 10, tag: "abc", lastModified: date))
        // A listing's time has milliseconds, a GET's header whole seconds: the same object.
        #expect(base == StoreImages.identity(ObjectInfo(location: location, size: 10, tag: "abc", lastModified: Date(timeIntervalSince1970: 1_700_000_000))))
        #expect(base != StoreImages.identity(ObjectInfo(location: location, size: 10, tag: "abd", lastModified: date)))
        #expect(base != StoreImages.identity(ObjectInfo(location: location, size: 11, tag: "abc", lastModified: date)))
        #expect(base != StoreImages.identity(ObjectInfo(location: location, size: 10, tag: "abc", lastModified: date + 5)))
        #expect(base != StoreImages.identity(ObjectInfo(location: .s3(bucket: "b", key: "other.jpg"), size: 10, tag: "abc", lastModified: date)))
    }

    @Test func onlyASinglePartETagProvesTheBytes() {
        let md5 = "9e107d9d372bb6826bd81d3542a419d6"
        #expect(StoreImages.tagsProveSameBytes(md5, md5))
        #expect(!StoreImages.tagsProveSameBytes(md5, "e4d909c290d0fb1ca068ffaddf22cbd0"))
        #expect(!StoreImages.tagsProveSameBytes("9e107d9d372bb6826bd81d3542a419d6-2", "9e107d9d372bb6826bd81d3542a419d6-2"))
        #expect(!StoreImages.tagsProveSameBytes(nil, nil))
    }
}
