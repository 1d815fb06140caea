#if canImport(Glibc)
import Glibc
#endif
import PreflightStore

/// Manifests that live in a store (`s3://bucket/key`), each read once into a private scratch
/// folder, so that every pass over its lines reads the local copy. The copies are removed
/// when this is released, and on Ctrl-C.
public final class StoredManifests {
    private let store: BlockingStore
    private var scratch: ScratchFolder?
    private var copies = 0
    /// A manifest is read in ranges of this size: memory stays bounded however large it is.
    static let chunk = 8 << 20

    public init(store: any ObjectStore) {
        self.store = BlockingStore(store)
    }

    /// True when `name` is a manifest in a store rather than a local file.
    public static func isStored(_ name: String) -> Bool { name.hasPrefix("s3://") && !name.hasSuffix("/") }

    /// The manifest at `name`, read into a local file, as an input that reports name `name`.
    public func fetch(_ name: String, role: DatasetRole) throws(OperationError) -> ManifestInput {
        guard let location = ObjectLocation(name), case .s3 = location else {
            throw OperationError("\(name) is not an S3 object (s3://BUCKET/KEY)")
        }
        if scratch == nil { scratch = try ScratchFolder() }
        copies += 1
        let path = scratch!.path + "/\(copies)-\(role.rawValue).manifest"
        scratch!.remember(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OperationError("cannot write a copy of \(name) in \(scratch!.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        var first: ObjectInfo?
        repeat {
            let read: ObjectRead
            do throws(StoreError) {
                read = try store.read(location, range: offset..<(offset + Self.chunk))
            } catch {
                throw OperationError("cannot read the manifest \(name): \(error.description)")
            }
            if offset == 0, read.info.size > ServiceLimits.maxManifestBytes {
                throw OperationError("the manifest \(name) is \(read.info.size) bytes, over the service's limit of \(ServiceLimits.maxManifestBytes) bytes: the service refuses it; split it (`preflight manifest split`)")
            }
            if let first, first.tag != read.info.tag || first.size != read.info.size {
                throw OperationError("the manifest \(name) changed while it was read; run the check again")
            }
            first = first ?? read.info
            var written = 0
            while written < read.bytes.count {
                let n = read.bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, read.bytes.count - written) }
                guard n > 0 else { throw OperationError("cannot write a copy of \(name): \(String(cString: strerror(errno)))") }
                written += n
            }
            offset += read.bytes.count
            if read.bytes.isEmpty { break }
        } while offset < first!.size
        return ManifestInput(path: path, role: role, name: name)
    }
}
