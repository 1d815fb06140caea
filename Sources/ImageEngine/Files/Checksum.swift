import CPNGShim

/// zlib's CRC-32 of a file's bytes: a fast first test of whether two files can be equal.
public enum Checksum {
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.isEmpty ? 0 : pf_crc32(0, buffer.baseAddress!, buffer.count)
        }
    }
}
