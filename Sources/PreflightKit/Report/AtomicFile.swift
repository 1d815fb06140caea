#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that a reader sees the old content or the new, never half of either:
/// the bytes go to a temporary file in the same folder, then replace the target by rename.
/// If anything fails, the temporary file is removed and the old file is left as it was.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Buffered output to the temporary file.
    public struct Sink {
        fileprivate let fd: Int32
        fileprivate var buffer: [UInt8] = []
        fileprivate var failure: Int32 = 0

        public mutating func write(_ bytes: [UInt8]) {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 20 { flush() }
        }

        fileprivate mutating func flush() {
            guard failure == 0 else { buffer.removeAll(); return }
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue }; failure = errno; break }
                    offset += n
                }
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        try write(to: path) { $0.write(bytes) }
    }

    /// Calls `produce` to write the file's content through a sink, then puts the file in place.
    public static func write(to path: String, _ produce: (inout Sink) -> Void) throws(WriteError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let cleanup = InterruptCleanup.remember(temporary)
        defer { InterruptCleanup.forget(cleanup) }
        var sink = Sink(fd: fd)
        produce(&sink)
        sink.flush()
        var failure = sink.failure
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        fchmod(fd, 0o644)
        close(fd)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(failure)))")
        }
    }
}
