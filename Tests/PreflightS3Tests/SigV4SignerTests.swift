import Foundation
import XCTest
@testable import PreflightS3

/// The signer against AWS's published examples: the SigV4 test suite (service `service`) and
/// the worked S3 examples of the S3 API reference.
final class SigV4SignerTests: XCTestCase {
    // 2015-08-30T12:36:00Z, the test suite's clock.
    let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)
    let suiteCredentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE",
                                          secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", source: "test")

    func suiteSignature(_ method: String, query: [(name: String, value: String)] = []) -> String {
        let request = SignableRequest(method: method, path: "/", query: query,
                                      headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")])
        return SigV4Signer(region: "us-east-1", service: "service")
            .authorization(for: request, payloadHash: SigV4Signer.emptyPayloadHash, credentials: suiteCredentials, date: suiteDate)
    }

    func testTheTestSuiteVectors() {
        let prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
        // get-vanilla
        XCTAssertEqual(suiteSignature("GET"), prefix + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        // post-vanilla
        XCTAssertEqual(suiteSignature("POST"), prefix + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
        // get-vanilla-query-order-key-case: parameters sorted by name before signing.
        XCTAssertEqual(suiteSignature("GET", query: [("Param2", "value2"), ("Param1", "value1")]),
                       prefix + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        // get-vanilla-empty-query-key
        XCTAssertEqual(suiteSignature("GET", query: [("Param1", "value1")]),
                       prefix + "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb")
    }

    // The S3 API reference's examples: examplebucket, 2013-05-24T00:00:00Z.
    let s3Credentials = AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                                       secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", source: "test")
    let s3Date = Date(timeIntervalSince1970: 1_369_353_600)

    func testTheS3ReferenceGetObjectExample() {
        let request = SignableRequest(method: "GET", path: "/test.txt",
                                      headers: [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9")])
        let headers = SigV4Signer(region: "us-east-1").s3Headers(for: request, payloadHash: SigV4Signer.emptyPayloadHash,
                                                                 credentials: s3Credentials, date: s3Date)
        XCTAssertEqual(headers.map(\.name), ["x-amz-date", "x-amz-content-sha256", "authorization"])
        XCTAssertEqual(headers[0].value, "20130524T000000Z")
        XCTAssertEqual(headers[2].value, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    func testTheS3ReferenceListObjectsExample() {
        let request = SignableRequest(method: "GET", path: "/", query: [("max-keys", "2"), ("prefix", "J")],
                                      headers: [("host", "examplebucket.s3.amazonaws.com")])
        let headers = SigV4Signer(region: "us-east-1").s3Headers(for: request, payloadHash: SigV4Signer.emptyPayloadHash,
                                                                 credentials: s3Credentials, date: s3Date)
        XCTAssertTrue(headers.last!.value.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
                      headers.last!.value)
    }

    func testASessionTokenIsSentAndSigned() {
        var credentials = s3Credentials
        credentials.sessionToken = "token/with+odd=chars"
        let request = SignableRequest(method: "GET", path: "/k", headers: [("host", "b.s3.us-east-1.amazonaws.com")])
        let headers = SigV4Signer(region: "us-east-1").s3Headers(for: request, payloadHash: SigV4Signer.unsignedPayload,
                                                                 credentials: credentials, date: s3Date)
        XCTAssertEqual(headers.first { $0.name == "x-amz-security-token" }?.value, "token/with+odd=chars")
        XCTAssertEqual(headers.first { $0.name == "x-amz-content-sha256" }?.value, "UNSIGNED-PAYLOAD")
        XCTAssertTrue(headers.last!.value.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    func testKeysAreEncodedSegmentBySegment() {
        XCTAssertEqual(S3URIEncoding.encodeKey("a b/c+d%e=f/ü/../x~y_z-.png"),
                       "a%20b/c%2Bd%25e%3Df/%C3%BC/../x~y_z-.png")
        XCTAssertEqual(S3URIEncoding.encode("a/b c"), "a%2Fb%20c")
        XCTAssertEqual(S3URIEncoding.decodeListingKey("a+b%2Bc%C3%BC"), "a b+cü")
        XCTAssertNil(S3URIEncoding.decodeListingKey("bad%4"))
    }

    func testDatesInEveryFormatS3Uses() {
        XCTAssertEqual(HTTPDates.amzDate(suiteDate), "20150830T123600Z")
        XCTAssertEqual(HTTPDates.parseHTTPDate("Sun, 30 Aug 2015 12:36:00 GMT"), suiteDate)
        XCTAssertEqual(HTTPDates.parseISO8601("2015-08-30T12:36:00.000Z"), suiteDate)
        XCTAssertEqual(HTTPDates.parseISO8601("2015-08-30T12:36:00Z"), suiteDate)
        XCTAssertNil(HTTPDates.parseISO8601("2015-13-30T12:36:00Z"))
        XCTAssertEqual(HTTPDates.amzDate(Date(timeIntervalSince1970: 951_782_400)), "20000229T000000Z")
    }
}
