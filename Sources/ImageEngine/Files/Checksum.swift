#if canImport(Glibc)
import Glibc
#endif
import CPNGShim

/// zlib's CRC-32: a fast first test of whether two files can be equal, and an exact
/// byte-for-byte comparison for those that pass it. Files are streamed in 1 MiB pieces,
/// so neither holds a file in memory.
public enum Checksum {
    static let pieceSize = 1 << 20

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        crc32(bytes[...])
    }

    public static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.isEmpty ? 0 : pf_crc32(0, buffer.baseAddress!, buffer.count)
        }
    }

    /// The CRC-32 of the first `limit` bytes of the file (all of it by default), or nil
    /// when it cannot be read.
    public static func crc32(path: String, limit: Int = Int.max) -> UInt32? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: min(pieceSize, max(limit, 1)))
        var crc: UInt32 = 0
        var remaining = limit
        while remaining > 0 {
            let wanted = min(buffer.count, remaining)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, wanted) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            crc = buffer.withUnsafeBufferPointer { pf_crc32(crc, $0.baseAddress!, n) }
            remaining -= n
        }
        return crc
    }

    /// True when the two files have the same bytes; false also when either cannot be read.
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        let fa = open(a, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fa >= 0 else { return false }
        defer { close(fa) }
        let fb = open(b, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fb >= 0 else { return false }
        defer { close(fb) }
        var left = [UInt8](repeating: 0, count: pieceSize)
        var right = [UInt8](repeating: 0, count: pieceSize)
        while true {
            let n = fill(fa, &left)
            let m = fill(fb, &right)
            guard n == m, n >= 0 else { return false }
            if n == 0 { return true }
            if memcmp(left, right, n) != 0 { return false }
        }
    }

    /// Reads until the buffer is full or the file ends; the count, or -1 on error.
    private static func fill(_ fd: Int32, _ buffer: inout [UInt8]) -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 { if errno == EINTR { continue }; return -1 }
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
