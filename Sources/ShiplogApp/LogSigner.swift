import ShiplogCore
import ShiplogCrypto

/// The log's own Ed25519 key, used only to sign checkpoints. It never enters the trust store and never
/// vouches for images.
package struct LogSigner: Sendable {
    package let privateKey: PrivateKey
    package let publicKey: PublicKey
    /// The checkpoint origin line (and the note's key name).
    package let origin: String

    package init(privateKey: PrivateKey, origin: String? = nil) throws(CryptoError) {
        guard privateKey.algorithm == .ed25519 else { throw .unsupportedKey("the log key must be Ed25519") }
        self.privateKey = privateKey
        publicKey = try privateKey.publicKey
        self.origin = origin ?? "shiplog/" + String(publicKey.keyID.dropFirst("sha256:".count).prefix(16))
    }

    /// The raw 32-byte Ed25519 key: the last 32 bytes of its SubjectPublicKeyInfo.
    package var rawPublicKey: [UInt8] { Array(publicKey.der.suffix(32)) }

    /// The signed-note key hash: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).
    package var keyHash: [UInt8] { Array(SHA256.hash(Array(origin.utf8) + [0x0A, 0x01] + rawPublicKey).prefix(4)) }

    /// The verifier key line of golang.org/x/mod/sumdb/note: `name+hash+base64(0x01 ‖ key)`.
    package var noteVerifierKey: String {
        let hash = keyHash.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return "\(origin)+\(hash)+\(Base64.encode([0x01] + rawPublicKey))"
    }
}
