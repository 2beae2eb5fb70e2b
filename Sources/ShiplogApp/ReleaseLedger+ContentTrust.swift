import ShiplogCore
import ShiplogCrypto

extension ReleaseLedger {
    // MARK: - Trust store

    /// Adds a public key (PEM or DER) to the trust store under `name`.
    package func addKey(encoded bytes: [UInt8], source: String, name: String) throws(LedgerError) -> TrustedKey {
        let key: PublicKey
        do { key = try PublicKey(encoded: bytes) } catch { throw .invalidInput(InvalidInput(source: source, reason: error.description)) }
        return try trust(key, name: name)
    }

    /// Adds an already loaded public key to the trust store.
    package func trust(_ key: PublicKey, name: String) throws(LedgerError) -> TrustedKey {
        guard !name.isEmpty, name.unicodeScalars.count <= 128 else {  // SQLite's length() counts code points
            throw .invalidInput(InvalidInput(field: "name", value: name, reason: "a key name has 1 to 128 characters"))
        }
        do { try InputLimits.check(name, .name, atMost: 128) } catch { throw .invalidInput(error.at("name")) }
        // The log's checkpoint key has one job; it must never vouch for images.
        if let logKeyID, key.keyID == logKeyID {
            throw .invalidInput(InvalidInput(value: key.keyID, reason: "this is the transparency log's checkpoint key; it cannot vouch for images"))
        }
        // One transaction: the key, and which signatures already recorded it verifies (they count from now on).
        return try store.add(TrustedKey(keyID: key.keyID, name: name, algorithm: key.algorithm.rawValue, publicKeyPEM: key.pem,
                                        addedAt: clock())) { signature in
            Self.verifies(signature.payload, signature.signature, digest: signature.digest, with: key)
        }
    }

    /// The signature verifies with `key` over a payload that names `digest`.
    static func verifies(_ payload: [UInt8], _ signature: [UInt8], digest: String, with key: PublicKey) -> Bool {
        guard let parsed = try? SignaturePayload(parsing: payload, source: "payload"), parsed.digest.description == digest else { return false }
        return key.isValidSignature(signature, for: payload)
    }

    package func keys() throws(LedgerError) -> [TrustedKey] { try store.keys() }

    package func revokeKey(id: String, reason: String?) throws(LedgerError) -> TrustedKey {
        if let reason {
            do { try InputLimits.check(reason, .text, atMost: InputLimits.reason) } catch { throw .invalidInput(error.at("reason")) }
        }
        return try store.revokeKey(id: id, at: clock(), reason: reason)
    }

    // MARK: - Signing

    /// What signing produced: the exact payload bytes, the signature, and the ledger's record of it.
    package struct Signed: Sendable {
        package var payload: [UInt8]
        package var signature: [UInt8]
        package var record: StoredSignature
    }

    /// Signs the image's simple-signing payload exactly as `cosign sign --key` does, and records it.
    package func sign(
        repository: Repository, digest: Digest, with key: PrivateKey, annotations: [String: String] = [:],
        rsaPadding: RSAPadding = .pkcs1v15
    ) throws(LedgerError) -> Signed {
        let payload = SignaturePayload(repository: repository, digest: digest, annotations: annotations)
        let signature: [UInt8]
        let signer: String
        do {
            signature = try key.sign(payload.bytes, rsaPadding: rsaPadding)
            signer = try key.publicKey.keyID
        } catch {
            throw .invalidInput(InvalidInput(field: "key", reason: error.description))
        }
        let record = try store.record(NewSignature(repository: repository, digest: digest, payload: payload.bytes,
                                                   signature: signature, signerKeyID: signer, source: "sign",
                                                   verifiedKeyIDs: [signer]), at: clock())
        return Signed(payload: payload.bytes, signature: signature, record: record)
    }

