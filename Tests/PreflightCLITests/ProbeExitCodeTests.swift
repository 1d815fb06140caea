import Foundation
import PreflightJSON
import Testing

/// `preflight probe` exits with 0 only when every file could be examined; a file it could
/// not read still gets its object, and makes the exit code 1.
@Suite("preflight probe exit codes")
struct ProbeExitCodeTests {
    private func objects(_ run: Preflight.Run) throws -> [JSONValue] {
        try run.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test func filesThatCouldBeExaminedExitWithZeroWhateverWasFound() throws {
        // A corrupt JPEG and a GIF named .jpg were examined: findings, not failures.
        let run = try Preflight.run(["probe", "--mode", "full", "Fixtures/images/jpeg-truncated.jpg",
                                     "Fixtures/images/gif-named.jpg", "Fixtures/images/empty.jpg"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try objects(run).count == 3)
        #expect(run.stderr.isEmpty)
    }

    @Test(arguments: [("missing.png", "file_missing"), ("Fixtures/images", "not_regular_file")])
    func aFileThatCouldNotBeReadExitsWithOne(path: String, code: String) throws {
        for mode in ["full", "header"] {
            let run = try Preflight.run(["probe", "--mode", mode, "Fixtures/images/png-rgb8.png", path])
            #expect(run.status == 1, "\(mode): \(run.stdout)")
            let objects = try objects(run)
            try #require(objects.count == 2)
            #expect(objects[0]["integrity"]?.stringValue == "ok" || objects[0]["integrity"]?.stringValue == "not_checked")
            #expect(objects[1]["path"]?.stringValue == path)
            #expect(objects[1]["integrity"]?.stringValue == "unreadable")
            #expect(objects[1]["problems"]?.arrayValue?.first?["code"]?.stringValue == code)
            #expect(run.stderr.contains(path), "\(run.stderr)")
        }
    }
}
