#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ImageEngine
import PreflightStore

extension FolderWalker {
    /// True when `text` names a folder in a store: `s3://bucket/` or `s3://bucket/prefix/`.
    public static func isStoreFolder(_ text: String) -> Bool {
        text.hasPrefix("s3://") && text.hasSuffix("/") && FolderManifest.prefix(text) != nil
    }

    /// Lists a folder dataset in a store (`s3://bucket/prefix/`) as the service imports it from
    /// that S3 location: the same labels and the same entries left out as `walk` finds in a
    /// local copy, from the listing alone. Only objects that are neither named as images nor
    /// hidden have their first bytes read, to tell an image in another format from a file that
    /// is no image. Keys ending in `/` (the console's folder markers) are no entries.
    public static func list(_ folder: String, location: String? = nil, store: any ObjectStore) throws(FolderError) -> FolderListing {
        guard let prefix = FolderManifest.prefix(folder), case let .s3(bucket, keyPrefix)? = ObjectLocation(prefix) else {
            throw FolderError("\(folder) is not an S3 folder (s3://BUCKET/PREFIX/)")
        }
        var listing = FolderListing(folder: String(prefix.dropLast()), location: try normalized(location, in: folder))
        let start = keyPrefix + (listing.location.map { $0 + "/" } ?? "")
        let blocking = BlockingStore(store)
        var objects: [ObjectInfo] = []
        var continuation: String?
        do throws(StoreError) {
            repeat {
                let page = try blocking.listPage(prefix: .s3(bucket: bucket, key: start), continuation: continuation)
                objects += page.objects
                continuation = page.continuation
            } while continuation != nil
        } catch {
            throw FolderError("cannot list \(prefix): \(error.description)")
        }
        if objects.isEmpty, listing.location != nil {
            throw FolderError("--location \(location ?? ""): no object lies under s3://\(bucket)/\(start)")
        }
        var hiddenFolders = Set<String>()
        for object in objects {
            guard case let .s3(_, fullKey) = object.location, !fullKey.hasSuffix("/") else { continue }
            let key = String(fullKey.dropFirst(keyPrefix.count))
            let path = listing.folder + "/" + key
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            // A hidden folder is not walked: it is left out once, as a folder.
            if let hidden = parts.dropLast().firstIndex(where: { $0.hasPrefix(".") }) {
                let folderKey = parts[...hidden].joined(separator: "/")
                if hiddenFolders.insert(folderKey).inserted {
                    listing.skipped.append(.init(key: folderKey, path: listing.folder + "/" + folderKey, skip: .hidden(isFolder: true)))
                }
                continue
            }
            let name = parts.last.map(String.init) ?? key
            if name.hasPrefix(".") {
                listing.skipped.append(.init(key: key, path: path, skip: .hidden(isFolder: false)))
                continue
            }
            let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
            if imageExtensions.contains(ext) {
                let modified = object.lastModified?.timeIntervalSince1970 ?? 0
                let seconds = modified.rounded(.down)
                listing.addImage(key: key, path: path, modifiedSeconds: Int(seconds),
                                 nanoseconds: Int(((modified - seconds) * 1e9).rounded()))
                continue
            }
            switch Result(catching: { () throws(StoreError) in try blocking.read(object.location, range: 0..<ImageFormat.sniffLength) }) {
            case .success(let head):
                let format = ImageFormat.sniff(head.bytes)
                listing.skipped.append(.init(key: key, path: path, skip: format == .unknown ? .notAnImage(kind: "file") : .unsupportedImage(format: format)))
            case .failure(let error):
                listing.skipped.append(.init(key: key, path: path, skip: .unreadable(reason: error.description)))
            }
        }
        // Key order per path component, as the local walk gives it ('/' sorts before any other byte).
        func order(_ a: String, _ b: String) -> Bool {
            a.split(separator: "/", omittingEmptySubsequences: false).map { Array($0.utf8) }
                .lexicographicallyPrecedes(b.split(separator: "/", omittingEmptySubsequences: false).map { Array($0.utf8) }) {
                    $0.lexicographicallyPrecedes($1)
                }
        }
        listing.images.sort { order($0.key, $1.key) }
        listing.skipped.sort { order($0.key, $1.key) }
        return listing
    }
}
