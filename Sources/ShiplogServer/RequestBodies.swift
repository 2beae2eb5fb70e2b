import Foundation
import ShiplogCore

// The JSON bodies of the /v1 write routes (schemas/openapi.yaml describes each). Field types that carry
// a domain rule (Repository, Digest) validate while decoding, so a bad value is a 400 naming its field.

struct MarkBadBody: Decodable {
    var repository: Repository
    var reason: String
}

struct KeyBody: Decodable {
    var name: String
    /// PEM text, or base64 of DER bytes.
    var publicKey: String
    enum CodingKeys: String, CodingKey { case name, publicKey = "public_key" }
}

struct RevokeBody: Decodable {
    var reason: String?
}

struct SignatureBody: Decodable {
    var repository: Repository
    /// Base64 of the exact payload bytes that were signed.
    var payload: String
    /// Base64 of the signature bytes.
    var signature: String
    var publicKey: String?
    var source: Origin?

    enum Origin: String, Decodable {
        case sign, `import`
    }

    enum CodingKeys: String, CodingKey { case repository, payload, signature, source, publicKey = "public_key" }
}

struct EnvironmentBody: Decodable {
    var name: String
    var slots: [String]?
    var requireSignature: Bool?
    enum CodingKeys: String, CodingKey { case name, slots, requireSignature = "require_signature" }
}

struct SwitchBody: Decodable {
    var slot: String
    var actor: String?
}

struct DeployBody: Decodable {
    var environment: String
    var slot: String?
    var service: String
    /// REPO@DIGEST, REPO:TAG@DIGEST or REPO:TAG (resolved through the tag history).
    var image: String
    var actor: String?
}

struct CheckBody: Decodable {
    var name: String
    var status: CheckStatus
    var detail: String?
}

struct FinishBody: Decodable {
    var status: DeployState
}

struct TokenBody: Decodable {
    var name: String
    var scopes: [Scope]
}
