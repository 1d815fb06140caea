import Crypto

/// The SHA-256 that `--cache-verify` compares before trusting a cache entry. swift-crypto's
/// (BoringSSL's assembly on Linux, CryptoKit on Apple platforms) hashes the bytes where they
/// lie, without a copy. The hex matches `sha256sum`, so an entry can be checked by hand.
public enum ContentHash {
    /// The lower-case hex SHA-256 digest of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(bytes.withUnsafeBytes { SHA256.hash(data: $0) })
    }

    /// Bytes as lower-case hex, two digits each.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
