import Foundation
import Testing
@testable import PreflightKit

@Suite("HTML report template")
struct HTMLTemplateTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func compiledCopyEqualsTheTemplateFile() throws {
        let file = try String(contentsOf: Self.repository.appendingPathComponent("Templates/report.html"), encoding: .utf8)
        #expect(HTMLTemplate.text + "\n" == file,
                "Sources/PreflightKit/Report/HTMLTemplate.swift is stale: run `python3 Templates/generate.py`")
    }

    @Test func everyPartTheTemplateNamesIsFilled() {
        // An unknown part stops the report (preconditionFailure); a known part the template
        // lost would leave a section out.
        var parts: [String] = []
        var rest = Substring(HTMLTemplate.text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            parts.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        #expect(Set(parts) == ["version", "title", "subtitle", "verdict", "verdict-class", "summary", "codes", "labels",
                               "dataset-findings", "filters", "cards", "pairs", "rules"])
    }

    @Test func theTemplateForbidsEveryRequest() {
        #expect(HTMLTemplate.text.contains(#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">"#))
    }

    @Test func escapingLeavesNoMarkup() {
        #expect(htmlEscape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(htmlEscape("a\u{0}b\u{1b}c\u{85}d\te") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te")
        #expect(htmlEscape("näme 名前") == "näme 名前")
    }
}
