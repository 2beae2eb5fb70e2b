import Foundation
import ShiplogCore
import ShiplogTestSupport
import Testing

@Suite("buildx metadata files")
struct BuildxMetadataTests {
    struct Expected: Sendable {
        var service: String
        var repository: String
        var tag: String
        var digest: String
        var builtAt: String?
    }

    static func webapp() throws -> ImageReference { try ImageReference(parsing: "registry.example.com/team/webapp:v1") }
    static let digestA = "sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3"
    static let digestB = "sha256:6d9ac9237a84afe1516540f40a0fafdc86859b2141954b4d643af7066d598b74"

    /// Worked out by reading each fixture: the digest under containerimage.digest (or the descriptor's),
    /// the created annotation, and the bake target names.
    static let expectations: [String: [Expected]] = [
        "buildx/docs_build_metadata_file_load.json": [
            Expected(service: "webapp", repository: "registry.example.com/team/webapp", tag: "v1", digest: digestA,
                     builtAt: "2022-02-08T21:28:03.000Z"),
        ],
        "buildx/docs_bake_metadata_file_load.json": [
            Expected(service: "db", repository: "registry.example.com/team/webapp", tag: "v1", digest: digestA,
                     builtAt: "2022-02-08T21:28:03.000Z"),
            Expected(service: "webapp-dev", repository: "registry.example.com/team/webapp", tag: "v1", digest: digestB,
                     builtAt: "2022-02-08T21:28:15.000Z"),
        ],
        // has image.name, which wins over --image
        "buildx/docs_imagetools_create_metadata_file.json": [
            Expected(service: "app", repository: "docker.io/user/app", tag: "latest", digest: digestA, builtAt: nil),
        ],
    ]

    @Test("every fixture has an expectation")
    func coversEveryFixture() throws {
        #expect(Set(try Fixtures.files(in: "buildx")) == Set(Self.expectations.keys))
    }

    @Test("each fixture yields the builds it describes", arguments: expectations.keys.sorted())
    func fixture(_ path: String) throws {
        let builds = try BuildxMetadata.builds(
            from: Fixtures.data(path), source: path, context: .init(image: try Self.webapp()))
        let expected = try #require(Self.expectations[path])
        #expect(builds.count == expected.count)
        for (build, want) in zip(builds, expected) {
            #expect(build.service == want.service)
            #expect(build.repository.name == want.repository)
            #expect(build.tag == want.tag)
            #expect(build.digest.description == want.digest)
            #expect(build.builtAt?.description == want.builtAt)
        }
    }

    @Test("other keys become labels; the builder comes from buildx.build.ref")
    func labels() throws {
        let builds = try BuildxMetadata.builds(
            from: Fixtures.data("buildx/docs_build_metadata_file_load.json"), source: "f", context: .init(image: try Self.webapp()))
        let build = try #require(builds.first)
        #expect(build.labels["buildx.build.ref"] == "mybuilder/mybuilder0/0fjb6ubs52xx3vygf6fgdl611")
        #expect(build.labels["containerimage.config.digest"]
            == "sha256:2937f66a9722f7f4a2df583de2f8cb97fc9196059a410e7f00072fc918930e66")
        #expect(build.builder == "mybuilder")
    }

    /// A numeric value with a fraction was silently dropped although every number is meant to be kept.
    @Test("numbers and booleans become labels as written: whole, fractional, negative")
    func numericLabels() throws {
        let json = #"{"image.name":"ghcr.io/acme/x:v1","containerimage.digest":"sha256:\#(String(repeating: "a", count: 64))","#
            + #""n":3,"ratio":1.5,"delta":-0.25,"ok":true,"nested":{"x":1}}"#
        let build = try #require(try BuildxMetadata.builds(from: Data(json.utf8), source: "f", context: .init()).first)
        #expect(build.labels["n"] == "3")
        #expect(build.labels["ratio"] == "1.5")
        #expect(build.labels["delta"] == "-0.25")
        #expect(build.labels["ok"] == "true")
        #expect(build.labels["nested"] == nil, "objects are not labels")
    }

    @Test("without image.name or --image the error says so")
    func needsImage() throws {
        #expect {
            _ = try BuildxMetadata.builds(from: Fixtures.data("buildx/docs_bake_metadata_file_load.json"),
                                          source: "bake.json", context: .init())
        } throws: { error in
            "\(error)".hasPrefix("bake.json: db.image.name:") && "\(error)".contains("--image")
        }
    }

    @Test("--service overrides the bake target; run details are attached")
    func serviceAndRun() throws {
        let run = GitHubActionsEnvironment([
            "GITHUB_SHA": "abc", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/agents",
        ])
        let builds = try BuildxMetadata.builds(
            from: Fixtures.data("buildx/docs_bake_metadata_file_load.json"), source: "f",
            context: .init(service: "gateway", image: try Self.webapp(), run: run))
        #expect(builds.map(\.service) == ["gateway", "gateway"])
        #expect(builds.allSatisfy { $0.commit == "abc" })
        #expect(builds.allSatisfy { $0.runID == "42" })
        #expect(builds.allSatisfy { $0.runAttempt == 2 })
        #expect(builds[0].runURL == "https://github.com/acme/agents/actions/runs/42")
    }

    @Test("comma-separated image.name gives one build per name")
    func severalNames() throws {
        let json = #"{"containerimage.digest":"\#(Self.digestA)","image.name":"r.io/a/app:1, r.io/a/app:latest,r.io/b/app:1"}"#
        let builds = try BuildxMetadata.builds(from: Data(json.utf8), source: "f", context: .init())
        #expect(builds.map { "\($0.repository):\($0.tag)" } == ["r.io/a/app:1", "r.io/a/app:latest", "r.io/b/app:1"])
    }

    @Test("bad input is one line naming the file, the field and the value", arguments: [
        (#"{"containerimage.digest":"sha256:abc","image.name":"r.io/a"}"#, #"f.json: containerimage.digest: "sha256:abc""#),
        (#"{"t":{"containerimage.digest":"sha256:\#(String(repeating: "a", count: 63))","image.name":"r.io/a"}}"#,
         "f.json: t.containerimage.digest: \"sha256:aaa"),
        (#"{"containerimage.digest":"\#(digestA)","image.name":"r.io/A"}"#, #"f.json: image.name: "r.io/A""#),
        (#"{"a":1}"#, "f.json: unknown metadata shape"),
        (#"[1,2]"#, "f.json: \"array\": unknown metadata shape"),
        ("not json", "f.json: not valid JSON"),
        (#"{"buildx.build.ref":"x/y/z"}"#, "f.json: no build in the file produced an image"),
    ])
    func badInput(_ json: String, _ prefix: String) {
        #expect {
            _ = try BuildxMetadata.builds(from: Data(json.utf8), source: "f.json", context: .init())
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(prefix) && !text.contains("\n")
        }
    }
}
