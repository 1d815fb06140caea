import Dispatch

/// An `ObjectStore` for code that runs on its own threads (the check engine's workers): each
/// call starts the async operation and waits for it. Never call it from a Swift concurrency
/// task; it would block one of the pool's few threads.
public struct BlockingStore: Sendable {
    public let store: any ObjectStore

    public init(_ store: any ObjectStore) {
        self.store = store
    }

    public func info(of location: ObjectLocation) throws(StoreError) -> ObjectInfo {
        try wait { [store] () async throws(StoreError) in try await store.info(of: location) }
    }

    public func read(_ location: ObjectLocation, range: Range<Int>? = nil) throws(StoreError) -> ObjectRead {
        try wait { [store] () async throws(StoreError) in try await store.read(location, range: range) }
    }

    public func listPage(prefix: ObjectLocation, continuation: String?) throws(StoreError) -> ObjectPage {
        try wait { [store] () async throws(StoreError) in
            try await store.listPage(prefix: prefix, continuation: continuation)
        }
    }

    private func wait<T: Sendable>(
        _ operation: @escaping @Sendable () async throws(StoreError) -> T
    ) throws(StoreError) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(StoreError) {
                box.result = .success(try await operation())
            } catch {
                box.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Written once by the task before it signals, read once after the wait: the semaphore orders
/// the two, so no lock is needed.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, StoreError>?
}
