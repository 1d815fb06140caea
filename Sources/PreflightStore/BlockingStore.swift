import Dispatch

/// An `ObjectStore` for code that runs on its own threads (the check engine's workers): each
/// call starts the async operation and waits for it. The operation runs on an executor of its
/// own, not Swift's shared pool, so that a wait never depends on a pool thread being free (a
/// caller may itself be holding one: a test, say).
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
        Task(executorPreference: StoreExecutor.shared) {
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

/// Runs the store's async work on a dispatch queue of its own. Its jobs are short (signing,
/// parsing; the network waits happen on the HTTP client's own threads), so one queue serves.
final class StoreExecutor: TaskExecutor {
    static let shared = StoreExecutor()
    private let queue = DispatchQueue(label: "preflight.store")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
