import PreflightJSON
import Testing

@Suite("Writer")
struct WriterTests {
    static let groundTruthLine = #"{"source-ref":"s3://my-bucket/images/0001.jpg","bounding-box":{"image_size":[{"width":1024,"height":768,"depth":3}],"annotations":[{"class_id":0,"top":120,"left":64,"width":300,"height":200},{"class_id":1,"top":10,"left":400,"width":150,"height":90}]},"bounding-box-metadata":{"objects":[{"confidence":0.91},{"confidence":0.88}],"class-map":{"0":"Echo Dot","1":"Echo"},"type":"groundtruth/object-detection","human-annotated":"yes","creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/echo"}}"#

    @Test("escapes quote, backslash and control characters only")
    func escaping() {
        let value: JSONValue = .string("q\" b\\ n\n r\r t\t b\u{08} f\u{0C} \u{0}\u{1}\u{1F} del\u{7F} /é😀\u{2028}")
        #expect(JSONWriter.serialize(value)
            == "\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f \\u0000\\u0001\\u001f del\u{7F} /é😀\u{2028}\"")
    }

    @Test("keys are escaped like strings")
    func keyEscaping() {
        let value: JSONValue = ["a\"b\n": 1]
        #expect(JSONWriter.serialize(value) == #"{"a\"b\n":1}"#)
    }

    @Test("compact output of every kind")
    func compact() {
        let value: JSONValue = ["n": nil, "t": true, "f": false, "i": -12, "d": 0.5, "s": "x", "a": [1, [], [:]], "o": ["k": "v"]]
        #expect(JSONWriter.serialize(value) == #"{"n":null,"t":true,"f":false,"i":-12,"d":0.5,"s":"x","a":[1,[],{}],"o":{"k":"v"}}"#)
    }

    @Test("numbers are written from their text")
    func numbersFromText() throws {
        let input = "[1E+2,-0,12.50,1e400,99999999999999999999999,0.000]"
        #expect(JSONWriter.serialize(try JSONParser.parse(input)) == input)
    }

    @Test("non-finite numbers are written as null")
    func nonFinite() {
        let value: JSONValue = [.number(JSONNumber(.nan)), .number(JSONNumber(.infinity)), .number(JSONNumber(-.infinity))]
        #expect(JSONWriter.serialize(value) == "[null,null,null]")
    }

    @Test("pretty printing indents by two spaces")
    func pretty() {
        let value: JSONValue = ["name": "a", "list": [1, ["x": nil]], "empty": [], "none": [:]]
        let expected = """
            {
              "name": "a",
              "list": [
                1,
                {
                  "x": null
                }
              ],
              "empty": [],
              "none": {}
            }
            """
        #expect(JSONWriter.serialize(value, options: .prettyPrinted) == expected)
        #expect(JSONWriter.serialize(7, options: .prettyPrinted) == "7")
    }

    @Test("sortKeys orders by code point and keeps repeated keys in order")
    func sortKeys() {
        let value: JSONValue = ["b": 1, "é": 2, "a": ["z": 1, "y": 2], "B": 3, "b": 4, "aa": 5]
        #expect(JSONWriter.serialize(value, options: .sortKeys)
            == #"{"B":3,"a":{"y":2,"z":1},"aa":5,"b":1,"b":4,"é":2}"#)
        // Without the option the written order stays.
        #expect(JSONWriter.serialize(value) == #"{"b":1,"é":2,"a":{"z":1,"y":2},"B":3,"b":4,"aa":5}"#)
        #expect(JSONWriter.serialize(["b": 1, "a": 2], options: [.sortKeys, .prettyPrinted]) == "{\n  \"a\": 2,\n  \"b\": 1\n}")
    }

    @Test("write(into:) appends to what is already there")
    func writeAppends() {
        var bytes = Array("x=".utf8)
        JSONWriter.write(["é"], into: &bytes)
        #expect(bytes == Array("x=[\"é\"]".utf8))
    }

    @Test("compact input without optional escapes round-trips byte for byte", arguments: [
        groundTruthLine,
        #"{"a":[1,2,{"b":null}],"c":"d\"e\\f\ng","e":true,"f":false,"g":-0.5e-3,"dup":1,"dup":2}"#,
        #"["é😀","tab\there","\u0001"]"#,
        #""just a string""#,
        "[]", "{}", "0", "null",
    ])
    func byteIdenticalRoundTrip(_ line: String) throws {
        let value = try JSONParser.parse(line)
        #expect(JSONWriter.serialize(value) == line)
        var bytes: [UInt8] = []
        JSONWriter.write(value, into: &bytes)
        #expect(bytes == Array(line.utf8))
    }

    @Test("the Ground Truth line parses to the expected structure")
    func groundTruthStructure() throws {
        let value = try JSONParser.parse(Self.groundTruthLine)
        #expect(value["source-ref"] == "s3://my-bucket/images/0001.jpg")
        let annotations = try #require(value["bounding-box"]?["annotations"]?.arrayValue)
        #expect(annotations.count == 2)
        #expect(annotations[1]["left"]?.numberValue?.int64 == 400)
        #expect(value["bounding-box-metadata"]?["class-map"]?["0"] == "Echo Dot")
        #expect(value["bounding-box-metadata"]?["objects"]?.arrayValue?[0]["confidence"]?.numberValue?.double == 0.91)
    }

    @Test("optional escapes are normalised, and the value survives")
    func normalisingRoundTrip() throws {
        let input = #"{ "s" : "\/\u0041\u00e9\uD83D\uDE00\u001F" , "n" : [ 1 , 2 ] }"#
        let value = try JSONParser.parse(input)
        let output = JSONWriter.serialize(value)
        #expect(output == #"{"s":"/Aé😀\u001f","n":[1,2]}"#)
        #expect(try JSONParser.parse(output) == value)
    }

    @Test("built values survive a write and a parse")
    func builtValueRoundTrip() throws {
        let value: JSONValue = ["control": "\u{0}\u{7}\u{1B}", "quote": "\"'", "nested": [[[["deep"]]]], "x": 1.25]
        #expect(try JSONParser.parse(JSONWriter.serialize(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.serialize(value, options: .prettyPrinted)) == value)
    }
}
