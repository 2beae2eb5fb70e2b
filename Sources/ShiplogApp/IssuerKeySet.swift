import Foundation
import ShiplogCore
import ShiplogCrypto

/// An OIDC issuer's signing keys (its JWKS document) by key id: RSA and P-256 keys, others skipped.
package struct IssuerKeySet: Sendable {
    package let keys: [String: PublicKey]

    package init(keys: [String: PublicKey]) { self.keys = keys }

    /// Parses `{"keys": [...]}`; a key of another type or use (encryption) is skipped, a broken RSA or EC key refuses the set.
    package init(json data: Data, source: String) throws(IdentityTokenError) {
        guard let document = try? JSONInput.value(from: data, source: source), let entries = document["keys"]?.arrayValue else {
            throw .keySet("\(source): not a JWKS document ({\"keys\": [...]})")
        }
        var keys: [String: PublicKey] = [:]
        for (index, entry) in entries.enumerated() {
            guard let kid = entry["kid"]?.stringValue, entry["use"]?.stringValue ?? "sig" == "sig" else { continue }
            func bytes(_ name: String) throws(IdentityTokenError) -> [UInt8] {
                guard let text = entry[name]?.stringValue, let value = IdentityToken.base64URL(text), !value.isEmpty else {
                    throw .keySet("\(source): keys[\(index)].\(name) is not base64url")
                }
                return value
            }
            do {
                switch (entry["kty"]?.stringValue, entry["crv"]?.stringValue) {
                case ("RSA"?, _): keys[kid] = try PublicKey(rsaModulus: try bytes("n"), exponent: try bytes("e"))
                case ("EC"?, "P-256"?): keys[kid] = try PublicKey(p256X: try bytes("x"), y: try bytes("y"))
                default: continue
                }
            } catch let error as IdentityTokenError {
                throw error
            } catch {
                throw .keySet("\(source): keys[\(index)] (kid \(kid)): \(error)")
            }
        }
        self.keys = keys
    }
}
