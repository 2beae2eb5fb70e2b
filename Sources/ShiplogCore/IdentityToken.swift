import Foundation

/// A CI job's OIDC token (a JWT in JWS compact form), parsed but not yet trusted: the signature is checked by
/// the crypto layer against the issuer's key set, the claims here (`validate`).
package struct IdentityToken: Sendable {
    /// RS256 and ES256 only: what GitHub Actions and every major CI issuer sign with. `none` and HS* never.
    package enum Algorithm: String, Sendable { case rs256 = "RS256", es256 = "ES256" }

    package let algorithm: Algorithm
    package let keyID: String
    package let claims: [String: JSONValue]
    /// `BASE64URL(header) . BASE64URL(payload)`: the bytes the signature covers.
    package let signingInput: [UInt8]
    package let signature: [UInt8]

    /// Whether `text` is shaped like a JWT (three base64url parts, a JSON header) rather than a shiplog token.
    package static func looksLikeJWT(_ text: String) -> Bool {
        text.hasPrefix("eyJ") && text.utf8.count(where: { $0 == UInt8(ascii: ".") }) == 2
    }

    package init(compact text: String) throws(IdentityTokenError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("a JWT has three dot-separated parts, this has \(parts.count)") }
        guard let headerBytes = Self.base64URL(parts[0]), let header = try? JSONInput.value(from: Data(headerBytes), source: "header"),
              let headerFields = header.objectValue else {
            throw .malformed("the header is not base64url JSON")
        }
        guard let name = headerFields["alg"]?.stringValue else { throw .malformed("the header has no alg") }
        guard let algorithm = Algorithm(rawValue: name) else { throw .algorithm(name) }
        guard let keyID = headerFields["kid"]?.stringValue, !keyID.isEmpty else { throw .malformed("the header has no kid") }
        guard let payload = Self.base64URL(parts[1]), let body = try? JSONInput.value(from: Data(payload), source: "payload"),
              let claims = body.objectValue else {
            throw .malformed("the payload is not base64url JSON claims")
        }
        guard let signature = Self.base64URL(parts[2]), !signature.isEmpty else { throw .malformed("the signature is not base64url") }
        self.algorithm = algorithm
        self.keyID = keyID
        self.claims = claims
        self.signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.signature = signature
    }

    /// Checks `iss`, `aud` and the times (`exp`, `nbf`, `iat`, each with `leeway` seconds of clock skew).
    package func validate(issuer: String, audience: String, at now: Timestamp, leeway: Int64 = 60) throws(IdentityTokenError) {
        let given = claims["iss"]?.stringValue
        guard given == issuer else { throw .issuer(given: given, expected: issuer) }
        let audiences: [String] = switch claims["aud"] {
        case let .string(one)?: [one]
        case let .array(many)?: many.compactMap(\.stringValue)
        default: []
        }
        guard audiences.contains(audience) else { throw .audience(given: audiences, expected: audience) }
        let seconds = now.millisecondsSinceEpoch / 1000
        guard let expiry = number("exp") else { throw .missingClaim("exp") }
        guard seconds < expiry + leeway else { throw .expired(at: expiry) }
        if let notBefore = number("nbf"), seconds + leeway < notBefore { throw .notYetValid(from: notBefore) }
        guard let issuedAt = number("iat") else { throw .missingClaim("iat") }
        guard issuedAt <= seconds + leeway else { throw .issuedInFuture(at: issuedAt) }
    }

    /// A claim as text: GitHub sends ids as strings, other issuers as numbers.
    package func text(_ name: String) -> String? {
        switch claims[name] {
        case let .string(value)?: value
        case let .integer(value)?: String(value)
        default: nil
        }
    }

    /// `exp`, once `validate` accepted it.
    package var expiresAt: Int64? { number("exp") }

    /// A time claim in seconds; values no clock reaches (beyond ±10^15) count as absent, so arithmetic on them cannot overflow.
    private func number(_ name: String) -> Int64? {
        switch claims[name] {
        case let .integer(value)? where value > -1_000_000_000_000_000 && value < 1_000_000_000_000_000: value
        case let .number(value)? where value.isFinite && abs(value) < 1e15: Int64(value)
        default: nil
        }
    }

    /// RFC 7515's base64url without padding (padding is tolerated, whitespace is not).
    static func base64URL(_ part: Substring) -> [UInt8]? {
        // Byte by byte: a token is decoded on every request that carries one, and String's replacing is slow.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.utf8.count + 3)
        for byte in part.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            case UInt8(ascii: "="): continue
            case UInt8(ascii: "+"), UInt8(ascii: "/"), 0x30...0x39, 0x41...0x5A, 0x61...0x7A: bytes.append(byte)
            default: return nil
            }
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - bytes.count % 4) % 4))
        return Data(base64Encoded: Data(bytes)).map(Array.init)
    }

    package static func base64URL(_ text: String) -> [UInt8]? { base64URL(Substring(text)) }
}

/// Why a CI token was not accepted; the server answers 401 with this as the problem's detail.
package enum IdentityTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case notConfigured
    case malformed(String)
    case algorithm(String)
    case unknownKey(String)
    case badSignature
    case issuer(given: String?, expected: String)
    case audience(given: [String], expected: String)
    case expired(at: Int64)
    case notYetValid(from: Int64)
    case issuedInFuture(at: Int64)
    case missingClaim(String)
    case keySet(String)

    package var description: String {
        switch self {
        case .notConfigured: "an OIDC token, but this server trusts no issuer (serve --oidc-issuer)"
        case let .malformed(detail): "OIDC token malformed: \(detail)"
        case let .algorithm(name): "OIDC token alg \(InvalidInput.quote(name)) is not accepted (RS256 or ES256 only)"
        case let .unknownKey(kid): "OIDC token kid \(InvalidInput.quote(kid)) is not in the issuer's key set"
        case .badSignature: "OIDC token signature does not verify with the issuer's key"
        case let .issuer(given, expected): "OIDC token iss \(given.map(InvalidInput.quote) ?? "missing") is not the trusted issuer \(expected)"
        case let .audience(given, expected):
            "OIDC token aud \(given.isEmpty ? "missing" : given.map(InvalidInput.quote).joined(separator: ", ")) does not include \(expected)"
        case let .expired(at): "OIDC token expired (exp \(at), \(Timestamp(millisecondsSinceEpoch: at * 1000)))"
        case let .notYetValid(from): "OIDC token not valid yet (nbf \(from), \(Timestamp(millisecondsSinceEpoch: from * 1000)))"
        case let .issuedInFuture(at): "OIDC token issued in the future (iat \(at), \(Timestamp(millisecondsSinceEpoch: at * 1000)))"
        case let .missingClaim(name): "OIDC token has no \(name) claim"
        case let .keySet(detail): "the issuer's key set could not be read: \(detail)"
        }
    }
}
