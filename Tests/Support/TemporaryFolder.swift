import Foundation

/// A new, empty folder of the test's own under the temporary folder, named
/// `preflight-<purpose>-<UUID>`. Removing it is the caller's job.
public func makeTemporaryFolder(_ purpose: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("preflight-\(purpose)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