    /// Records a signature made elsewhere (cosign, openssl). The payload must be a simple-signing payload;
    /// the signer is `signer` when given, else the trusted key it verifies with, if any.
    package func importSignature(
        repository: Repository, digest: Digest, payload bytes: [UInt8], payloadSource: String,
        signature: [UInt8], signatureSource: String, signer: PublicKey? = nil, origin: String = "import"
    ) throws(LedgerError) -> StoredSignature {
        let upload = SignatureUpload(repository: repository, digest: digest, payload: bytes, payloadSource: payloadSource,
                                     signature: signature, signatureSource: signatureSource, signerPEM: nil, origin: origin)
        return try store.record(try checked(upload, signer: signer, trusted: try trustedKeys()), at: clock())
    }

    /// Records the signatures found for one image (a registry's `.sig` manifest) in one transaction: all are
    /// checked before any is written, and one already recorded counts as such.
    package func importSignatures(_ uploads: [SignatureUpload], source: String) throws(LedgerError) -> SignatureImportSummary {
        let trusted = try trustedKeys()
        var checkedUploads: [NewSignature] = []
        for upload in uploads {
            var signer: PublicKey?
            if let pem = upload.signerPEM {
                do { signer = try PublicKey(encoded: Array(pem.utf8)) } catch {
                    throw .invalidInput(InvalidInput(source: upload.signatureSource, field: "public_key", reason: error.description))
                }
            }
            checkedUploads.append(try checked(upload, signer: signer, trusted: trusted))
        }
        // Fetching again finds what the ledger has: answered from a read, with no write transaction (and no fsync).
        // Keyed as the store's uniqueness is: (repository, digest, signature bytes).
        var existing: [String: StoredSignature] = [:]
        let images = Dictionary(checkedUploads.map { ("\($0.repository.name)@\($0.digest)", ($0.repository, $0.digest)) }) { first, _ in first }
        for (repository, digest) in images.values {
            for stored in try store.signatures(repository: repository, digest: digest) {
                existing["\(stored.repository)@\(stored.digest) \(Base64.encode(stored.signature))"] = stored
            }
        }
        let known = checkedUploads.compactMap { existing["\($0.repository.name)@\($0.digest) \(Base64.encode($0.signature))"] }
        let results = known.count == checkedUploads.count ? known.map { (signature: $0, isNew: false) } : try store.record(checkedUploads, at: clock())
        let recorded = results.filter(\.isNew).count
        return SignatureImportSummary(source: source, found: uploads.count, recorded: recorded, alreadyRecorded: results.count - recorded,
                                      signatures: results.map { SignatureDocument(record: $0.signature) })
    }

    /// A signature made elsewhere, checked (a simple-signing payload, a signature of a plausible shape) and
    /// with the trusted keys it verifies with.
    private func checked(
        _ upload: SignatureUpload, signer: PublicKey?, trusted: [(record: TrustedKey, public: PublicKey)]
    ) throws(LedgerError) -> NewSignature {
        let (repository, digest, bytes, signature) = (upload.repository, upload.digest, upload.payload, upload.signature)
        do { _ = try SignaturePayload(parsing: bytes, source: upload.payloadSource) } catch { throw .invalidInput(error) }
        var signerID = signer?.keyID
        do throws(CryptoError) {
            if let signer { try signer.checkShape(of: signature) } else { try SignatureShapes.checkPlausible(signature) }
        } catch {
            throw .invalidInput(InvalidInput(source: upload.signatureSource, reason: error.description))
        }
        let verifiedBy = trusted.filter { Self.verifies(bytes, signature, digest: digest.description, with: $0.public) }
        if signer == nil {
            signerID = trusted.first { $0.public.isValidSignature(signature, for: bytes) }?.record.keyID
        }
        return NewSignature(repository: repository, digest: digest, payload: bytes, signature: signature, signerKeyID: signerID,
                            source: upload.origin, verifiedKeyIDs: verifiedBy.map(\.record.keyID))
    }

    // MARK: - Verifying

    /// Is the image signed by a trusted, unrevoked key? With `key`, only that key counts (it must be in the trust store).
    package func verify(repository: Repository, digest: Digest, key: PublicKey? = nil) throws(LedgerError) -> Verification {
        try verify(repository: repository, digest: digest, keyID: key?.keyID)
    }

