import AsyncHTTPClient
import Foundation
import XCTest
@testable import PreflightS3

/// Our requests against botocore's signer: the same generated requests (awkward keys, listing
/// queries with prefixes and continuation tokens, ranges, session tokens) signed by both, with
/// fixed credentials and clock; the paths and the Authorization headers must match byte for byte.
final class BotocoreSignerTests: XCTestCase {
    /// A fixed-seed generator, so that a failure repeats.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = ["a", "Z9", " ", "  ", "+", "%", "%20", "=", "ü", "日本", "😀", "..", ".", "/", "~", "-_.",
                         "&", "?", "#", "'", "!", "(", ")", "*", ",", ";", ":", "@", "$", "\"", "Ω", "x"]

    func testOurSignaturesMatchBotocores() async throws {
        let python = try pythonWithBotocore()
        var random = SplitMix(state: 20_260_605)
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        func text(_ count: Int) -> String { (0..<count).map { _ in Self.pieces.randomElement(using: &random)! }.joined() }

        let client = try S3Client(configuration: S3Configuration(region: "us-east-1", endpoint: "http://127.0.0.1:9000"),
                                  credentials: CredentialsChain([]))
        var ours: [(path: String, authorization: String)] = []
        var cases: [[String: Any]] = []
        for index in 0..<240 {
            let region = ["us-east-1", "eu-west-1", "ap-southeast-2"].randomElement(using: &random)!
            let token: String? = index % 3 == 0 ? "FwoGZXIvYXdzE" + text(2) + "/+=" : nil
            let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE\(index)", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                             sessionToken: token, source: "test")
            let bucket = "bucket-\(index % 7)"
            var key: String? = text(Int.random(in: 1...6, using: &random))
            var query: [(String, String)] = []
            var headers: [(String, String)] = []
            var method = "GET"
            switch index % 4 {
            case 0:
                // ListObjectsV2 with a prefix, and a continuation token on some pages.
                query = [("list-type", "2"), ("encoding-type", "url"), ("prefix", key!)]
                if index % 8 == 0 { query.append(("continuation-token", "1" + text(3) + "==")) }
                if index % 16 == 0 { query.append(("max-keys", "1000")) }
                key = nil
            case 1:
                let start = Int.random(in: 0...10_000, using: &random)
                headers = [("range", "bytes=\(start)-\(start + Int.random(in: 0...65_535, using: &random))")]
            case 2:
                method = "HEAD"
            default:
                break
            }
            let request = client.signedRequest(method: .init(rawValue: method), bucket: bucket, key: key, query: query,
                                               headers: headers, body: [], payloadHash: SigV4Signer.emptyPayloadHash,
                                               region: region, credentials: credentials, date: date)
            let afterHost = request.url.dropFirst("http://127.0.0.1:9000".count)
            ours.append((String(afterHost.prefix { $0 != "?" }), request.headers.first(name: "authorization") ?? ""))
            cases.append([
                "method": method, "host": "127.0.0.1:9000", "bucket": bucket, "key": key as Any,
                "query": query.map { [$0.0, $0.1] }, "headers": headers.map { [$0.0 == "range" ? "Range" : $0.0, $0.1] },
                "region": region, "access_key": credentials.accessKeyId, "secret_key": credentials.secretAccessKey,
                "token": token as Any, "date": "20150830T123600Z",
            ])
        }
        await client.shutdown()

        let input = try JSONSerialization.data(withJSONObject: cases)
        let result = try runProcess(python, [scriptsFolder.appendingPathComponent("botocore_sign.py").path], input: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        let theirs = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [[String: String]])
        XCTAssertEqual(theirs.count, ours.count)
        var mismatches = 0
        for (index, (mine, botocore)) in zip(ours, theirs).enumerated() where mine.path != botocore["path"] || mine.authorization != botocore["authorization"] {
            mismatches += 1
            if mismatches <= 3 {
                XCTFail("request \(index) (\(cases[index]["key"] ?? "")):\n ours     \(mine.path)\n   \(mine.authorization)\n botocore \(botocore["path"] ?? "")\n   \(botocore["authorization"] ?? "")")
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
}
