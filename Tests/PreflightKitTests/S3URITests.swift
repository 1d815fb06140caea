import Testing
@testable import PreflightKit

@Suite("s3:// references")
struct S3URITests {
    @Test func bucketAndKeyAreSplitAtTheFirstSlash() throws {
        let uri = try #require(S3URI("s3://my-bucket/a/b c/é.jpg"))
        #expect(uri.bucket == "my-bucket")
        #expect(uri.key == "a/b c/é.jpg")
        #expect(uri.description == "s3://my-bucket/a/b c/é.jpg")
    }

    @Test(arguments: ["", "s3://", "s3:///key", "s3://bucket", "s3://bucket/", "S3://bucket/key", "s3:/bucket/key",
                      "https://bucket/key", "s3://buck et/key", "s3://buck\net/key", "s3://buck\r/key",
                      "s3://buck\u{85}et/key", "s3://buck\u{2028}et/key"])
    func malformedReferencesAreRefused(_ text: String) {
        #expect(S3URI(text) == nil)
    }

    @Test func aKeyMayHoldAnything() {
        #expect(S3URI("s3://b/ key with spaces\n")?.key == " key with spaces\n")
        #expect(S3URI("s3://bücket/k")?.bucket == "bücket")
    }
}
