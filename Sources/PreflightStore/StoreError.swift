/// Every way a store can fail, as a value. Messages name the object and, where it matters, the
/// identity the request ran as (an access key id, never a secret), and say what to do.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(ObjectLocation)
    /// The store refused this object to this identity (for S3, the access key id).
    case accessDenied(ObjectLocation, identity: String)
    case noSuchBucket(String)
    /// The store did not accept the credentials: an unknown key, a wrong secret, an expired
    /// token. `reason` is the store's own code (e.g. `SignatureDoesNotMatch`).
    case invalidCredentials(identity: String, reason: String)
    /// No credentials could be found or loaded; the message says which source failed.
    case noCredentials(String)
    /// Still throttled after every retry.
    case throttled(ObjectLocation, attempts: Int)
    /// No answer in time, after every retry.
    case timedOut(ObjectLocation, attempts: Int)
    /// The connection failed or dropped, after every retry.
    case network(ObjectLocation, reason: String, attempts: Int)
    /// Refused from its size, before its bytes were read.
    case tooLarge(ObjectLocation, size: Int, limit: Int)
    case other(ObjectLocation?, String)

    public var description: String {
        switch self {
        case let .notFound(location):
            return "\(location): no such object"
        case let .accessDenied(location, identity):
            return "\(location): access denied to \(identity); grant it s3:GetObject (and s3:ListBucket) on this object"
        case let .noSuchBucket(bucket):
            return "s3://\(bucket): no such bucket; check the bucket name and the account"
        case let .invalidCredentials(identity, reason):
            return "the credentials of \(identity) were refused (\(reason)); check the access key, the secret and the session token"
        case let .noCredentials(message):
            return message
        case let .throttled(location, attempts):
            return "\(location): still throttled after \(attempts) attempts; try again later or with fewer requests in flight"
        case let .timedOut(location, attempts):
            return "\(location): no answer in time after \(attempts) attempts; check the endpoint and the network"
        case let .network(location, reason, attempts):
            return "\(location): \(reason) after \(attempts) attempts; check the endpoint and the network"
        case let .tooLarge(location, size, limit):
            return "\(location): \(size) bytes, over the limit of \(limit) bytes; not read"
        case let .other(location, message):
            return location.map { "\($0): \(message)" } ?? message
        }
    }
}
