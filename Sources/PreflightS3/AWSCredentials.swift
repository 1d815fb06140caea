#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PreflightStore

/// One set of AWS credentials. Only the access key id ever prints: the secret and the session
/// token are kept out of `description`, `debugDescription` and `dump`.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Where they came from, for messages: "environment", "profile dev", ...
    public var source: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
                expiration: Date? = nil, source: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String { "access key \(accessKeyId) (from \(source))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "source": source], displayStyle: .struct)
    }

    /// True when they expire within `margin` of `now`.
    func expire(within margin: TimeInterval, of now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < margin
    }
}

/// The JSON that credential_process, container endpoints and instance metadata return: the
/// same fields under two spellings of the token.
struct CredentialsDocument: Decodable {
    var Version: Int?
    var AccessKeyId: String
    var SecretAccessKey: String
    var SessionToken: String?
    var Token: String?
    var Expiration: String?

    func credentials(source: String) throws(StoreError) -> AWSCredentials {
        var expiration: Date? = nil
        if let text = Expiration {
            guard let date = HTTPDates.parseISO8601(text) else {
                throw .noCredentials("\(source): the Expiration \"\(text)\" is not an ISO 8601 time")
            }
            expiration = date
        }
        guard !AccessKeyId.isEmpty, !SecretAccessKey.isEmpty else {
            throw .noCredentials("\(source): the answer has an empty AccessKeyId or SecretAccessKey")
        }
        return AWSCredentials(accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey,
                              sessionToken: SessionToken ?? Token, expiration: expiration, source: source)
    }

    /// Decodes `bytes`; a failure names the source and never echoes the bytes (they hold secrets).
    static func decode(_ bytes: [UInt8], source: String) throws(StoreError) -> AWSCredentials {
        let document: CredentialsDocument
        do {
            document = try JSONDecoder().decode(CredentialsDocument.self, from: Data(bytes))
        } catch {
            throw .noCredentials("\(source): the answer is not a credentials JSON object with AccessKeyId and SecretAccessKey")
        }
        return try document.credentials(source: source)
    }
}
