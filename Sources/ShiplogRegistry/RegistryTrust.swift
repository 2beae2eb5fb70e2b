import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

/// Signatures and attestations kept in the image's registry the way cosign keeps them, so that cosign,
/// Kyverno, policy-controller and Ratify find shiplog's, and shiplog finds theirs.
package struct RegistryTrust: Sendable {
    package let client: RegistryClient

    package init(client: RegistryClient) { self.client = client }

    /// What an upload did: the tag written and whether a layer was added (false: it was there already).
    package struct Upload: Sendable, Hashable, Encodable {
        package var tag: String
        package var manifestDigest: String
        package var appended: Bool
        package var layers: Int
    }

    /// Stores a signature as `cosign sign --key` does: the payload as a layer blob, the base64 signature in its
    /// annotation, appended to the image's `.sig` manifest.
    package func uploadSignature(repository: Repository, digest: Digest, payload: [UInt8], signature: [UInt8]) async throws(LedgerError) -> Upload {
        try await upload(repository: repository, digest: digest, kind: .signatures, blob: payload, mediaType: CosignLayout.signatureLayerType,
                         annotations: [CosignLayout.signatureAnnotation: Base64.encode(signature)])
    }

    /// Stores a DSSE envelope as `cosign attest --key` does (`.att`, the envelope as the blob, its predicate type annotated).
    package func uploadAttestation(repository: Repository, digest: Digest, envelope: [UInt8], predicateType: String) async throws(LedgerError) -> Upload {
        // cosign writes an empty signature annotation on attestation layers: the signature is inside the envelope.
        try await upload(repository: repository, digest: digest, kind: .attestations, blob: envelope, mediaType: CosignLayout.attestationLayerType,
                         annotations: [CosignLayout.predicateTypeAnnotation: predicateType, CosignLayout.signatureAnnotation: ""])
    }

    private func upload(
        repository: Repository, digest: Digest, kind: CosignLayout.Kind, blob: [UInt8], mediaType: String, annotations: [String: String]
    ) async throws(LedgerError) -> Upload {
        let address = client.address(of: repository)
        let tag = CosignLayout.tag(for: digest, kind)
        let existing = try await client.manifest(address, reference: tag)
        let layer = OCIManifest.Descriptor(mediaType: mediaType, digest: Digest(validated: "sha256:" + SHA256.hex(blob)),
                                           size: Int64(blob.count), annotations: annotations)
        guard let (manifest, config) = CosignLayout.appending(layer, to: existing?.manifest) else {
            return Upload(tag: tag, manifestDigest: existing?.digest.description ?? "", appended: false, layers: existing?.manifest.layers.count ?? 0)
        }
        try await client.uploadBlob(address, blob)
        try await client.uploadBlob(address, config)
        let stored = try await client.putManifest(address, tag: tag, bytes: manifest.json, mediaType: OCIManifest.ociManifest)
        return Upload(tag: tag, manifestDigest: stored.description, appended: true, layers: manifest.layers.count)
    }

    /// The signatures in the image's `.sig` manifest, each checked (its payload blob against its digest, its
    /// annotation as base64) before any is recorded. Layers of other media types are not signatures and are skipped.
    package func fetchSignatures(repository: Repository, digest: Digest) async throws(LedgerError) -> (uploads: [SignatureUpload], source: String) {
        let address = client.address(of: repository)
        let tag = CosignLayout.tag(for: digest, .signatures)
        let source = "\(address.host)/\(address.path):\(tag)"
        guard let (manifest, _, _) = try await client.manifest(address, reference: tag) else { return ([], source) }
        var signatures: [(index: Int, layer: OCIManifest.Descriptor, signature: [UInt8], field: String)] = []
        for (index, layer) in manifest.layers.enumerated() where layer.mediaType == CosignLayout.signatureLayerType {
            let field = "layers[\(index)].annotations.\(CosignLayout.signatureAnnotation)"
            guard let text = layer.annotations[CosignLayout.signatureAnnotation] else {
                throw .invalidInput(InvalidInput(source: source, field: field, reason: "a signature layer must carry its signature"))
            }
            guard let signature = Base64.decode(text), !signature.isEmpty else {
                throw .invalidInput(InvalidInput(source: source, field: field, value: String(text.prefix(40)), reason: "not base64"))
            }
            signatures.append((index, layer, signature, field))
        }
        // Payloads are fetched together (most signatures of one image share one payload: it is fetched once).
        let payloads = try await blobs(Set(signatures.map(\.layer.digest)), at: address, limit: 1024 * 1024)
        let uploads = signatures.map { item in
            SignatureUpload(repository: repository, digest: digest, payload: payloads[item.layer.digest] ?? [],
                            payloadSource: "\(source) layers[\(item.index)]", signature: item.signature,
                            signatureSource: "\(source) \(item.field)", signerPEM: nil)
        }
        return (uploads, source)
    }

    /// The DSSE envelopes in the image's `.att` manifest, one per line (what `attestation import` reads).
    package func fetchAttestations(repository: Repository, digest: Digest) async throws(LedgerError) -> (envelopes: [[UInt8]], source: String) {
        let address = client.address(of: repository)
        let tag = CosignLayout.tag(for: digest, .attestations)
        let source = "\(address.host)/\(address.path):\(tag)"
        guard let (manifest, _, _) = try await client.manifest(address, reference: tag) else { return ([], source) }
        let layers = manifest.layers.filter { $0.mediaType == CosignLayout.attestationLayerType }
        let fetched = try await blobs(Set(layers.map(\.digest)), at: address, limit: RegistryClient.maximumBlobBytes)
        return (layers.compactMap { fetched[$0.digest] }, source)
    }

    /// Several blobs at once, each checked against its digest; the first failure is the answer.
    private func blobs(_ digests: Set<Digest>, at address: RegistryAddress, limit: Int) async throws(LedgerError) -> [Digest: [UInt8]] {
        let client = client
        // Each child answers with its bytes or its error as plain optionals: a task group's child result holding
        // Result<_, LedgerError> crashed in release builds of Swift 6.3 (a witness table copied uninitialised).
        let results = await withTaskGroup(of: Fetched.self) { group in
            for digest in digests {
                group.addTask {
                    do throws(LedgerError) { return Fetched(digest: digest, bytes: try await client.blob(address, digest: digest, limit: limit)) } catch {
                        return Fetched(digest: digest, error: error)
                    }
                }
            }
            var results: [Fetched] = []
            for await result in group { results.append(result) }
            return results
        }
        var blobs: [Digest: [UInt8]] = [:]
        // In digest order, so that of several failures the same one is reported every time.
        for result in results.sorted(by: { $0.digest.description < $1.digest.description }) {
            if let error = result.error { throw error }
            blobs[result.digest] = result.bytes
        }
        return blobs
    }

    /// One blob fetched, or why not.
    private final class Fetched: Sendable {
        let digest: Digest
        let bytes: [UInt8]
        let error: LedgerError?

        init(digest: Digest, bytes: [UInt8] = [], error: LedgerError? = nil) {
            self.digest = digest
            self.bytes = bytes
            self.error = error
        }
    }
}
