/// Which failures are worth another try and how long to wait before it: exponential backoff
/// with full jitter (a random wait between zero and `base * 2^attempt`, capped), so that many
/// clients throttled together do not come back together.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first one included.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.1, maxDelay: Double = 5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Seconds to wait after failed attempt number `attempt` (counting from 1).
    public func delay(after attempt: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        return Double.random(in: 0...ceiling)
    }

    static let retriedCodes: Set<String> = [
        "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException",
        "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
    ]

    /// True for the answers that say "later": 500, 502, 503, 504, 429 and S3's throttling and
    /// transient error codes.
    static func retries(status: Int, code: String?) -> Bool {
        [429, 500, 502, 503, 504].contains(status) || code.map(retriedCodes.contains) == true
    }

    static func isThrottling(status: Int, code: String?) -> Bool {
        status == 429 || status == 503 || ["SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequestsException"].contains(code ?? "")
    }
}
