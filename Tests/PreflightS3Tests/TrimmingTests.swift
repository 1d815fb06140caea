import Foundation
import XCTest
@testable import PreflightS3

/// The trimming that stands in for Foundation's in the shared config files and error
/// messages trims exactly the scalars Foundation's would.
final class TrimmingTests: XCTestCase {
    func testTrimmingMatchesFoundationForEveryScalar() {
        var differing: [String] = []
        for value in 0..<0x30000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(scalar)a \(scalar)b\(scalar)"
            if text.trimmingSpaces() != text.trimmingCharacters(in: .whitespaces)
                || Substring(text).trimmingSpacesAndNewlines() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                differing.append("U+" + String(value, radix: 16, uppercase: true))
            }
        }
        XCTAssertEqual(differing, [])
        XCTAssertEqual("  \t \u{3000}".trimmingSpaces(), "")
        XCTAssertEqual(" x\r\n".trimmingSpaces(), "x\r\n")
        XCTAssertEqual(" x\r\n".trimmingSpacesAndNewlines(), "x")
    }
}
