import Foundation
import ShiplogCore
import ShiplogCrypto
import ShiplogRegistry
import ShiplogTestSupport
import Testing

@Suite("the registry client's protocol pieces")
struct RegistryProtocolTests {
    @Test("WWW-Authenticate challenges as distribution, Docker Hub and DOCR send them")
    func challenges() throws {
        let hub = try #require(AuthChallenge(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#))
        #expect(hub.scheme == "bearer")
        #expect(hub.parameters == ["realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/alpine:pull"])
        let docr = try #require(AuthChallenge(#"Bearer realm="https://api.digitalocean.com/v2/registry/auth",service="registry.digitalocean.com""#))
        #expect(docr.parameters["service"] == "registry.digitalocean.com")
        let basic = try #require(AuthChallenge(#"Basic realm="shiplog-test""#))
        #expect(basic.scheme == "basic" && basic.parameters["realm"] == "shiplog-test")
        // A scope listing two actions holds a comma inside the quotes.
        let push = try #require(AuthChallenge(#"Bearer realm="http://127.0.0.1:1/token",scope="repository:a/b:pull,push",error="insufficient_scope""#))
        #expect(push.parameters["scope"] == "repository:a/b:pull,push" && push.parameters["error"] == "insufficient_scope")
        #expect(AuthChallenge("") == nil)
    }

    @Test("docker's config.json: auths by host however the key is written; a bad auth value never shows the secret")
    func credentials() throws {
        let encoded = Data("ci:s3cret".utf8).base64EncodedString()
        let file = #"{"auths":{"registry.digitalocean.com":{"auth":"\#(encoded)"},"https://index.docker.io/v1/":{"auth":"\#(encoded)"},"#
            + #""localhost:5000":{"username":"u","password":"p"}}}"#
        let credentials = try RegistryCredentials.parse(Data(file.utf8), source: "config.json")
        #expect(credentials.login(for: "registry.digitalocean.com") == .init(username: "ci", password: "s3cret"))
        #expect(credentials.login(for: "docker.io")?.username == "ci")
        #expect(credentials.login(for: "localhost:5000") == .init(username: "u", password: "p"))
        #expect(credentials.login(for: "ghcr.io") == nil)
        #expect {
            try RegistryCredentials.parse(Data(#"{"auths":{"r.example.com":{"auth":"c2VjcmV0"}}}"#.utf8), source: "config.json")
        } throws: { error in
            let text = "\(error)"
            return text.contains("auths.r.example.com.auth") && !text.contains("secret") && !text.contains("c2VjcmV0")
        }
        let missing = try RegistryCredentials.load(environment: ["REGISTRY_AUTH_FILE": "/nonexistent/auth.json"])
        #expect(missing.login(for: "registry.digitalocean.com") == nil, "no file is anonymous access")
    }

    @Test("plain HTTP only for loopback registries and the ones named insecure")
    func addresses() throws {
        func address(_ name: String, insecure: Set<String> = []) throws -> RegistryAddress {
            RegistryAddress(try Repository(parsing: name), insecure: insecure)
        }
        let docr = try address("registry.digitalocean.com/the-shop-infra/gateway")
        #expect(docr.host == "registry.digitalocean.com" && docr.path == "the-shop-infra/gateway" && docr.base == "https://registry.digitalocean.com")
        #expect(try address("127.0.0.1:5000/a/b").base == "http://127.0.0.1:5000")
        #expect(try address("127.8.9.10:5000/a").plainHTTP)
        #expect(try address("localhost/a").plainHTTP)
        #expect(try address("[::1]:5000/a").plainHTTP)
        #expect(try !address("128.0.0.1:5000/a").plainHTTP)
        #expect(try address("registry.internal:5000/a", insecure: ["registry.internal:5000"]).plainHTTP)
        let hub = try address("alpine")
        #expect(hub.path == "library/alpine" && hub.base == "https://registry-1.docker.io")
    }

    @Test("tags pages follow Link rel=next, relative or absolute")
    func linkPagination() {
        #expect(RegistryClient.nextPage(#"</v2/a/tags/list?n=2&last=b>; rel="next""#, base: "http://127.0.0.1:5000")
                == "http://127.0.0.1:5000/v2/a/tags/list?n=2&last=b")
        #expect(RegistryClient.nextPage(#"<https://r.example.com/v2/a/tags/list?last=b>; rel="next""#, base: "https://r.example.com")
                == "https://r.example.com/v2/a/tags/list?last=b")
        #expect(RegistryClient.nextPage(nil, base: "https://r.example.com") == nil)
        #expect(RegistryClient.nextPage(#"</x>; rel="prev""#, base: "https://r.example.com") == nil)
    }

    @Test("cosign's layout: the tag, a layer appended to the others, the same layer not twice")
    func cosignLayout() throws {
        let digest = try Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))
        #expect(CosignLayout.tag(for: digest, .signatures) == "sha256-\(String(repeating: "ab", count: 32)).sig")
        #expect(CosignLayout.tag(for: digest, .attestations).hasSuffix(".att"))
        func layer(_ byte: String, signature: String) throws -> OCIManifest.Descriptor {
            .init(mediaType: CosignLayout.signatureLayerType, digest: try Digest(parsing: "sha256:" + String(repeating: byte, count: 64)), size: 10,
                  annotations: [CosignLayout.signatureAnnotation: signature])
        }
        let first = try #require(CosignLayout.appending(try layer("1", signature: "MEUC"), to: nil))
        #expect(first.manifest.layers.count == 1 && first.manifest.mediaType == OCIManifest.ociManifest)
        #expect(first.manifest.config?.digest.description == "sha256:" + sha256(first.config))
        let second = try #require(CosignLayout.appending(try layer("2", signature: "MEYC"), to: first.manifest))
        #expect(second.manifest.layers.map(\.digest) == [try layer("1", signature: "").digest, try layer("2", signature: "").digest])
        #expect(CosignLayout.appending(try layer("1", signature: "MEUC"), to: second.manifest) == nil, "already there")
        let config = try JSONSerialization.jsonObject(with: Data(second.config)) as? [String: Any]
        #expect(((config?["rootfs"] as? [String: Any])?["diff_ids"] as? [String])?.count == 2)
    }

    func sha256(_ bytes: [UInt8]) -> String { SHA256.hex(bytes) }
}
