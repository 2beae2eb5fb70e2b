import Foundation
import ShiplogCore
import ShiplogCrypto

extension ReleaseLedger {
    /// Where an attestation import's images come from: one image (`attest`, a registry's `.att` tag), whose
    /// digest every statement must name, or the statements' own subjects (a file).
    package enum AttestationTarget: Sendable {
        case image(Repository, Digest)
        case subjects
    }

    /// Reads DSSE envelopes (one JSON document, or one per line) and records each statement's attestations in
    /// one transaction. Any bad envelope refuses the whole input, naming it; nothing is recorded then.
    package func importAttestations(
        _ data: Data, source: String, target: AttestationTarget, origin: String = "import"
    ) throws(LedgerError) -> AttestationImportSummary {
        let documents = try Self.envelopeDocuments(data, source: source)
        let trusted = try trustedKeys()
        var records: [NewAttestation] = []
        for (bytes, place) in documents {
            let envelope: DSSEEnvelope
            let statement: InTotoStatement
            do throws(InvalidInput) {
                envelope = try DSSEEnvelope(parsing: bytes, source: place)
                guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
                    throw InvalidInput(source: place, field: "payloadType", value: envelope.payloadType,
                                       reason: "expected \(DSSEEnvelope.inTotoPayloadType)")
                }
                statement = try InTotoStatement(parsing: envelope.payload, source: "\(place): payload")
            } catch { throw .invalidInput(error) }
            let images = try Self.images(of: statement, target: target, source: place)
            let signer = Self.signer(of: envelope, among: trusted)
            let fingerprint = SHA256.hex(Self.fingerprintBytes(envelope))
            for (repository, digest) in images {
                records.append(NewAttestation(repository: repository, digest: digest, predicateType: statement.predicateType,
                                              statement: envelope.payload, envelope: bytes, signerKeyID: signer?.record.keyID,
                                              source: origin, fingerprint: fingerprint))
            }
        }
        let recorded = try store.record(records, at: clock())
        var answers: [AttestationRecord] = []
        for record in records {
            let stored = try store.attestations(repository: record.repository, digest: record.digest)
            if let match = stored.first(where: { $0.attestation.fingerprint == record.fingerprint }) {
                answers.append(judge(match, trusted: trusted))
            }
        }
        return AttestationImportSummary(source: source, envelopes: documents.count, recorded: recorded,
                                        alreadyRecorded: records.count - recorded, attestations: answers)
    }

    /// buildx's provenance, recorded unsigned (nothing vouches for it but the build's own metadata file).
    func recordProvenance(_ provenance: [BuildxMetadata.Provenance]) throws(LedgerError) {
        guard !provenance.isEmpty else { return }
        var records: [NewAttestation] = []
        for item in provenance {
            let predicate: [UInt8]
            do { predicate = Array(try ContractJSON.compact.encode(item.predicate)) } catch {
                throw .storage("could not encode buildx provenance: \(error)")
            }
            let statement = InTotoStatement.bytes(repository: item.repository, digest: item.digest, predicateType: item.predicateType,
                                                  predicate: predicate)
            records.append(NewAttestation(repository: item.repository, digest: item.digest, predicateType: item.predicateType,
                                          statement: statement, envelope: nil, signerKeyID: nil, source: "buildx",
                                          fingerprint: SHA256.hex(statement)))
        }
        _ = try store.record(records, at: clock())
    }

    /// The attestations of an image (every repository when `repository` is nil), judged now.
    package func attestations(repository: Repository?, digest: Digest, type: String? = nil) throws(LedgerError) -> [AttestationRecord] {
        let stored: [StoredAttestation]
        if let repository { stored = try store.attestations(repository: repository, digest: digest) } else {
            stored = try store.attestations(digest: digest)
        }
        let trusted = try trustedKeys()
        return stored.filter { type == nil || $0.attestation.predicateType == type }.map { judge($0, trusted: trusted) }
    }

    /// Exit 0's question for `attestation verify`: an attestation of `type` (any, when nil) whose statement names
    /// this digest, signed by a trusted key that is not revoked.
    package func verifyAttestation(repository: Repository, digest: Digest, type: String?) throws(LedgerError) -> AttestationVerification {
        let found = try attestations(repository: repository, digest: digest, type: type)
        func answer(_ verified: Bool, _ reason: String, _ detail: String, _ record: AttestationRecord? = nil) -> AttestationVerification {
            AttestationVerification(repository: repository.name, digest: digest.description, predicateType: type, verified: verified,
                                    reason: reason, detail: detail, attestationID: record?.id, keyID: record?.keyID, keyName: record?.keyName)
        }
        let what = type.map { "of type \($0) " } ?? ""
        guard !found.isEmpty else { return answer(false, "no-attestation", "no attestation \(what)is recorded for this image") }
        if let valid = found.first(where: \.valid) {
            return answer(true, "valid", "attested by \(valid.keyName ?? "?") (\(valid.keyID ?? "?"))", valid)
        }
        // The most telling failure: a revoked key, then an unknown one, then unsigned.
        let order: [AttestationRecord.Reason] = [.subjectMismatch, .keyRevoked, .keyUnknown, .unsigned]
        let best = found.min { (order.firstIndex(of: $0.reason) ?? 9) < (order.firstIndex(of: $1.reason) ?? 9) } ?? found[0]
        let detail = switch best.reason {
        case .keyRevoked: "signed by \(best.keyName ?? "?"), whose key is revoked"
        case .unsigned: "the \(found.count) attestation(s) \(what)are unsigned"
        case .subjectMismatch: "the statement does not name \(digest)"
        default: "no key in the trust store signed any of the \(found.count) attestation(s) \(what)"
        }
        return answer(false, best.reason.rawValue, detail, best)
    }

    /// Judges a stored attestation against the trust store as it is now (a revocation counts at once).
    func judge(_ stored: StoredAttestation, trusted: [(record: TrustedKey, public: PublicKey)]) -> AttestationRecord {
        let attestation = stored.attestation
        let statement = try? InTotoStatement(parsing: attestation.statement, source: "stored statement")
        // A row edited into something that is not a statement still shows what it holds, if it is JSON at all.
        let statementJSON = statement?.document ?? (try? JSONInput.value(from: Data(attestation.statement), source: "stored statement")) ?? .null
        guard let bytes = attestation.envelope else {
            return AttestationRecord(stored, reason: .unsigned, keyID: nil, keyName: nil, statement: statementJSON)
        }
        guard let statement, statement.names(attestation.digest) else {
            return AttestationRecord(stored, reason: .subjectMismatch, keyID: nil, keyName: nil, statement: statementJSON)
        }
        guard let envelope = try? DSSEEnvelope(parsing: bytes, source: "stored envelope"),
              let signer = Self.signer(of: envelope, among: trusted, includeRevoked: true) else {
            return AttestationRecord(stored, reason: .keyUnknown, keyID: nil, keyName: nil, statement: statementJSON)
        }
        return AttestationRecord(stored, reason: signer.record.isRevoked ? .keyRevoked : .valid, keyID: signer.record.keyID,
                                 keyName: signer.record.name, statement: statementJSON)
    }

    /// The trusted key whose signature over the envelope's PAE verifies: an unrevoked one first.
    static func signer(
        of envelope: DSSEEnvelope, among trusted: [(record: TrustedKey, public: PublicKey)], includeRevoked: Bool = false
    ) -> (record: TrustedKey, public: PublicKey)? {
        let message = envelope.preAuthenticationEncoding
        let verifying = trusted.filter { key in envelope.signatures.contains { key.public.isValidSignature($0.signature, for: message) } }
        return verifying.first { !$0.record.isRevoked } ?? (includeRevoked ? verifying.first : nil)
    }

    /// The same envelope however its JSON was spaced: its PAE and its signatures.
    static func fingerprintBytes(_ envelope: DSSEEnvelope) -> [UInt8] {
        var bytes = envelope.preAuthenticationEncoding
        for signature in envelope.signatures {
            bytes.append(0)
            bytes += signature.signature
        }
        return bytes
    }

    /// The images a statement is recorded for: the target's one image (which a subject must name), or each
    /// subject that names a repository and a sha256 digest.
    static func images(
        of statement: InTotoStatement, target: AttestationTarget, source: String
    ) throws(LedgerError) -> [(Repository, Digest)] {
        switch target {
        case let .image(repository, digest):
            guard statement.names(digest) else {
                let named = statement.subjects.compactMap { $0.digest["sha256"].map { "sha256:\($0)" } }.first ?? "no sha256 digest"
                throw .invalidInput(InvalidInput(source: source, field: "subject", value: named,
                                                 reason: "the statement does not name \(digest)"))
            }
            return [(repository, digest)]
        case .subjects:
            var images: [(Repository, Digest)] = []
            for (index, subject) in statement.subjects.enumerated() {
                guard let hex = subject.digest["sha256"], let digest = try? Digest(parsing: "sha256:" + hex) else { continue }
                guard let name = subject.name else {
                    throw .invalidInput(InvalidInput(source: source, field: "subject[\(index)].name",
                                                     reason: "a subject needs a name (the image repository) to be recorded; pass the image"))
                }
                do {
                    images.append((try ImageReference(parsing: name).repository, digest))
                } catch {
                    throw .invalidInput(InvalidInput(source: source, field: "subject[\(index)].name", value: name,
                                                     reason: "not an image repository: \(error.reason)"))
                }
            }
            guard !images.isEmpty else {
                throw .invalidInput(InvalidInput(source: source, field: "subject", reason: "no subject names an image by its sha256 digest"))
            }
            return images
        }
    }

    /// One JSON document, or JSON Lines: each non-empty line one envelope, named `source:line N`.
    static func envelopeDocuments(_ data: Data, source: String) throws(LedgerError) -> [([UInt8], String)] {
        let bytes = Array(data)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let filled = lines.enumerated().filter { !$0.element.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
        guard !filled.isEmpty else { throw .invalidInput(InvalidInput(source: source, reason: "no envelope: the input is empty")) }
        // A single document, however it is spaced, parses whole; JSON Lines is tried when it does not.
        if filled.count == 1 || (try? JSONInput.checkSyntax(data, source: source)) != nil { return [(bytes, source)] }
        return filled.map { (Array($0.element), "\(source):line \($0.offset + 1)") }
    }
}
