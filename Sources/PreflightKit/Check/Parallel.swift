import Dispatch
import Synchronization

/// Work spread over a fixed number of threads, results in input order.
enum Parallel {
    /// `transform` applied to every element on up to `jobs` threads; results in input order,
    /// written straight into the result's storage (each slot exactly once).
    static func map<Item: Sendable, T: Sendable>(_ items: [Item], jobs: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
                                                 _ transform: @escaping @Sendable (Item) -> T) -> [T] {
        guard !items.isEmpty else { return [] }
        let workers = max(1, min(jobs, items.count))
        if workers == 1 {
            return items.enumerated().map { index, item in
                defer { progress?(index + 1, items.count) }
                return transform(item)
            }
        }
        return fill(items, progress: progress, transform) { work in
            DispatchQueue.concurrentPerform(iterations: workers) { _ in work() }
        }
    }

    /// The results of `transform` on `items`, in order, computed by the workers `run` starts:
    /// each runs the work it is handed, which takes items one at a time until none is left.
    private static func fill<Item: Sendable, T: Sendable>(_ items: [Item], progress: (@Sendable (Int, Int) -> Void)?,
                                                          _ transform: @escaping @Sendable (Item) -> T,
                                                          run: (@escaping @Sendable () -> Void) -> Void) -> [T] {
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        return [T](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            let slots = Slots(base: buffer.baseAddress!)
            run {
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= items.count { break }
                    (slots.base + i).initialize(to: transform(items[i]))
                    let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                    progress?(finished, items.count)
                }
            }
            initialized = items.count
        }
    }
}

/// The result storage shared by the workers of `Parallel.map`; each index is written by one worker only.
private struct Slots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Hands a value that is not `Sendable` from the thread that made it to the one that uses
/// it; no two threads ever hold it at once.
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
}

#if canImport(Glibc)
import Glibc
#endif

extension Parallel {
    /// As `map`, on `threads` threads of its own rather than Dispatch's pool (as wide as the
    /// cores): for work that mostly waits, such as requests to an object store.
    static func mapOnThreads<Item: Sendable, T: Sendable>(_ items: [Item], threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
                                                         _ transform: @escaping @Sendable (Item) -> T) -> [T] {
        guard !items.isEmpty else { return [] }
        let workers = max(1, min(threads, items.count))
        return fill(items, progress: progress, transform) { work in
            var handles: [pthread_t] = []
            for _ in 0..<workers {
                let box = Unmanaged.passRetained(ThreadWork(work)).toOpaque()
                var handle = pthread_t()
                if pthread_create(&handle, nil, { raw in
                    let work = Unmanaged<ThreadWork>.fromOpaque(raw!).takeRetainedValue()
                    work.body()
                    return nil
                }, box) == 0 {
                    handles.append(handle)
                } else {
                    Unmanaged<ThreadWork>.fromOpaque(box).release()
                }
            }
            // Without a thread of its own (none could be made), the caller does the work.
            if handles.isEmpty { work() }
            for handle in handles { pthread_join(handle, nil) }
        }
    }
}

private final class ThreadWork: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
