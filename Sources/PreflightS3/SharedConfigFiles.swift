#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PreflightStore

/// `~/.aws/credentials` and `~/.aws/config` as the AWS CLI reads them: INI sections, `key = value`
/// lines, `#` and `;` comments; in the config file a profile's section is `[profile NAME]`
/// (`[default]` may be written either way). Indented lines (nested settings such as `s3 =`)
/// are skipped.
public struct SharedConfigFiles: Sendable {
    public var credentialsPath: String
    public var configPath: String
    public var profileName: String
    /// Settings of the chosen profile, the credentials file's keys winning over the config's.
    var credentialsFileProfile: [String: String]?
    var configFileProfile: [String: String]?

    /// Reads the files the environment points to (`AWS_SHARED_CREDENTIALS_FILE`,
    /// `AWS_CONFIG_FILE`, `AWS_PROFILE`); a missing file is no error, an unreadable one is.
    public init(environment: [String: String]) throws(StoreError) {
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        credentialsPath = Self.expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        configPath = Self.expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        profileName = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        credentialsFileProfile = try Self.read(credentialsPath)?[profileName]
        let config = try Self.read(configPath)
        configFileProfile = config?["profile \(profileName)"] ?? (profileName == "default" ? config?["default"] : nil)
    }

    /// A setting of the chosen profile, from the credentials file first, then the config file.
    public func value(_ key: String) -> String? {
        credentialsFileProfile?[key] ?? configFileProfile?[key]
    }

    /// True when either file has a section for the chosen profile.
    public var profileExists: Bool { credentialsFileProfile != nil || configFileProfile != nil }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    static func read(_ path: String) throws(StoreError) -> [String: [String: String]]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .noCredentials("\(path): cannot be read; check its permissions")
        }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// Sections by name (inner spaces collapsed: `[profile  dev]` is `profile dev`), each a map
    /// of its keys.
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String? = nil
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { current = nil; continue }
                let name = line.dropFirst().dropLast().split(separator: " ").joined(separator: " ")
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            // Nested settings (`s3 =` followed by indented lines) belong to one key; not ours.
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingSpaces()
            var value = line[line.index(after: equals)...].trimmingSpaces()
            // An inline comment needs whitespace before it, as botocore reads it.
            if let comment = value.firstRange(of: " #") ?? value.firstRange(of: " ;") {
                value = String(value[..<comment.lowerBound]).trimmingSpaces()
            }
            sections[section]![key] = value
        }
        return sections
    }
}
