import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

@Suite("push metadata reports")
struct PushMetadataReportTests {
    static let digest = "sha256:" + String(repeating: "0123456789abcdef", count: 4)

    @Test("the documented example parses into one build per entry")
    func documentedExample() throws {
        let url = Fixtures.packageRoot.appending(path: "docs/push-metadata.example.json")
        let report = try PushMetadataReport.parse(try Data(contentsOf: url), source: "example")
        let builds = report.builds
        #expect(builds.map(\.service) == ["gateway", "orchestrator"])
        #expect(builds.allSatisfy { $0.tag == "9f2c1e4b7a5d3c8e1f0a2b4c6d8e0f1a3b5c7d9e" })
        #expect(builds.allSatisfy { $0.runID == "8123456789" })
        #expect(builds.allSatisfy { $0.runAttempt == 1 })
        #expect(builds[1].repository.name == "registry.example.com/acme/orchestrator")
        #expect(builds[1].labels == ["compose.project": "agents"])
        #expect(builds[0].builtAt?.description == "2026-11-28T14:03:11.000Z")
    }

    static func report(_ entries: String, extra: String = "") -> Data {
        Data(#"{"commit":"c"\#(extra),"services":[\#(entries)]}"#.utf8)
    }

    @Test("numeric run ids and attempts are accepted")
    func numericRun() throws {
        let data = Self.report(#"{"service":"a","image":"r/a:1","digest":"\#(Self.digest)"}"#,
                               extra: #","run_id":8123456789,"run_attempt":"3""#)
        let build = try #require(try PushMetadataReport.parse(data, source: "p").builds.first)
        #expect(build.runID == "8123456789")
        #expect(build.runAttempt == 3)
    }

    @Test("bad input names the file, the field path and the value", arguments: [
        (#"{"service":"a","image":"r/a:1","digest":"sha256:\#(String(repeating: "a", count: 63))"}"#,
         #"p.json: services[0].digest: "sha256:aaa"#, "got 63"),
        (#"{"service":"a","image":"r/a:1"}"#, "p.json: services[0].digest", "required field is missing"),
        (#"{"service":"a","image":"r/a","digest":"\#(digest)"}"#, "p.json: services[0].tag", "required field is missing"),
        (#"{"service":"a","image":"r/a:1","tag":"2","digest":"\#(digest)"}"#, #"p.json: services[0].tag: "2""#, "differs"),
        (#"{"service":"A","image":"r/a:1","digest":"\#(digest)"}"#, #"p.json: services[0].service: "A""#, "[a-z0-9]"),
        (#"{"service":"a","image":"r/a:1","digest":7}"#, "p.json: services[0].digest", "expected a string"),
        (#"{"service":"a","image":"r/A:1","digest":"\#(digest)"}"#, #"p.json: services[0].image: "r/A:1""#, "lowercase"),
    ])
    func badEntries(_ entry: String, _ prefix: String, _ reason: String) {
        #expect {
            _ = try PushMetadataReport.parse(Self.report(entry), source: "p.json")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(prefix) && text.contains(reason) && !text.contains("\n")
        }
    }

    @Test("other shapes are named for what they are", arguments: [
        ("not json", "not valid JSON"),
        (#"{"commit":"c"}"#, "unknown metadata shape"),
        ("[]", "unknown metadata shape"),
        (#"{"containerimage.digest":"sha256:x"}"#, "use `shiplog ingest buildx-metadata`"),
        (#"{"services":{}}"#, "services: expected an array"),
    ])
    func otherShapes(_ json: String, _ reason: String) {
        #expect {
            _ = try PushMetadataReport.parse(Data(json.utf8), source: "p.json")
        } throws: { error in "\(error)".hasPrefix("p.json") && "\(error)".contains(reason) }
    }
}

@Suite("canonical JSON")
struct CanonicalJSONTests {
    @Test("sorts keys by bytes and escapes minimally, and Foundation reads it back")
    func canonical() throws {
        let labels = ["b": "2", "a": "quote\" slash\\ nl\n", "ä": "x", "Z": "\u{01}"]
        let text = CanonicalJSON.object(labels)
        #expect(text == #"{"Z":"\u0001","a":"quote\" slash\\ nl\n","b":"2","ä":"x"}"#)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == labels)
    }
}

@Suite("ledger events")
struct LedgerEventTests {
    @Test("canonical JSON: sorted keys, minimal escapes, the same bytes as CanonicalJSON, parseable by Foundation")
    func canonical() throws {
        let event = LedgerEvent(.imageMarkedBad, ["reason": .string("quote\" back\\ nl\n ctl\u{01} é"), "n": .integer(-3),
                                                  "flag": .bool(true), "none": .null, "labels": .object([("b", .string("2")), ("a", .string("1"))])])
        let text = String(decoding: event.canonicalJSON, as: UTF8.self)
        #expect(text == #"{"flag":true,"kind":"image-marked-bad","labels":{"a":"1","b":"2"},"n":-3,"none":null,"#
            + #""reason":"quote\" back\\ nl\n ctl\u0001 é","v":1}"#)
        #expect(text.contains(CanonicalJSON.string("quote\" back\\ nl\n ctl\u{01} é")))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(event.canonicalJSON)) as? [String: Any])
        #expect(parsed["reason"] as? String == "quote\" back\\ nl\n ctl\u{01} é")
    }

    /// The build event's leaf bytes, written out: its fields come in order and take the merging path, and
    /// its labels come from a dictionary and take the sorting one. A change here changes every new leaf.
    @Test("a build's event has exactly these bytes")
    func buildEvent() throws {
        var build = NewBuild(
            service: "gateway", repository: try Repository(parsing: "r.example.com/team/gateway"), tag: "v1",
            digest: try Digest(parsing: "sha256:" + String(repeating: "0", count: 63) + "7"))
        build.commit = "abc"
        build.ref = "refs/heads/ü"
        build.runID = ""
        build.runAttempt = 3
        build.labels = ["z": "1", "a\"q": "x\ny", "ä": "é", "Z": "\u{01}", "ab": "", "a": "<&>"]
        let event = LedgerEvent.build(id: 42, build, builtAt: "t1", recordedAt: "t2", movedTag: true)
        #expect(String(decoding: event.canonicalJSON, as: UTF8.self) == #"{"builder":null,"built_at":"t1","commit":"abc","#
            + #""digest":"sha256:0000000000000000000000000000000000000000000000000000000000000007","id":42,"kind":"build","#
            + #""labels":{"Z":"\u0001","a":"<&>","a\"q":"x\ny","ab":"","z":"1","ä":"é"},"moved_tag":true,"recorded_at":"t2","#
            + #""ref":"refs/heads/ü","repository":"r.example.com/team/gateway","run_attempt":3,"run_id":null,"run_url":null,"#
            + #""service":"gateway","tag":"v1","v":1}"#)
    }
}

@Suite("JSON string escaping")
struct JSONEscapingTests {
    @Test("canonical JSON leaves <>& alone; Go-style (cosign) escapes them")
    func htmlSafety() {
        #expect(CanonicalJSON.string("a<b>&c") == #""a<b>&c""#)
        #expect(CanonicalJSON.string("a<b>&c\u{2028}", htmlSafe: true) == #""a\u003cb\u003e\u0026c\u2028""#)
        #expect(CanonicalJSON.string("tab\there", htmlSafe: true) == #""tab\there""#)
    }
}
