/// One interval during which a tag named a digest. `validTo == nil` is the current mapping.
public struct TagInterval: Sendable, Hashable, Encodable {
    public private(set) var tag: String
    public private(set) var digest: String
    public private(set) var validFrom: Timestamp
    @Nullable public private(set) var validTo: Timestamp?
    /// Whether this is the tag's mapping now (`validTo` is nil); written out for scripts.
    public private(set) var current: Bool

    public init(tag: String, digest: String, validFrom: Timestamp, validTo: Timestamp?) {
        self.tag = tag
        self.digest = digest
        self.validFrom = validFrom
        self.validTo = validTo
        current = validTo == nil
    }
}

/// Everything the ledger knows about one image, (repository, digest).
public struct ImageHistory: Sendable, Hashable, Encodable {
    /// A recorded signature, without its bytes.
    public struct SignatureEntry: Sendable, Hashable, Encodable {
        public var id: Int64
        @Nullable public var keyID: String?
        public var source: String
        public var recordedAt: Timestamp

        public init(id: Int64, keyID: String?, source: String, recordedAt: Timestamp) {
            self.id = id
            self.keyID = keyID
            self.source = source
            self.recordedAt = recordedAt
        }
    }

    /// Why and when the image was marked bad.
    public struct BadMark: Sendable, Hashable, Encodable {
        public var reason: String
        public var markedAt: Timestamp

        public init(reason: String, markedAt: Timestamp) {
            self.reason = reason
            self.markedAt = markedAt
        }
    }

    public var repository: String
    public var digest: String
    public var builds: [Build]
    /// Every interval in which a tag of this repository named this digest, oldest first.
    public var tags: [TagInterval]
    public var signatures: [SignatureEntry]
    /// Deploys of the image, newest first.
    public var deploys: [Deploy]
    @Nullable public var markedBad: BadMark?
    /// Pulls registries reported (`bytes`: summed where the size was known).
    public var pulls: Pulls

    /// How often registries reported the image pulled.
    public struct Pulls: Sendable, Hashable, Encodable {
        public var count: Int64
        public var bytes: Int64
        @Nullable public var lastPulledAt: Timestamp?

        public init(count: Int64 = 0, bytes: Int64 = 0, lastPulledAt: Timestamp? = nil) {
            self.count = count
            self.bytes = bytes
            self.lastPulledAt = lastPulledAt
        }
    }

    public init(repository: String, digest: String, builds: [Build], tags: [TagInterval], signatures: [SignatureEntry] = [],
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
