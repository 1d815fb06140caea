#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a store knows about one object without reading it: enough to decide whether a cached
/// verdict still holds (size and tag) and to refuse an oversized object before downloading it.
public struct ObjectInfo: Hashable, Sendable {
    public var location: ObjectLocation
    public var size: Int
    /// The store's version tag: S3's ETag without its quotes; for a local file, whatever its
    /// store derives (e.g. modification time and inode).
    public var tag: String?
    public var lastModified: Date?

    public init(location: ObjectLocation, size: Int, tag: String?, lastModified: Date?) {
        self.location = location
        self.size = size
        self.tag = tag
        self.lastModified = lastModified
    }
}

/// The bytes of one read: the whole object or the range asked for, with the object's total
/// size and tag as the same response gave them, so that a ranged read of a header still knows
/// the file's length.
public struct ObjectRead: Sendable {
    public var info: ObjectInfo
    public var bytes: [UInt8]
    /// The byte range these bytes cover within the object.
    public var range: Range<Int>

    public init(info: ObjectInfo, bytes: [UInt8], range: Range<Int>) {
        self.info = info
        self.bytes = bytes
        self.range = range
    }
}

/// One page of a listing. `continuation` is nil on the last page.
public struct ObjectPage: Sendable {
    public var objects: [ObjectInfo]
    public var continuation: String?

    public init(objects: [ObjectInfo], continuation: String?) {
        self.objects = objects
        self.continuation = continuation
    }
}
