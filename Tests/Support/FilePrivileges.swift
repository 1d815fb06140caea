#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on this thread with file permissions enforced even for root: the thread's
/// filesystem user becomes `nobody`, which drops CAP_DAC_OVERRIDE for this thread only.
public func withoutFileAccessPrivileges<T>(_ body: () -> T) -> T {
    guard geteuid() == 0, let symbol = dlsym(nil, "setfsuid") else { return body() }
    typealias SetFSUID = @convention(c) (UInt32) -> Int32
    let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
    _ = setfsuid(65534)
    defer { _ = setfsuid(0) }
    return body()
}
