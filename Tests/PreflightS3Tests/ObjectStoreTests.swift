import Foundation
import PreflightStore
import XCTest

/// The store's own vocabulary: locations as the user writes them, the bounded-concurrency helper.
final class ObjectStoreTests: XCTestCase {
    func testLocationsParseAndPrintAsWritten() {
        XCTAssertEqual(ObjectLocation("s3://bucket/a b/../c+d.png"), .s3(bucket: "bucket", key: "a b/../c+d.png"))
        XCTAssertEqual(ObjectLocation("s3://bucket//double"), .s3(bucket: "bucket", key: "/double"))
        XCTAssertEqual(ObjectLocation("s3://bucket"), .s3(bucket: "bucket", key: ""))
        XCTAssertEqual(ObjectLocation("images/a.png"), .file(path: "images/a.png"))
        XCTAssertNil(ObjectLocation("s3:///key"))
        XCTAssertNil(ObjectLocation("https://example.com/a.png"))
        XCTAssertNil(ObjectLocation(""))
        for text in ["s3://bucket/a b/../c+d.png", "/data/x.jpg", "s3://b/"] {
            XCTAssertEqual(ObjectLocation(text)?.description, text)
        }
        XCTAssertEqual(ObjectLocation.s3(bucket: "b", key: "k").bucket, "b")
    }

    actor InFlight {
        var now = 0, most = 0
        func enter() { now += 1; most = max(most, now) }
        func leave() { now -= 1 }
    }

    func testMapConcurrentlyKeepsToItsLimitAndTheOrder() async {
        let inFlight = InFlight()
        let results = await mapConcurrently(Array(0..<40), limit: 3) { value -> Int in
            await inFlight.enter()
            try? await Task.sleep(nanoseconds: UInt64(1_000_000 * (value % 4 + 1)))
            await inFlight.leave()
            return value * 2
        }
        XCTAssertEqual(results, (0..<40).map { $0 * 2 })
        let most = await inFlight.most
        XCTAssertEqual(most, 3)
    }
}
