import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import PreflightStore
import Synchronization

/// S3's GET, HEAD and ListObjectsV2 (and PUT, for setting up test data), signed, retried and
/// bounded in time and memory. Every failure is a `StoreError`; no message carries a secret.
/// Call `shutdown()` when done: it closes the connection pool.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    public let credentials: CredentialsChain
    public let retry: RetryPolicy
    let http: HTTPClient
    let requestTimeout: TimeAmount
    private let regions = BucketRegions()
    /// What this client has asked of S3 so far.
    public let usage = S3Usage()

    /// - Parameters:
    ///   - connectTimeout, readTimeout: seconds to open a connection and between two reads of
    ///     one answer; `requestTimeout` bounds a whole request and its body.
    public init(configuration: S3Configuration, credentials: CredentialsChain? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                retry: RetryPolicy = RetryPolicy(), connectTimeout: Int64 = 3, readTimeout: Int64 = 20,
                requestTimeout: Int64 = 120, maxConnectionsPerHost: Int = 32) throws(StoreError) {
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(connectTimeout), read: .seconds(readTimeout)),
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost),
            decompression: .disabled)
        http.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
        if let credentials {
            self.credentials = credentials
        } else {
            do throws(StoreError) {
                self.credentials = try CredentialsChain.standard(environment: environment, http: client)
            } catch {
                try? client.syncShutdown()
                throw error
            }
        }
        self.http = client
        self.configuration = configuration
        self.retry = retry
        self.requestTimeout = .seconds(requestTimeout)
    }

    /// A client configured as the AWS CLI would be from `environment` and the shared files.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> S3Client {
        let files = try SharedConfigFiles(environment: environment)
        return try S3Client(configuration: S3Configuration(environment: environment, files: files), environment: environment)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Operations

    /// The whole object, or the bytes of `range` (clamped to the object's end). An object
    /// over `maxBytes` is refused from its Content-Length, before its body is read.
    public func getObject(bucket: String, key: String, range: Range<Int>? = nil,
                          maxBytes: Int = 64 << 20) async throws(StoreError) -> ObjectRead {
        let location = ObjectLocation.s3(bucket: bucket, key: key)
        var headers: [(String, String)] = []
        if let range {
            guard !range.isEmpty else { throw .other(location, "an empty byte range was asked for") }
            headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let response = try await send(method: .GET, bucket: bucket, key: key, headers: headers, location: location,
                                      maxBytes: maxBytes, acceptedStatuses: [200, 206, 416])
        if response.status == 416 {
            // The range starts at or past the end (an empty object, a header read of a tiny file).
            let total = Self.totalSize(contentRange: response.headers.first(name: "content-range")) ?? 0
            let start = min(range?.lowerBound ?? 0, total)
            return ObjectRead(info: info(location, response.headers, size: total), bytes: [], range: start..<start)
        }
        let length = response.body.count
        var total = length
        var start = 0
        if response.status == 206 {
            guard let contentRange = response.headers.first(name: "content-range"),
                  let size = Self.totalSize(contentRange: contentRange),
                  let first = Self.firstByte(contentRange: contentRange) else {
                throw .other(location, "S3 answered 206 without a usable Content-Range")
            }
            total = size
            start = first
        }
        return ObjectRead(info: info(location, response.headers, size: total), bytes: response.body, range: start..<(start + length))
    }

    /// Size, ETag and Last-Modified of one object.
    public func headObject(bucket: String, key: String) async throws(StoreError) -> ObjectInfo {
        let location = ObjectLocation.s3(bucket: bucket, key: key)
        let response = try await send(method: .HEAD, bucket: bucket, key: key, location: location, maxBytes: 0)
        guard let size = response.headers.first(name: "content-length").flatMap(Int.init) else {
            throw .other(location, "S3 answered HEAD without a Content-Length")
        }
        return info(location, response.headers, size: size)
    }

    /// One page (up to `maxKeys`, S3's own limit being 1,000) of the objects under `prefix`.
    public func listObjects(bucket: String, prefix: String, continuation: String? = nil,
                            maxKeys: Int? = nil) async throws(StoreError) -> ObjectPage {
        let location = ObjectLocation.s3(bucket: bucket, key: prefix)
        var query = [("list-type", "2"), ("encoding-type", "url"), ("prefix", prefix)]
        if let continuation { query.append(("continuation-token", continuation)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let response = try await send(method: .GET, bucket: bucket, key: nil, query: query, location: location, maxBytes: 16 << 20)
        let page: ListObjectsPage
        do {
            page = try ListObjectsPage.parse(response.body)
        } catch {
            throw .other(location, "S3's listing could not be read (\(error))")
        }
        let objects = page.entries.map {
            ObjectInfo(location: .s3(bucket: bucket, key: $0.key), size: $0.size, tag: $0.eTag,
                       lastModified: $0.lastModified.flatMap(HTTPDates.parseISO8601))
        }
        return ObjectPage(objects: objects, continuation: page.nextContinuationToken)
    }

    /// Stores `bytes` as the object; the body is signed with its SHA-256.
    public func putObject(bucket: String, key: String, bytes: [UInt8]) async throws(StoreError) {
        let location = ObjectLocation.s3(bucket: bucket, key: key)
        _ = try await send(method: .PUT, bucket: bucket, key: key, body: bytes, location: location, maxBytes: 1 << 20)
    }

    /// Creates the bucket (in the client's region).
    public func createBucket(_ bucket: String) async throws(StoreError) {
        let location = ObjectLocation.s3(bucket: bucket, key: "")
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            body = Array("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        }
        _ = try await send(method: .PUT, bucket: bucket, key: nil, body: body, location: location, maxBytes: 1 << 20)
    }

    /// The bucket's own region, from `x-amz-bucket-region` on a HEAD of the bucket, cached.
    public func region(of bucket: String) async throws(StoreError) -> String {
        if let known = await regions.region(of: bucket) { return known }
        let location = ObjectLocation.s3(bucket: bucket, key: "")
        let response = try await send(method: .HEAD, bucket: bucket, key: nil, location: location, maxBytes: 0)
        let region = response.headers.first(name: "x-amz-bucket-region") ?? configuration.region
        await regions.set(region, for: bucket)
        return region
    }

    // MARK: Sending

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Signs and sends one request, retrying what `retry` says to retry and following the
    /// bucket's region once when S3 names another; maps every failure to a `StoreError`.
    func send(method: HTTPMethod, bucket: String, key: String?, query: [(String, String)] = [],
              headers: [(String, String)] = [], body: [UInt8] = [], location: ObjectLocation,
              maxBytes: Int, acceptedStatuses: Set<Int> = [200, 204, 206]) async throws(StoreError) -> Response {
        var attempt = 0
        var followedRegion = false
        let payloadHash = SigV4Signer.sha256Hex(body)
        while true {
            attempt += 1
            let region = await regions.region(of: bucket) ?? configuration.region
            let credentials = try await self.credentials.credentials()
            let request = signedRequest(method: method, bucket: bucket, key: key, query: query, headers: headers,
                                        body: body, payloadHash: payloadHash, region: region, credentials: credentials)
            let failure: StoreError
            let retryable: Bool
            do {
                usage.count(method: method, listing: query.contains { $0.0 == "list-type" })
                let response = try await http.execute(request, timeout: requestTimeout)
                let status = Int(response.status.code)
                if acceptedStatuses.contains(status), maxBytes > 0,
                   let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                    throw StoreError.tooLarge(location, size: Self.totalSize(contentRange: response.headers.first(name: "content-range")) ?? length, limit: maxBytes)
                }
                // Error bodies are small; a success body is bounded by the caller's limit.
                let collected = try await response.body.collect(upTo: acceptedStatuses.contains(status) ? max(maxBytes, 0) : 1 << 20)
                let bytes = Array(buffer: collected)
                usage.received(bytes.count)
                if acceptedStatuses.contains(status) {
                    return Response(status: status, headers: response.headers, body: bytes)
                }
                let error = S3ErrorBody.parse(bytes)
                if !followedRegion, [301, 307, 400, 403].contains(status),
                   let bucketRegion = response.headers.first(name: "x-amz-bucket-region"), bucketRegion != region {
                    followedRegion = true
                    attempt -= 1
                    await regions.set(bucketRegion, for: bucket)
                    continue
                }
                retryable = RetryPolicy.retries(status: status, code: error?.code)
                failure = mapStatus(status, error: error, location: location, bucket: bucket, method: method,
                                    credentials: credentials, attempts: attempt)
            } catch let error as StoreError {
                throw error
            } catch is NIOTooManyBytesError {
                throw .tooLarge(location, size: maxBytes + 1, limit: maxBytes)
            } catch {
                retryable = true
                failure = Self.mapTransportError(error, location: location, attempts: attempt)
            }
            guard retryable, attempt < retry.maxAttempts, !Task.isCancelled else { throw failure }
            try? await Task.sleep(nanoseconds: UInt64(retry.delay(after: attempt) * 1_000_000_000))
        }
    }

    func signedRequest(method: HTTPMethod, bucket: String, key: String?, query: [(String, String)],
                       headers: [(String, String)], body: [UInt8], payloadHash: String, region: String,
                       credentials: AWSCredentials, date: Date = Date()) -> HTTPClientRequest {
        let address = configuration.address(bucket: bucket, region: region)
        let path = key.map { address.pathPrefix + "/" + S3URIEncoding.encodeKey($0) }
            ?? (address.pathPrefix.isEmpty ? "/" : address.pathPrefix)
        let queryText = query.map { "\(S3URIEncoding.encode($0.0))=\(S3URIEncoding.encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: address.base + path + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = method
        let toSign = SignableRequest(method: method.rawValue, path: path, query: query.map { (name: $0.0, value: $0.1) },
                                     headers: [("host", address.host)] + headers.map { (name: $0.0, value: $0.1) })
        let signer = SigV4Signer(region: region)
        request.headers.add(name: "host", value: address.host)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        for (name, value) in signer.s3Headers(for: toSign, payloadHash: payloadHash, credentials: credentials, date: date) {
            request.headers.add(name: name, value: value)
        }
        if !body.isEmpty || method == .PUT {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    func mapStatus(_ status: Int, error: S3ErrorBody?, location: ObjectLocation, bucket: String, method: HTTPMethod,
                   credentials: AWSCredentials, attempts: Int) -> StoreError {
        let code = error?.code
        switch (status, code) {
        case (_, "NoSuchBucket"):
            return .noSuchBucket(bucket)
        case (_, "NoSuchKey"), (404, nil):
            return .notFound(location)
        case (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "ExpiredToken"), (_, "InvalidToken"),
             (_, "TokenRefreshRequired"), (_, "InvalidClientTokenId"):
            return .invalidCredentials(identity: credentials.accessKeyId, reason: code!)
        case (403, "AccessDenied"), (403, nil):
            return .accessDenied(location, identity: credentials.accessKeyId)
        case _ where RetryPolicy.isThrottling(status: status, code: code):
            return .throttled(location, attempts: attempts)
        case (301, _), (307, _):
            return .other(location, "S3 says the bucket is in another region and did not say which; set AWS_REGION to the bucket's region")
        default:
            let detail = error.map { " \($0.code)" + ($0.message.isEmpty ? "" : ": \($0.message)") } ?? ""
            return .other(location, "S3 answered \(status)\(detail)" + (attempts > 1 ? " after \(attempts) attempts" : ""))
        }
    }

    static func mapTransportError(_ error: any Error, location: ObjectLocation, attempts: Int) -> StoreError {
        if let client = error as? HTTPClientError,
           [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(client) {
            return .timedOut(location, attempts: attempts)
        }
        let text = String(describing: error)
        if text.lowercased().contains("timeout") || text.lowercased().contains("timed out") {
            return .timedOut(location, attempts: attempts)
        }
        return .network(location, reason: "the connection failed (\(text))", attempts: attempts)
    }

    func info(_ location: ObjectLocation, _ headers: HTTPHeaders, size: Int) -> ObjectInfo {
        ObjectInfo(location: location, size: size, tag: headers.first(name: "etag").map(unquoted),
                   lastModified: headers.first(name: "last-modified").flatMap(HTTPDates.parseHTTPDate))
    }

    /// `bytes 0-9/12345` or `bytes */12345` → 12345.
    static func totalSize(contentRange: String?) -> Int? {
        guard let contentRange, let slash = contentRange.lastIndex(of: "/") else { return nil }
        return Int(contentRange[contentRange.index(after: slash)...])
    }

    /// `bytes 10-19/12345` → 10.
    static func firstByte(contentRange: String) -> Int? {
        guard contentRange.hasPrefix("bytes "), let dash = contentRange.firstIndex(of: "-") else { return nil }
        return Int(contentRange[contentRange.index(contentRange.startIndex, offsetBy: 6)..<dash])
    }
}

/// Each bucket's region once S3 has named it.
actor BucketRegions {
    private var regions: [String: String] = [:]
    func region(of bucket: String) -> String? { regions[bucket] }
    func set(_ region: String, for bucket: String) { regions[bucket] = region }
}

/// Requests sent to S3 (each retry counts) and the bytes of the bodies received: what a run
/// costs in S3's own units.
public final class S3Usage: Sendable {
    private let gets = Atomic<Int>(0)
    private let heads = Atomic<Int>(0)
    private let lists = Atomic<Int>(0)
    private let others = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    public struct Counts: Sendable, Equatable {
        /// GET requests for objects (whole or a range).
        public var gets: Int
        public var heads: Int
        /// ListObjectsV2 requests (one per page).
        public var lists: Int
        public var others: Int
        /// Body bytes received, error bodies and listings included.
        public var bytes: Int
        public var requests: Int { gets + heads + lists + others }
    }

    public var counts: Counts {
        Counts(gets: gets.load(ordering: .relaxed), heads: heads.load(ordering: .relaxed), lists: lists.load(ordering: .relaxed),
               others: others.load(ordering: .relaxed), bytes: bytes.load(ordering: .relaxed))
    }

    func count(method: HTTPMethod, listing: Bool) {
        switch method {
        case .GET where listing: lists.add(1, ordering: .relaxed)
        case .GET: gets.add(1, ordering: .relaxed)
        case .HEAD: heads.add(1, ordering: .relaxed)
        default: others.add(1, ordering: .relaxed)
        }
    }

    func received(_ count: Int) { bytes.add(count, ordering: .relaxed) }
}
