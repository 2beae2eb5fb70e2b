/// One interval during which a tag named a digest. `validTo == nil` is the current mapping.
package struct TagInterval: Sendable, Hashable, Encodable {
    package private(set) var tag: String
    package private(set) var digest: String
    package private(set) var validFrom: Timestamp
    @Nullable package private(set) var validTo: Timestamp?
    /// Whether this is the tag's mapping now (`validTo` is nil); written out for scripts.
    package private(set) var current: Bool

    package init(tag: String, digest: String, validFrom: Timestamp, validTo: Timestamp?) {
        self.tag = tag
        self.digest = digest
        self.validFrom = validFrom
        self.validTo = validTo
        current = validTo == nil
    }
}

/// Everything the ledger knows about one image, (repository, digest).
package struct ImageHistory: Sendable, Hashable, Encodable {
    /// A recorded signature, without its bytes.
    package struct SignatureEntry: Sendable, Hashable, Encodable {
        package var id: Int64
        @Nullable package var keyID: String?
        package var source: String
        package var recordedAt: Timestamp

        package init(id: Int64, keyID: String?, source: String, recordedAt: Timestamp) {
            self.id = id
            self.keyID = keyID
            self.source = source
            self.recordedAt = recordedAt
        }
    }

    /// Why and when the image was marked bad.
    package struct BadMark: Sendable, Hashable, Encodable {
        package var reason: String
        package var markedAt: Timestamp

        package init(reason: String, markedAt: Timestamp) {
            self.reason = reason
            self.markedAt = markedAt
        }
    }

    package var repository: String
    package var digest: String
    package var builds: [Build]
    /// Every interval in which a tag of this repository named this digest, oldest first.
    package var tags: [TagInterval]
    package var signatures: [SignatureEntry]
    /// Attestations of the image, oldest first, each judged against the trust store (filled by the application).
    package var attestations: [AttestationRecord] = []
    /// Deploys of the image, newest first.
    package var deploys: [Deploy]
    @Nullable package var markedBad: BadMark?
    /// Pulls registries reported (`bytes`: summed where the size was known).
    package var pulls: Pulls

    /// How often registries reported the image pulled.
    package struct Pulls: Sendable, Hashable, Encodable {
        package var count: Int64
        package var bytes: Int64
        @Nullable package var lastPulledAt: Timestamp?

        package init(count: Int64 = 0, bytes: Int64 = 0, lastPulledAt: Timestamp? = nil) {
            self.count = count
            self.bytes = bytes
            self.lastPulledAt = lastPulledAt
        }
    }

    package init(repository: String, digest: String, builds: [Build], tags: [TagInterval], signatures: [SignatureEntry] = [],
                deploys: [Deploy] = [], markedBad: BadMark? = nil, pulls: Pulls = Pulls()) {
        self.pulls = pulls
        self.repository = repository
        self.digest = digest
        self.builds = builds
        self.tags = tags
        self.signatures = signatures
        self.deploys = deploys
        self.markedBad = markedBad
    }
}