    /// As `verify(repository:digest:key:)`, naming the key by its id (what the server is sent).
    ///
    /// Whether the image is signed by a trusted key is the store's `trustedSignatures` (recorded when a
    /// signature or a key was added, by `verifies`): the same answer the deploy gate and goodness read.
    /// When there is none, each signature is judged again only to say why.
    package func verify(repository: Repository, digest: Digest, keyID key: String?) throws(LedgerError) -> Verification {
        let signatures = try store.signatures(repository: repository, digest: digest)
        func answer(_ reason: VerificationReason, _ detail: String, key: TrustedKey? = nil, signature: StoredSignature? = nil) -> Verification {
            Verification(repository: repository.name, digest: digest.description, reason: reason, keyID: key?.keyID,
                         keyName: key?.name, signedAt: signature?.recordedAt, signatureID: signature?.id, detail: detail)
        }
        guard !signatures.isEmpty else { return answer(.noSignature, "no signature is recorded for this image") }

        let trusted = try trustedKeys()
        if let key, !trusted.contains(where: { $0.record.keyID == key }) {
            return answer(.keyUnknown, "the key \(key) is not in the trust store")
        }
        let valid = try store.trustedSignatures(repository: repository, digest: digest).filter { key == nil || $0.keyID == key }
        for signature in signatures {
            // The first signature a trusted key vouches for; of its keys, the one trusted first.
            guard let signer = trusted.first(where: { candidate in
                valid.contains { $0.signatureID == signature.id && $0.keyID == candidate.record.keyID }
            }) else { continue }
            return answer(.valid, "signed by \(signer.record.name) (\(signer.record.keyID))", key: signer.record, signature: signature)
        }
        var best = answer(.keyUnknown, "no key in the trust store made any of the \(signatures.count) signature(s)")
        for signature in signatures {
            let outcome = judge(signature, digest: digest, trusted: trusted, only: key)
            // Valid here but not recorded as trusted cannot happen through shiplog's writes; it does not count.
            guard outcome.reason != .valid else { continue }
            let result = answer(outcome.reason, outcome.detail, key: outcome.key, signature: signature)
            if result.reason < best.reason { best = result }
        }
        return best
    }

    private func judge(
        _ signature: StoredSignature, digest: Digest, trusted: [(record: TrustedKey, public: PublicKey)], only key: String?
    ) -> (reason: VerificationReason, detail: String, key: TrustedKey?) {
        let payload: SignaturePayload
        do { payload = try SignaturePayload(parsing: signature.payload, source: "stored payload") } catch {
            return (.signatureInvalid, "the stored payload is not a simple-signing payload: \(error)", nil)
        }
        let named = key.map { wanted in trusted.filter { $0.record.keyID == wanted } }
            ?? signature.signerKeyID.map { id in trusted.filter { $0.record.keyID == id } }
        let candidates = named.flatMap { $0.isEmpty ? nil : $0 } ?? trusted
        guard let signer = candidates.first(where: { $0.public.isValidSignature(signature.signature, for: signature.payload) }) else {
            if named?.isEmpty == false {
                return (.signatureInvalid, "the signature does not verify with key \(candidates[0].record.keyID)", candidates[0].record)
            }
            return (.keyUnknown, "no key in the trust store made this signature", nil)
        }
        if payload.digest != digest {
            return (.digestMismatch, "the signed payload names \(payload.digest), not \(digest)", signer.record)
        }
        if let revokedAt = signer.record.revokedAt {
            return (.keyRevoked, "signed by \(signer.record.name), revoked at \(revokedAt)", signer.record)
        }
        return (.valid, "signed by \(signer.record.name) (\(signer.record.keyID))", signer.record)
    }

    /// The trust store's keys, loaded for verification. A stored key that no longer loads is skipped.
    func trustedKeys() throws(LedgerError) -> [(record: TrustedKey, public: PublicKey)] {
        try store.keys().compactMap { record in ProcessCaches.publicKey(record).map { (record, $0) } }
    }
}

/// Recognising signatures before the signing key is known.
enum SignatureShapes {
    /// A DER ECDSA signature, a 64-byte Ed25519 signature, or an RSA signature of 2048 bits or more.
    static func checkPlausible(_ signature: [UInt8]) throws(CryptoError) {
        if signature.count == 64 || signature.count >= 256 { return }
        try PublicKeyShape.checkECDSA(signature)
    }
}
