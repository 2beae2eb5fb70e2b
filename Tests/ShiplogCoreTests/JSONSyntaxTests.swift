import Foundation
import ShiplogCore
import Testing

/// Issue 14, item 8: what JSONDecoder alone called "not valid JSON" without a place, or took silently.
@Suite("JSON read strictly before it is decoded")
struct JSONSyntaxTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var bytes: [UInt8]
        var message: String
        var testDescription: String { message }

        init(_ text: String, _ message: String) {
            bytes = Array(text.utf8)
            self.message = message
        }

        init(bytes: [UInt8], _ message: String) {
            self.bytes = bytes
            self.message = message
        }
    }

    @Test("each refusal names the field, the line and column, and what is wrong", arguments: [
        Case(#"{"labels": {"a": "1", "a": "2"}}"#, #"f.json: labels.a: the key appears twice in one object"#),
        Case(#"{"a": 1, "\u0061": 2}"#, "f.json: a: the key appears twice"),
        // Past 16 keys an object's keys are looked up by hash: escaped or not, a key hashes as its text.
        Case("{" + (1 ... 40).map { #""k\#($0)": 0, "# }.joined() + #""k\u0033": 1}"#, "f.json: k3: the key appears twice"),
        Case("{" + (1 ... 40).map { #""k\#($0)": 0, "# }.joined() + #""k40": 1}"#, "f.json: k40: the key appears twice"),
        Case(#"{"x": [1, 1e999]}"#, "f.json: x[1]: the number 1e999 is out of range"),
        Case(#"{"x": -1e400}"#, "the number -1e400 is out of range"),
        Case(#"{"ref": "\ud800"}"#, #"f.json: ref: not valid JSON: a lone surrogate (\uD800) is not a character (line 1, column 16)"#),
        Case(#"{"ref": "\udc00x"}"#, "lone surrogate (\\uDC00)"),
        Case(bytes: Array(#"{"ref": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), "f.json: ref: not valid UTF-8 (byte 0x28)"),
        Case(bytes: Array(#"{"ref": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), "not valid UTF-8 (an overlong form, a surrogate"),
        Case(bytes: Array(#"{"ref": ""#.utf8) + [0xFF] + Array(#""}"#.utf8), "ref: not valid UTF-8 (byte 0xFF)"),
        Case(String(repeating: "[", count: 511) + String(repeating: "]", count: 511), "nested deeper than 64 levels"),
        Case("{\"a\": 1,\n  }", "f.json: not valid JSON: expected a key in quotes (line 2, column 3)"),
        Case(#"{"a": 01}"#, "a: not valid JSON: a number may not start with 0"),
        Case(#"{"a": "x"} {}"#, "unexpected text after the document"),
        Case("{\"a\": \"tab\there\"}", "a control character (U+0009) inside a string must be escaped"),
        Case(#"{"a": tru}"#, "unexpected 't' where a value belongs"),
        Case(#"{"a": [1, 2"#, "a[1]: not valid JSON: the document ends early: an array is not closed"),
    ])
    func refused(_ input: Case) {
        #expect {
            _ = try JSONInput.value(from: Data(input.bytes), source: "f.json")
        } throws: { error in
            "\(error)".contains(input.message) && !"\(error)".contains("\n")
        }
    }

    @Test("what strict JSON allows still reads, as JSONDecoder reads it", arguments: [
        #"{"a": 1e-300, "b": -0.0, "c": 123456789012345678901234567890, "d": "\ud83d\ude00", "e": "é", "f": [], "g": {}}"#,
        "\u{FEFF}{\"bom\": true}",
        " [ true , false , null , \"\\\"\\\\\\/\\b\\f\\n\\r\\t\" ] ",
        String(repeating: "[", count: 63) + String(repeating: "]", count: 63),
    ])
    func allowed(_ text: String) throws {
        let value = try JSONInput.value(from: Data(text.utf8), source: "f.json")
        #expect(value == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
    }

    @Test("a fraction where a whole number belongs names the field")
    func fractionForInteger() {
        struct Body: Decodable { var count: Int }
        #expect {
            _ = try JSONInput.decode(Body.self, from: Data(#"{"count": 1.5}"#.utf8), source: "request body")
        } throws: { error in
            "\(error)" == #"request body: count: "1.5": this field cannot hold the number: a whole number, or a decimal from 1e-128 to 1e127, is expected"#
        }
    }
}
