import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request as SigV4 sees it. `path` is already encoded as it goes on the wire (S3's canonical
/// URI is exactly that, never normalized nor encoded twice); `query` holds raw names and values,
/// encoded here.
public struct SignableRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    /// Every header to sign, `host` among them.
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }
}

/// AWS Signature Version 4 for one region and service.
public struct SigV4Signer: Sendable {
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = sha256Hex([])

    public var region: String
    public var service: String

    public init(region: String, service: String = "s3") {
        self.region = region
        self.service = service
    }

    /// The headers to add to `request` for S3: `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` when there is a session token, and `authorization`, in that order.
    public func s3Headers(for request: SignableRequest, payloadHash: String, credentials: AWSCredentials,
                          date: Date) -> [(name: String, value: String)] {
        var added: [(name: String, value: String)] = [
            ("x-amz-date", HTTPDates.amzDate(date)),
            ("x-amz-content-sha256", payloadHash),
        ]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        var signed = request
        signed.headers += added
        added.append(("authorization", authorization(for: signed, payloadHash: payloadHash, credentials: credentials, date: date)))
        return added
    }

    /// The `Authorization` header value for `request`, whose headers must already include every
    /// header to sign (`host`, `x-amz-date`, ...).
    public func authorization(for request: SignableRequest, payloadHash: String, credentials: AWSCredentials,
                              date: Date) -> String {
        let amzDate = HTTPDates.amzDate(date)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let (canonical, signedHeaders) = canonicalRequest(request, payloadHash: payloadHash)
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.sha256Hex(Array(canonical.utf8)))"
        let signature = hmac(signingKey(secret: credentials.secretAccessKey, day: String(amzDate.prefix(8))),
                             stringToSign).hexString
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    func canonicalRequest(_ request: SignableRequest, payloadHash: String) -> (text: String, signedHeaders: String) {
        // Sorted by encoded name, then value; both ASCII after encoding, so byte order.
        let encoded: [(name: String, value: String)] = request.query.map {
            (S3URIEncoding.encode($0.name), S3URIEncoding.encode($0.value))
        }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name != b.name ? a.name < b.name : a.value < b.value }
        let query = sorted.map { (pair) -> String in pair.name + "=" + pair.value }.joined(separator: "&")
        // Same-named headers join with commas in their order; values trimmed, inner runs of
        // spaces collapsed.
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            headers[name.lowercased(), default: []].append(trimmed)
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let path = request.path.isEmpty ? "/" : request.path
        return ("\(request.method)\n\(path)\n\(query)\n\(canonicalHeaders)\n\(signedHeaders)\n\(payloadHash)", signedHeaders)
    }

    private func signingKey(secret: String, day: String) -> SymmetricKey {
        let date = hmac(SymmetricKey(data: Array("AWS4\(secret)".utf8)), day)
        let region = hmac(SymmetricKey(data: date), self.region)
        let service = hmac(SymmetricKey(data: region), self.service)
        return SymmetricKey(data: hmac(SymmetricKey(data: service), "aws4_request"))
    }

    private func hmac(_ key: SymmetricKey, _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hexString
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex, two digits a byte, as SigV4 writes hashes and signatures.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
