import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

@Suite("Registry webhooks: distribution envelopes and Harbor payloads")
struct RegistryNotificationTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var events: [(action: RegistryEvent.Action, repository: String, digest: String, tag: String?, bytes: Int64?)]
        var ignored: Int
        var testDescription: String { file }
    }

    static let cases: [Expected] = [
        // A manifest pull by tag; `size` and its deprecated twin `length` agree; the repository gets the host clients used.
        Expected(file: "distribution/docs_pull_manifest_envelope.json", events: [
            (.pull, "192.168.100.227:5000/hello-world", "sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf", "latest", 708),
        ], ignored: 0),
        // One manifest push (no tag) and blob pushes, which are not images (one blob URL even has a 65-hex digest).
        Expected(file: "distribution/docs_push_envelope_http_body.json", events: [
            (.push, "registrycluster.local/library/test", "sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf", nil, 1),
        ], ignored: 2),
        Expected(file: "harbor/docs_artifact_pushed_default.json", events: [
            // Pushed by digest: Harbor repeats the digest in `tag`.
            (.push, "localhost/harbor/alpine", "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4", nil, nil),
        ], ignored: 0),
        Expected(file: "harbor/docs_artifact_pulled_default.json", events: [
            (.pull, "localhost/harbor/alpine", "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4", nil, nil),
        ], ignored: 0),
        Expected(file: "harbor/docs_artifact_deleted_default.json", events: [
            (.delete, "localhost/harbor/alpine", "sha256:2bb501e6173d9d006e56de5bce2720eb06396803300fe1687b58a7ff32bf4c14", "3.8", nil),
        ], ignored: 0),
        Expected(file: "harbor/docs_artifact_deleted_cloudevents.json", events: [
            (.delete, "localhost/harbor/alpine", "sha256:2bb501e6173d9d006e56de5bce2720eb06396803300fe1687b58a7ff32bf4c14", "3.8", nil),
        ], ignored: 0),
        Expected(file: "harbor/docs_scanning_completed_default.json", events: [], ignored: 1),
    ]

    @Test("each fixture gives its image events; the rest is ignored", arguments: cases)
    func fixture(_ expected: Expected) throws {
        let data = try Fixtures.data(expected.file)
        let parsed = try RegistryNotification.parse(data, source: expected.file, payloadDigest: "feed")
        #expect(parsed.ignored == expected.ignored)
        #expect(parsed.events.count == expected.events.count)
        for (event, want) in zip(parsed.events, expected.events) {
            #expect(event.action == want.action)
            #expect(event.repository.name == want.repository)
            #expect(event.digest?.description == want.digest)
            #expect(event.tag == want.tag)
            #expect(event.bytes == want.bytes)
        }
    }

    @Test("every fixture is covered by a case")
    func allFixturesCovered() throws {
        let files = try Fixtures.files(in: "distribution") + Fixtures.files(in: "harbor")
        let covered = Set(Self.cases.map(\.file) + ["distribution/docs_delete_target_fragment.json"])
        #expect(Set(files) == covered)
    }

    @Test("ids: registry ids where given, the payload digest where not (so a retry repeats them)")
    func ids() throws {
        let pull = try RegistryNotification.parse(try Fixtures.data("distribution/docs_pull_manifest_envelope.json"), source: "p", payloadDigest: "x")
        #expect(pull.events[0].eventID == "distribution:320678d8-ca14-430f-8bb6-4ca139cd83f7")
        let cloud = try RegistryNotification.parse(try Fixtures.data("harbor/docs_artifact_deleted_cloudevents.json"), source: "c", payloadDigest: "x")
        #expect(cloud.events[0].eventID == "harbor:343f1623-7cba-487c-88f1-c5ebf55e93aa#0")
        let harbor = try RegistryNotification.parse(try Fixtures.data("harbor/docs_artifact_pulled_default.json"), source: "h", payloadDigest: "abc")
        #expect(harbor.events[0].eventID == "harbor:sha256:abc#0")
    }

    @Test("bad payloads are input errors naming the field", arguments: [
        ("distribution/docs_delete_target_fragment.json", "unknown registry payload"),
        ("[1]", "expected a JSON object"),
        ("{not json", "not valid JSON"),
        (#"{"events":{}}"#, "events"),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"a","digest":"sha256:abc"},"timestamp":"2026-01-01T00:00:00Z"}]}"#, "events[0].target.digest"),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"a","digest":"sha256:\#(String(repeating: "a", count: 64))"}}]}"#, "events[0].timestamp"),
        (#"{"type":"PULL_ARTIFACT","occur_at":"yesterday","event_data":{"resources":[]}}"#, "occur_at"),
        // Values that would overflow a sum or a time, or break the schema's CHECK (a 5xx, not a 4xx).
        (#"{"type":"PULL_ARTIFACT","occur_at":9223372036854775807,"event_data":{"resources":[]}}"#, "occur_at"),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"a","digest":"sha256:\#(String(repeating: "a", count: 64))","size":-1},"timestamp":"2026-01-01T00:00:00Z"}]}"#, "events[0].target.size"),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"a","digest":"sha256:\#(String(repeating: "a", count: 64))","size":9223372036854775807},"timestamp":"2026-01-01T00:00:00Z"}]}"#, "2^50"),
        // Wrong types, which the envelope's typed decoding cannot read: the error still names the field and the value.
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"a","digest":"sha256:\#(String(repeating: "a", count: 64))","size":"big"},"timestamp":"2026-01-01T00:00:00Z"}]}"#, #"events[0].target.size: "big""#),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":"a","digest":"sha256:\#(String(repeating: "a", count: 64))","size":1.5},"timestamp":"2026-01-01T00:00:00Z"}]}"#, #"events[0].target.size: "1.5""#),
        (#"{"events":[{"action":7}]}"#, #"events[0].action: "7""#),
        (#"{"events":[5]}"#, #"events[0]: "5""#),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","repository":["a"]},"timestamp":"2026-01-01T00:00:00Z"}]}"#, "events[0].target.repository"),
        (#"{"events":[{"action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(String(repeating: "a", count: 64))"},"timestamp":"2026-01-01T00:00:00Z"}]}"#, "events[0].target.repository"),
    ])
    func bad(_ input: String, _ mention: String) throws {
        let data = input.hasSuffix(".json") ? try Fixtures.data(input) : Data(input.utf8)
        #expect {
            _ = try RegistryNotification.parse(data, source: "payload", payloadDigest: "x")
        } throws: { error in
            "\(error)".contains(mention)
        }
    }

    @Test("a HEAD of a manifest, which distribution reports as a pull, is not a pull")
    func headIsNotAPull() throws {
        let data = try Fixtures.data("distribution/docs_pull_manifest_envelope.json")
        let head = try #require(String(data: data, encoding: .utf8)?.replacingOccurrences(of: #""method": "GET""#, with: #""method": "HEAD""#))
        #expect(head.contains("HEAD"))
        let parsed = try RegistryNotification.parse(Data(head.utf8), source: "p", payloadDigest: "x")
        #expect(parsed.events.isEmpty)
        #expect(parsed.ignored == 1)
    }

    @Test("an envelope the typed decoding cannot read gives the same events through the general path")
    func bothPathsAgree() throws {
        let data = try Fixtures.data("distribution/docs_pull_manifest_envelope.json")
        let fast = try RegistryNotification.parse(data, source: "p", payloadDigest: "x")
        // `request` as a string: not an object the typed decoding expects, and nothing the rules need (the host
        // then comes from target.url, which names the same one).
        var document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var events = try #require(document["events"] as? [[String: Any]])
        events[0]["request"] = "not an object"
        document["events"] = events
        let general = try RegistryNotification.parse(try JSONSerialization.data(withJSONObject: document), source: "p", payloadDigest: "x")
        #expect(fast.events == general.events)
        #expect(fast.events.count == 1)
    }
}
