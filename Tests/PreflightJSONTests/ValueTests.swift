import PreflightJSON
import Testing

@Suite("Values")
struct ValueTests {
    @Test("every kind of value parses at top level, with whitespace around it")
    func everyKind() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse(" \t\r\n-12.5e3 \n") == .number(JSONNumber(text: "-12.5e3")!))
        #expect(try JSONParser.parse("\"hi\"") == .string("hi"))
        #expect(try JSONParser.parse("\"\"") == .string(""))
        #expect(try JSONParser.parse("[]") == .array([]))
        #expect(try JSONParser.parse("[ ]") == .array([]))
        #expect(try JSONParser.parse("{}") == .object(JSONObject()))
        #expect(try JSONParser.parse("{ \n }") == .object(JSONObject()))
        #expect(try JSONParser.parse("[1,\"a\",null,true,false,[],{}]")
            == .array([1, "a", .null, true, false, .array([]), .object(JSONObject())]))
    }

    @Test("a nested object keeps its structure")
    func nested() throws {
        let value = try JSONParser.parse(#"{"a": {"b": [1, {"c": "d"}]}, "e": [[], [null]]}"#)
        #expect(value == ["a": ["b": [1, ["c": "d"]]], "e": [[], [nil]]])
        #expect(value["a"]?["b"]?.arrayValue?[1]["c"] == "d")
        #expect(value["e"]?.arrayValue?[1].arrayValue?.first?.isNull == true)
    }

    @Test("the three entry points agree")
    func entryPoints() throws {
        let text = #"{"k":["v",1.5,true]}"#
        let fromString = try JSONParser.parse(text)
        let fromArray = try JSONParser.parse(Array(text.utf8))
        let fromBuffer = try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        #expect(fromString == fromArray)
        #expect(fromArray == fromBuffer)
        #expect(fromString == ["k": ["v", 1.5, true]])
    }

    @Test("parsing a slice of a larger buffer reads only that slice")
    func bufferSlice() throws {
        let bytes = Array("[1]{\"a\":2}[3]".utf8)
        let value = try bytes.withUnsafeBytes { buffer in
            try JSONParser.parse(UnsafeRawBufferPointer(rebasing: buffer[3..<10]))
        }
        #expect(value == ["a": 2])
    }

    @Test("accessors answer only for their own case")
    func accessors() {
        let string: JSONValue = "s"
        let number: JSONValue = 3
        let object: JSONValue = ["k": 1]
        let array: JSONValue = [1, 2]
        let bool: JSONValue = false
        let null: JSONValue = nil

        #expect(string.stringValue == "s")
        #expect(number.numberValue?.int64 == 3)
        #expect(object.objectValue?.keys == ["k"])
        #expect(array.arrayValue?.count == 2)
        #expect(bool.boolValue == false)
        #expect(null.isNull)

        for value in [number, object, array, bool, null] { #expect(value.stringValue == nil) }
        for value in [string, object, array, bool, null] { #expect(value.numberValue == nil) }
        for value in [string, number, array, bool, null] { #expect(value.objectValue == nil) }
        for value in [string, number, object, bool, null] { #expect(value.arrayValue == nil) }
        for value in [string, number, object, array, null] { #expect(value.boolValue == nil) }
        for value in [string, number, object, array, bool] { #expect(!value.isNull) }
        #expect(string["k"] == nil)
        #expect(object["missing"] == nil)
    }

    @Test("type names", arguments: [
        (JSONValue.null, "null"), (true, "boolean"), (1, "number"), (2.5, "number"),
        ("x", "string"), ([], "array"), ([:], "object"),
    ] as [(JSONValue, String)])
    func typeNames(_ value: JSONValue, _ name: String) {
        #expect(value.typeName == name)
    }

    @Test("literals build the expected cases")
    func literals() {
        let value: JSONValue = ["z": 1, "a": [true, nil, 2.5, "x"], "m": [:]]
        guard case .object(let object) = value else {
            Issue.record("expected an object, got \(value.typeName)")
            return
        }
        #expect(object.keys == ["z", "a", "m"])  // written order, not sorted
        #expect(object["z"] == .number(JSONNumber(1)))
        #expect(object["a"] == .array([.bool(true), .null, .number(JSONNumber(2.5)), .string("x")]))
        #expect(object["m"] == .object(JSONObject()))
        #expect(JSONValue(integerLiteral: -4).numberValue?.text == "-4")
        #expect(JSONValue(floatLiteral: 0.25).numberValue?.text == "0.25")
    }

    @Test("description is the compact JSON text")
    func description() {
        let value: JSONValue = ["a": [1, "two", nil], "b": false]
        #expect(value.description == #"{"a":[1,"two",null],"b":false}"#)
        #expect("\(JSONNumber(text: "1E5")!)" == "1E5")
    }
}

@Suite("Objects")
struct ObjectTests {
    @Test("members keep the written order")
    func memberOrder() throws {
        let object = try #require(JSONParser.parse(#"{"zeta":1,"alpha":2,"mid":3}"#).objectValue)
        #expect(object.keys == ["zeta", "alpha", "mid"])
        #expect(object.map(\.value) == [1, 2, 3])
        #expect(object.count == 3)
        #expect(!object.isEmpty)
    }

    @Test("duplicate keys are kept, reported once each, and lookup gives the last")
    func duplicateKeys() throws {
        let object = try #require(
            JSONParser.parse(#"{"x":1,"y":2,"y":3,"x":4,"z":5,"w":6,"z":7,"x":8}"#).objectValue)
        #expect(object.count == 8)
        #expect(object.keys == ["x", "y", "y", "x", "z", "w", "z", "x"])
        #expect(object.duplicateKeys == ["x", "y", "z"])
        #expect(object["x"] == 8)
        #expect(object["y"] == 3)
        #expect(object["w"] == 6)
        #expect(object["nope"] == nil)
    }

    @Test("an object without repeated keys reports none")
    func noDuplicates() throws {
        #expect(JSONObject().duplicateKeys == [])
        #expect(try JSONParser.parse(#"{"a":1,"b":{"a":2}}"#).objectValue?.duplicateKeys == [])
    }

    @Test("setting replaces the looked-up member in place, or appends")
    func setting() {
        var object: JSONObject = ["a": 1, "b": 2, "a": 3]
        object["a"] = "new"
        #expect(object.members.map(\.key) == ["a", "b", "a"])
        #expect(object.members.map(\.value) == [1, 2, "new"])
        object["c"] = true
        #expect(object.keys == ["a", "b", "a", "c"])
        object["b"] = 20
        #expect(object.members.map(\.value) == [1, 20, "new", true])
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        object["missing"] = nil
        #expect(object.keys == ["b", "c"])
    }

    @Test("equality compares members in order")
    func equality() {
        let ab: JSONObject = ["a": 1, "b": 2]
        #expect(ab == JSONObject([("a", 1), ("b", 2)]))
        #expect(ab != ["b": 2, "a": 1])
        #expect(ab != ["a": 1, "b": 3])
        #expect(ab != ["a": 1])
        #expect(ab == JSONObject(members: [(key: "a", value: 1), (key: "b", value: 2)]))
    }

    @Test("iterating yields key-value pairs in order")
    func iteration() {
        let object: JSONObject = ["one": 1, "two": 2]
        var seen: [String] = []
        for (key, value) in object { seen.append("\(key)=\(value)") }
        #expect(seen == ["one=1", "two=2"])
    }
}
