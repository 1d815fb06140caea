import Foundation
import Testing
import PreflightTestSupport

/// Validates a JSON file against a JSON Schema with Python's jsonschema 4 or later (which
/// .ci/install-deps provides); the schema's own `$schema` picks the draft.
enum SchemaValidator {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The Python to validate with: the first of `candidates` whose jsonschema knows draft
    /// 2020-12, looked for once.
    static let python: String? = {
        let environment = ProcessInfo.processInfo.environment
        return locatePython(searchPath: environment["PATH"] ?? "", override: environment["PREFLIGHT_PYTHON"])
    }()

    /// Where .ci/install-deps may have put jsonschema, in its order: `$PREFLIGHT_PYTHON`,
    /// `python3` on the PATH (a pyenv or a virtual environment, say), the system's Python
    /// (Debian's python3-jsonschema), the repository's own virtual environment.
    static func candidates(searchPath: String, override: String?) -> [String] {
        var list: [String] = []
        if let override, !override.isEmpty { list.append(override) }
        let onPath = searchPath.split(separator: ":").map { "\($0)/python3" }
        if let first = onPath.first(where: FileManager.default.isExecutableFile(atPath:)) { list.append(first) }
        list.append("/usr/bin/python3")
        list.append(Preflight.repository.appendingPathComponent(".build-python/bin/python3").path)
        return list
    }

    static func locatePython(searchPath: String, override: String?) -> String? {
        candidates(searchPath: searchPath, override: override).first { python in
            (try? run(python, ["-c", "import jsonschema; jsonschema.Draft202012Validator"]).status) == 0
        }
    }

    static func validate(_ document: String, schema: String) throws {
        try validate(document, schema: schema, python: python)
    }

    static func validate(_ document: String, schema: String, python: String?) throws {
        guard let python else {
            throw Failure(description: "no Python with jsonschema 4 or later (tried \(candidates(searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "", override: ProcessInfo.processInfo.environment["PREFLIGHT_PYTHON"]).joined(separator: ", "))): run .ci/install-deps")
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[2]))
            document = json.load(open(sys.argv[1]))
            validator = jsonschema.validators.validator_for(schema)
            validator.check_schema(schema)
            errors = sorted(validator(schema).iter_errors(document), key=lambda e: list(e.path))
            for error in errors[:10]:
                print("/".join(map(str, error.path)), error.message)
            sys.exit(1 if errors else 0)
            """
        let (status, output) = try run(python, ["-c", script, document, schema])
        if status != 0 { throw Failure(description: "schema validation with \(python) failed: \(output)") }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}

@Suite("Schema validation in the tests")
struct SchemaValidatorTests {
    /// A stock Debian: the `python3` first on the PATH has no jsonschema (the system Python,
    /// which refuses pip installs), and install-deps put it elsewhere.
    @Test func findsJSONSchemaWhenThePythonOnThePathLacksIt() throws {
        let folder = try makeTemporaryFolder("bare-python")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bare = folder.appendingPathComponent("python3")
        try "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'jsonschema'\" >&2\nexit 1\n"
            .write(to: bare, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bare.path)

        let python = try #require(SchemaValidator.locatePython(searchPath: folder.path + ":/usr/bin", override: nil),
                                  "no jsonschema outside the PATH's python3: run .ci/install-deps")
        #expect(python != bare.path)
        // It validates, and it rejects.
        let schema = Preflight.repository.appendingPathComponent("docs/report.schema.json").path
        let wrong = folder.appendingPathComponent("wrong.json")
        try #"{"schema_version": 1}"#.write(to: wrong, atomically: true, encoding: .utf8)
        #expect(throws: SchemaValidator.Failure.self) { try SchemaValidator.validate(wrong.path, schema: schema, python: python) }
        #expect(throws: SchemaValidator.Failure.self) { try SchemaValidator.validate(wrong.path, schema: schema, python: bare.path) }
    }
}
