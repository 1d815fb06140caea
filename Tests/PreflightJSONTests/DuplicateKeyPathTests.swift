import PreflightJSON
import Testing

/// Keys written twice are found at every depth, and named by a path that reads one way.
@Suite("Duplicate keys at every depth")
struct DuplicateKeyPathTests {
    func paths(_ text: String) throws -> [String] {
        try JSONParser.parse(text).duplicateKeyPaths
    }

    @Test func topLevelKeysAreTheirOwnPath() throws {
        #expect(try paths(#"{"source-ref":"s3://b/a.jpg","x":1,"source-ref":"s3://b/b.jpg"}"#) == ["source-ref"])
    }

    @Test func keysInsideALabelAttributeAndAnAnnotationAreFound() throws {
        let line = #"""
            {"source-ref":"s3://b/a.jpg","bounding-box":{"image_size":[{"width":96,"height":72,"depth":3}],\#
            "annotations":[],"annotations":[{"class_id":0,"top":1,"left":1,"width":5,"height":5},\#
            {"class_id":0,"top":1,"left":1,"width":5,"height":5},{"class_id":1,"class_id":0,"top":1,"left":1,"width":5,"height":5}]},\#
            "bounding-box-metadata":{"class-map":{"0":"cat","0":"dog"},"type":"groundtruth/object-detection"}}
            """#
        #expect(try paths(line) == ["bounding-box.annotations", "bounding-box.annotations[2].class_id",
                                    "bounding-box-metadata.class-map.0"])
    }

    @Test func theLastValueIsTheOneRead() throws {
        let value = try JSONParser.parse(#"{"a":{"b":1,"b":2}}"#)
        #expect(value["a"]?["b"] == 2)
    }

    @Test func theSameKeyInSiblingObjectsIsNoDuplicate() throws {
        #expect(try paths(#"{"a":[{"k":1},{"k":2}],"b":{"k":3},"c":{"d":{"k":4}},"k":5}"#).isEmpty)
        #expect(try paths(#"[1,"x",null,{},[]]"#).isEmpty)
    }

    @Test func keysThatAreNotPlainAreQuoted() throws {
        #expect(try paths(#"{"a.b":{"x y":1,"x y":2},"":{"\"":1,"\"":2}}"#) == [#"["a.b"]["x y"]"#, #"[""]["\""]"#])
        #expect(try paths(#"{"étiquette":{"k":1,"k":1}}"#) == [#"["étiquette"].k"#])
    }

    @Test func arraysInArraysAreIndexed() throws {
        #expect(try paths(#"{"m":[[0,{"k":1}],[{"z":0},{"k":1,"k":2}]]}"#) == ["m[1][1].k"])
    }

    @Test func repeatsInsideRepeatedMembersAreNamedOnce() throws {
        // Both values of "a" are searched (each is something the line says), one path each.
        #expect(try paths(#"{"a":{"b":1,"b":2},"a":{"b":3,"b":4,"c":{"d":1,"d":1}}}"#) == ["a", "a.b", "a.c.d"])
    }

    @Test func deepNestingNeedsNoRecursion() throws {
        let depth = JSONParser.defaultMaxDepth - 1
        let text = String(repeating: #"{"k":"#, count: depth) + #"{"x":1,"x":2}"# + String(repeating: "}", count: depth)
        let found = try paths(text)
        #expect(found == [Array(repeating: "k", count: depth).joined(separator: ".") + ".x"])
    }

    @Test func manyKeysInOneObjectCostLinearTime() throws {
        let members = (0..<50_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        #expect(try paths("{\"o\":{" + members + ",\"k7\":0}}") == ["o.k7"])
    }

    /// The skimming parse builds no nested value, so it cannot see nested repeats; it must
    /// still accept and refuse these lines exactly as the full parse does.
    @Test func skimmingAgreesOnLinesWithNestedRepeats() throws {
        let lines = [
            #"{"source-ref":"s3://b/a.jpg","l":{"annotations":[],"annotations":[{"class_id":1,"class_id":2}]}}"#,
            #"{"l":{"k":1,"k":2},"source-ref":"s3://b/a.jpg","source-ref":"s3://b/b.jpg"}"#,
            #"{"source-ref":"s3://b/a.jpg","l":{"k":1,"k":2,}}"#,
        ]
        for line in lines {
            let full = Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(line) }
            let skim = Array(line.utf8).withUnsafeBytes { raw in
                Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(raw, keepingTopLevelMembers: { $0 == "source-ref" }) }
            }
            switch (full, skim) {
            case (.success(let a), .success(let b)):
                #expect(a["source-ref"] == b["source-ref"])
            case (.failure(let a), .failure(let b)):
                #expect(a == b)
            default:
                Issue.record("validity differs: \(line)")
            }
        }
    }
}
