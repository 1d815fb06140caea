#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to standard output, flushed in large blocks.
public struct StandardOutput {
    private var buffer: [UInt8] = []
    public init() { buffer.reserveCapacity(1 << 16) }

    public mutating func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }
    public mutating func write(_ text: String) { write(Array(text.utf8)) }

    public mutating func flush() {
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue } else { break } }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
