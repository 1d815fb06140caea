#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Paths to remove if the run is interrupted: temporary files being written and scratch
/// folders. `removeAll()` only calls unlink and rmdir on fixed buffers, so a signal handler
/// may call it.
public enum InterruptCleanup {
    static let slotCount = 32
    static let slotSize = Int(PATH_MAX) + 1

    nonisolated(unsafe) private static let storage: UnsafeMutablePointer<CChar> = {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotSize)
        buffer.initialize(repeating: 0, count: slotCount * slotSize)
        return buffer
    }()
    private static let used = Mutex<[Bool]>(Array(repeating: false, count: slotCount))

    /// Remembers `path`; returns a token for `forget`, or nil when every slot is taken
    /// (the path is then simply not cleaned up on interrupt).
    public static func remember(_ path: String) -> Int? {
        let bytes = Array(path.utf8)
        guard bytes.count < slotSize else { return nil }
        guard let slot = used.withLock({ used -> Int? in
            guard let free = used.firstIndex(of: false) else { return nil }
            used[free] = true
            return free
        }) else { return nil }
        let base = storage + slot * slotSize
        for (index, byte) in bytes.enumerated() { base[index + 1] = CChar(bitPattern: byte) }
        base[bytes.count + 1] = 0
        base[0] = CChar(bitPattern: bytes.first ?? 0) // written last: the slot is live from here
        return slot
    }

    public static func forget(_ slot: Int?) {
        guard let slot else { return }
        storage[slot * slotSize] = 0
        used.withLock { $0[slot] = false }
    }

    /// Removes every remembered path: files first, then (now empty) folders.
    public static func removeAll() {
        for pass in 0..<2 {
            for slot in 0..<slotCount {
                let base = storage + slot * slotSize
                guard base[0] != 0 else { continue }
                let path = base + 1
                if pass == 0 { unlink(path) } else { rmdir(path) }
            }
        }
    }
}

/// A Ctrl-C while images are being examined: the images under way are finished, no new one
/// is started, and what was learnt is kept in the result cache, so that the next run goes
/// on from there. A second Ctrl-C, or one at any other moment, stops at once.
public enum Interruption {
    private static let state = Atomic<Int>(0)
    private static let idle = 0, examining = 1, requested = 2

    /// True once a Ctrl-C asked the examination to wind down.
    public static var isRequested: Bool { state.load(ordering: .relaxed) == requested }

    /// Called from the signal handler: true when the run winds down by itself, false when
    /// the caller must stop the process at once. Async-signal-safe (one atomic exchange).
    public static func request() -> Bool {
        state.compareExchange(expected: examining, desired: requested, ordering: .relaxed).exchanged
    }

    /// Runs `body` with Ctrl-C winding the examination down rather than stopping the process.
    static func windingDown<T>(_ body: () -> T) -> T {
        _ = state.compareExchange(expected: idle, desired: examining, ordering: .relaxed)
        defer { _ = state.compareExchange(expected: examining, desired: idle, ordering: .relaxed) }
        return body()
    }
}
