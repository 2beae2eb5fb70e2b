import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

/// A buildx metadata file is read with cJSON when cJSON reads it as JSONDecoder would, else with
/// JSONDecoder: both readings must give the same builds, or the same error.
@Suite("buildx metadata: cJSON and JSONDecoder read files alike")
struct BuildxReadersTests {
    static let digest = BuildxMetadataTests.digestA

    /// What a reading gives, comparable: the builds, or the error's text.
    static func outcome(_ json: Data, _ reader: BuildxMetadata.Reader, context: BuildxMetadata.Context = .init()) -> String {
        do {
            return try BuildxMetadata.builds(from: json, source: "f.json", context: context, reader: reader).map { build in
                "\(build.service) \(build.repository):\(build.tag)@\(build.digest) \(build.builder ?? "-") "
                    + "\(build.builtAt?.description ?? "-") \(CanonicalJSON.object(build.labels))"
            }.joined(separator: "\n")
        } catch {
            return "error: \(error)"
        }
    }

    static func bake(_ targets: Int) -> String {
        "{" + (0 ..< targets).map { index in
            #""t\#(index)":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app:\#(index)","buildx.build.ref":"b/b0/\#(index)"}"#
        }.joined(separator: ",") + "}"
    }

    @Test("the fixtures read alike; cJSON reads the bake fixture and a large bake file",
          arguments: BuildxMetadataTests.expectations.keys.sorted())
    func fixtures(_ path: String) throws {
        let data = try Fixtures.data(path)
        // The single-build forms have a descriptor size one level down, where a number could be a label.
        #expect(BuildxMetadata.cJSONReads(data) == path.contains("bake"))
        let context = BuildxMetadata.Context(image: try BuildxMetadataTests.webapp())
        #expect(Self.outcome(data, .fastest, context: context) == Self.outcome(data, .jsonDecoder, context: context))
        #expect(!Self.outcome(data, .fastest, context: context).hasPrefix("error"))
    }

    @Test("a bake file of 600 targets is read by cJSON, with JSONDecoder's builds in the same order")
    func largeBake() {
        let bake = Data(Self.bake(600).utf8)
        #expect(BuildxMetadata.cJSONReads(bake))
        let builds = Self.outcome(bake, .fastest)
        #expect(builds == Self.outcome(bake, .jsonDecoder))
        #expect(builds.split(separator: "\n").count == 600)
        // a result of many members: past sixteen, repeated names are looked for in a set
        let wide = Data(("{\"t\":{\"containerimage.digest\":\"\(Self.digest)\"," + (0 ..< 40).map { "\"k\($0)\":\"v\($0)\"," }.joined()
            + "\"image.name\":\"r.io/a/app\"}}").utf8)
        #expect(BuildxMetadata.cJSONReads(wide))
        #expect(Self.outcome(wide, .fastest) == Self.outcome(wide, .jsonDecoder))
    }

    /// cJSON allocates from the arena of the thread that parses: parses on several threads at once must not share one.
    @Test("bake files parsed on several threads at once each read as JSONDecoder reads them")
    func concurrentParses() {
        let files = (0 ..< 8).map { Data(Self.bake(200 + 37 * $0).utf8) }
        let expected = files.map { Self.outcome($0, .jsonDecoder) }
        final class Outcomes: @unchecked Sendable {  // guarded by the lock
            let lock = NSLock()
            var values: [String]
            init(count: Int) { values = Array(repeating: "", count: count) }
        }
        let outcomes = Outcomes(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count * 4) { run in
            let index = run % files.count
            let outcome = Self.outcome(files[index], .fastest)
            outcomes.lock.withLock {
                outcomes.values[index] = outcomes.values[index].isEmpty || outcomes.values[index] == outcome ? outcome : "differs between runs"
            }
        }
        #expect(outcomes.values == expected)
    }

    /// Valid JSON cJSON could read differently, and invalid JSON cJSON itself would accept.
    @Test("cJSON declines what it could read differently from JSONDecoder", arguments: [
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app","n":9007199254740993}}"#,
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app","n":3.0}}"#,
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app","image.name":"r.io/b/app"}}"#,
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app"},"t":{"image.name":"r.io/b/app"}}"#,
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app"},"t":"x"}"#,
        // a name repeated after the sixteenth member, where the check switches to a set
        "{\"t\":{\"containerimage.digest\":\"\(digest)\"," + (0 ..< 20).map { "\"k\($0)\":\"v\"," }.joined() + "\"k3\":\"w\"}}",
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app","x":"a\u0000b"}}"#,
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app","x":01}}"#,
        "{\"t\":{\"containerimage.digest\":\"\(digest)\",\"image.name\":\"r.io/a/app\",\"x\":\"tab\there\"}}",
        #"{"t":{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app"}} trailing"#,
        #"{"containerimage.digest":"\#(digest)","image.name":"r.io/a/app","containerimage.descriptor":{"size":506}}"#,
        #"[{"containerimage.digest":"\#(digest)"}]"#,
    ])
    func declines(_ json: String) {
        let data = Data(json.utf8)
        #expect(!BuildxMetadata.cJSONReads(data))
        #expect(Self.outcome(data, .fastest) == Self.outcome(data, .jsonDecoder))
    }

    @Test("bytes that are not UTF-8 are declined by cJSON and refused by JSONDecoder")
    func invalidUTF8() {
        var data = Data(#"{"t":{"containerimage.digest":"\#(Self.digest)","image.name":"r.io/a/app","x":"a"#.utf8)
        data.append(contentsOf: [0xC3, 0x28])
        data.append(contentsOf: Data(#""}}"#.utf8))
        #expect(!BuildxMetadata.cJSONReads(data))
        #expect(Self.outcome(data, .fastest) == Self.outcome(data, .jsonDecoder))
        let outcome = Self.outcome(data, .fastest)
        #expect(outcome.hasPrefix("error: f.json: t.x: the string is not valid UTF-8"), "\(outcome)")
    }

    @Test("escapes, nested values and unusual names that cJSON reads come out as JSONDecoder's")
    func escapes() {
        let json = #"{"buildx.build.warnings":[{"n":1}],"t\u0031":{"containerimage.digest":"\#(Self.digest)","image.name":"r.io/a/app","#
            + #""q":"a\"b\\c\/d\u00e9\ud83d\ude00","f":false,"z":null,"containerimage.descriptor":{"size":506,"annotations":"#
            + #"{"org.opencontainers.image.created":"2024-01-02T03:04:05Z"}},"\\u0000":"an escaped backslash, not a NUL"}}"#
        let data = Data(json.utf8)
        #expect(BuildxMetadata.cJSONReads(data))
        let outcome = Self.outcome(data, .fastest)
        #expect(outcome == Self.outcome(data, .jsonDecoder))
        #expect(outcome.contains(#""q":"a\"b\\c/dé😀""#), "\(outcome)")
        #expect(outcome.contains("2024-01-02T03:04:05.000Z"), "\(outcome)")
    }
}
