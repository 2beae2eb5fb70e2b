import ShiplogCore
import Testing

@Suite("Image references")
struct ImageReferenceTests {
    static let digest = "sha256:" + String(repeating: "01", count: 32)

    @Test("splits repository, tag and digest", arguments: [
        ("registry.example.com/team/gateway:abc123", "registry.example.com/team/gateway", "abc123", nil),
        ("localhost:5000/gateway", "localhost:5000/gateway", nil, nil),
        ("localhost:5000/gateway:v1.2", "localhost:5000/gateway", "v1.2", nil),
        ("docker.io/user/app", "docker.io/user/app", nil, nil),
        ("app", "app", nil, nil),
        ("ghcr.io/a/b__c/d-e.f:latest@" + digest, "ghcr.io/a/b__c/d-e.f", "latest", digest),
        ("gateway@" + digest, "gateway", nil, digest),
        ("[::1]:5000/team/app:x", "[::1]:5000/team/app", "x", nil),
    ] as [(String, String, String?, String?)])
    func parses(_ text: String, _ repository: String, _ tag: String?, _ digest: String?) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.repository.name == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest?.description == digest)
        #expect(reference.description == text)
    }

    @Test("rejects what distribution rejects", arguments: [
        "Registry.example.com/Team/app", "team/App", "team//app", "team/app:", "team/app:-x", "team/-app",
        "team/app@sha256:123", "team/a..b", ":tag", "registry.example.com:port/app",
        String(repeating: "a", count: 256), "team/app/", "/team/app", "registry.example.com/", "team/app__-x",
    ])
    func rejects(_ text: String) {
        #expect(throws: ValueError.self) { _ = try ImageReference(parsing: text) }
    }

    @Test("service names", arguments: [("gateway", true), ("feature-dev", true), ("a.b_c", true), ("Gateway", false),
                                       ("-x", false), ("", false), (String(repeating: "a", count: 64), false)])
    func serviceNames(_ name: String, _ valid: Bool) {
        #expect(((try? ServiceName.validate(name)) != nil) == valid)
    }
}
