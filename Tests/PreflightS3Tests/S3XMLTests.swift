import XCTest
@testable import PreflightS3

final class S3XMLTests: XCTestCase {
    func testAListingPageWithEncodedKeysAndAContinuation() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>img/</Prefix>
          <KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
          <Contents><Key>img/a+b%2Bc.png</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key>img/%C3%BC/../x.jpg</Key><Size>0</Size><ETag>"e&amp;t"</ETag></Contents>
          <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
        </ListBucketResult>
        """
        let page = try ListObjectsPage.parse(Array(xml.utf8))
        XCTAssertEqual(page.entries.map(\.key), ["img/a b+c.png", "img/ü/../x.jpg"])
        XCTAssertEqual(page.entries.map(\.size), [434_234, 0])
        XCTAssertEqual(page.entries.map(\.eTag), ["fba9dede5f27731c9771645a39863328", "e&t"])
        XCTAssertEqual(page.entries[0].lastModified, "2009-10-12T17:50:30.000Z")
        XCTAssertEqual(page.nextContinuationToken, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    func testTheLastPageHasNoContinuation() throws {
        let page = try ListObjectsPage.parse(Array("<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>".utf8))
        XCTAssertEqual(page.entries, [])
        XCTAssertNil(page.nextContinuationToken)
    }

    func testMalformedDocumentsAreRefused() {
        for bad in [
            "<ListBucketResult><Contents><Key>a</Key><Size>1</Size></Content></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
            "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
            "<ListBucketResult>&bogus;</ListBucketResult>",
            "<ListBucketResult><![CDATA[x]]></ListBucketResult>",
            "<ListBucketResult></ListBucketResult><extra/>",
            "<Error><Code>x</Code></Error>",
            "<ListBucketResult>",
            "",
        ] {
            XCTAssertThrowsError(try ListObjectsPage.parse(Array(bad.utf8)), bad)
        }
    }

    func testAnErrorBodyKeepsOnlyItsCodeAndMessage() {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message>
        <AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>x-amz-security-token:SECRET-TOKEN</StringToSign></Error>
        """
        XCTAssertEqual(S3ErrorBody.parse(Array(xml.utf8)),
                       S3ErrorBody(code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match."))
        XCTAssertNil(S3ErrorBody.parse(Array("<html>busy</html>".utf8)))
    }
}
