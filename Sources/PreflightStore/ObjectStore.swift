/// Where bytes come from. Callers hold an `ObjectStore` and never know whether it is local
/// files or S3; each operation fails with a `StoreError` value.
public protocol ObjectStore: Sendable {
    /// Size, tag and modification time of one object, without its bytes.
    func info(of location: ObjectLocation) async throws(StoreError) -> ObjectInfo

    /// The whole object (`range` nil) or the bytes of `range`, clamped to the object's end.
    func read(_ location: ObjectLocation, range: Range<Int>?) async throws(StoreError) -> ObjectRead

    /// One page of the objects whose location starts with `prefix`, in key order; pass the
    /// previous page's `continuation` for the next.
    func listPage(prefix: ObjectLocation, continuation: String?) async throws(StoreError) -> ObjectPage
}

extension ObjectStore {
    public func read(_ location: ObjectLocation) async throws(StoreError) -> ObjectRead {
        try await read(location, range: nil)
    }

    /// Every page of a listing, one request at a time, handed to `body` as it arrives so that
    /// a large listing is never held whole.
    public func list(
        prefix: ObjectLocation,
        _ body: ([ObjectInfo]) throws(StoreError) -> Void
    ) async throws(StoreError) {
        var continuation: String? = nil
        repeat {
            let page = try await listPage(prefix: prefix, continuation: continuation)
            try body(page.objects)
            continuation = page.continuation
        } while continuation != nil
    }
}
