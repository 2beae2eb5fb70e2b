import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ShiplogCore
import ShiplogCrypto
import ShiplogStore
import ShiplogTestSupport
import Testing

@Suite("attestation routes")
struct AttestationRouteTests {
    static let repository = "registry.digitalocean.com/the-shop-infra/gateway"

    static func envelope(_ digest: String, key: PrivateKey) throws -> String {
        let statement = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\#(repository)","digest":{"sha256":"\#(digest.dropFirst(7))"}}],"#
            + #""predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{}}}"#
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: Array(statement.utf8))
        return String(decoding: DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: Array(statement.utf8),
                                             signatures: [.init(signature: try key.sign(pae))]).json, as: UTF8.self)
    }

    @Test("POST records with the sign scope (read is 403), GET lists and verifies, a bad envelope is a 400 naming its field")
    func routes() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        let key = try PrivateKey.generate(.ecdsaP256)
        _ = try server.ledger.trust(key.publicKey, name: "ci")
        let envelope = try Self.envelope(digestA, key: key)
        let path = "/v1/images/\(digestA)/attestations"
        try await server.app.test(.router) { client in
            try await client.execute(uri: "\(path)?repository=\(Self.repository)", method: .post, headers: server.headers(.read), body: body(envelope)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "\(path)?repository=\(Self.repository)&source=attest", method: .post, headers: server.headers(.sign),
                                     body: body(envelope)) { response in
                #expect(response.status == .created, "\(response.text)")
                #expect(response.text.contains(#""recorded":1"#) && response.text.contains(#""source":"attest""#), "\(response.text)")
            }
            try await client.execute(uri: "/v1/attestations", method: .post, headers: server.headers(.sign), body: body(envelope)) { response in
                #expect(response.status == .created && response.text.contains(#""already_recorded":1"#), "\(response.text)")
            }
            try await client.execute(uri: "\(path)?repository=\(Self.repository)&type=slsaprovenance1", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .ok && $0.text.contains(#""valid":true"#) && $0.text.contains(#""key_name":"ci""#), "\($0.text)")
            }
            try await client.execute(uri: "\(path)/verification?repository=\(Self.repository)&type=spdx", method: .get, headers: server.headers(.read)) {
                #expect($0.status == .ok && $0.text.contains(#""verified":false"#) && $0.text.contains("no-attestation"), "\($0.text)")
            }
            try await client.execute(uri: "\(path)/verification?repository=\(Self.repository)&type=not%20a%20type", method: .get,
                                     headers: server.headers(.read)) { #expect($0.status == .badRequest && $0.text.contains(#""field":"type""#)) }
            let otherDigest = "/v1/images/\(digestB)/attestations?repository=\(Self.repository)"
            try await client.execute(uri: otherDigest, method: .post, headers: server.headers(.sign), body: body(envelope)) { response in
                #expect(response.status == .badRequest && response.text.contains("does not name \(digestB)"), "\(response.text)")
            }
            try await client.execute(uri: "/v1/attestations", method: .post, headers: server.headers(.sign),
                                     body: body(envelope.replacingOccurrences(of: "application/vnd.in-toto+json", with: "text/plain"))) { response in
                #expect(response.status == .badRequest && response.text.contains(#""field":"payloadType""#), "\(response.text)")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.text.contains(#"shiplog_ledger_rows{kind="attestations"} 1"#), "\(response.text)")
            }
        }
        #expect(try server.ledger.store.allAttestations().count == 1, "the refused requests recorded nothing")
    }
}
