import Foundation

/// Where the committed fixtures live, found from this source file so tests run from any folder.
enum FixturePaths {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func image(_ name: String) -> String { root.appendingPathComponent("images/\(name)").path }
}
