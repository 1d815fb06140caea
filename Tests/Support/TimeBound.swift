import Foundation

/// The bound a "does not hang" test allows, in seconds: `seconds` on an ordinary build,
/// scaled by `PREFLIGHT_TEST_TIME_SCALE` where the build itself is slower (the sanitizer
/// runs set it), so that the bound guards against a hang or a quadratic blow-up, never
/// against an instrumented build being slow. Speed itself is measured by the benchmark.
public func timeBound(_ seconds: Double) -> Double {
    let scale = ProcessInfo.processInfo.environment["PREFLIGHT_TEST_TIME_SCALE"].flatMap(Double.init) ?? 1
    return seconds * max(1, scale)
}
