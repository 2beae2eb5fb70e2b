/// The ledger's storage, as the application layer sees it.
///
/// Every method that writes keeps its invariant in one transaction: a batch is recorded whole or not
/// at all. SQLite implements it today; a PostgreSQL backend would implement the same protocol.
public protocol LedgerStore: Sendable {
    /// Records builds in one transaction, moving tags whose digest changed. A build already in the ledger
    /// (same repository, digest, tag and run) is not recorded twice: its existing id comes back.
    func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild]

    /// One build by id.
    func build(id: Int64) throws(LedgerError) -> Build

    /// Builds, newest first.
    func builds(matching query: BuildQuery) throws(LedgerError) -> [Build]

    /// Everything known about the images with this digest, in one repository or in all of them.
    func images(digest: Digest, repository: Repository?) throws(LedgerError) -> [ImageHistory]

    // MARK: Trust store and signatures

    /// Adds a key; adding the same key again returns the stored one. A name names one key.
    func add(_ key: TrustedKey) throws(LedgerError) -> TrustedKey

    /// Every key, oldest first.
    func keys() throws(LedgerError) -> [TrustedKey]

    /// Revokes a key from `time` on; its signatures no longer count. Revoking twice keeps the first time.
    func revokeKey(id: String, at time: Timestamp, reason: String?) throws(LedgerError) -> TrustedKey

    /// Records a signature; the same signature over the same image is recorded once.
    func record(_ signature: NewSignature, at time: Timestamp) throws(LedgerError) -> StoredSignature

    /// The signatures recorded for an image, oldest first.
    func signatures(repository: Repository, digest: Digest) throws(LedgerError) -> [StoredSignature]

    /// Every recorded signature, for re-verifying them against a key added later.
    func allSignatures() throws(LedgerError) -> [StoredSignature]

    /// Records that a signature (whose payload names its digest) verified with a trusted key.
    func recordVerification(signatureID: Int64, keyID: String, at time: Timestamp) throws(LedgerError)

    // MARK: Environments and deploys

    /// Creates an environment; creating the same one again returns it, a different one is refused.
    func create(_ environment: Environment) throws(LedgerError) -> Environment
    func environment(named name: String) throws(LedgerError) -> Environment?
    /// Makes `slot` the active slot and records the switch.
    func switchSlot(environment: String, to slot: String, actor: String?, at time: Timestamp) throws(LedgerError) -> TrafficSwitch
    func lastSwitch(environment: String) throws(LedgerError) -> TrafficSwitch?

    /// Records a deploy that has started (in_progress), which makes it live.
    func start(_ deploy: NewDeploy, at time: Timestamp) throws(LedgerError) -> Deploy
    /// Records a deploy the content-trust gate refused.
    func recordRefusal(_ deploy: NewDeploy, verification: Verification, at time: Timestamp) throws(LedgerError)
    func deploy(id: Int64) throws(LedgerError) -> Deploy?
    /// Finishes an in-progress deploy; finishing twice is an input error.
    func finish(deployID: Int64, as state: DeployState, at time: Timestamp) throws(LedgerError) -> Deploy
    func add(_ check: DeployCheck) throws(LedgerError) -> DeployCheck
    func checks(deployID: Int64) throws(LedgerError) -> [DeployCheck]
    /// Marks an image bad; marking it again keeps the first reason.
    func markBad(repository: Repository, digest: Digest, reason: String, at time: Timestamp) throws(LedgerError)

    /// The live deploy of every service in (environment, slot), with the facts that decide goodness.
    func liveDeploys(environment: String, slot: String?) throws(LedgerError) -> [DeployFacts]
    /// Succeeded deploys of (environment, service), newest first, with id below `before` when given.
    func succeededDeploys(environment: String, service: String, before: Int64?, limit: Int) throws(LedgerError) -> [DeployFacts]
    /// The digest `repository:tag` names now.
    func currentDigest(repository: Repository, tag: String) throws(LedgerError) -> Digest?

    // MARK: Transparency log (read side; every write above appends to it in its own transaction)

    func logSize() throws(LedgerError) -> Int64
    /// MTH of the first `size` leaves (size ≥ 1).
    func logRoot(size: Int64) throws(LedgerError) -> [UInt8]
    func logInclusionProof(index: Int64, size: Int64) throws(LedgerError) -> (leafHash: [UInt8], proof: [[UInt8]])
    func logConsistencyProof(from: Int64, to: Int64) throws(LedgerError) -> [[UInt8]]
    func logEntries(from: Int64, limit: Int) throws(LedgerError) -> [LogEntry]
    /// The log events of builds after `afterID`, regenerated from the table rows by id, each both with and
    /// without a tag move (the table does not say which): what `log verify` compares the log's entries with.
    func buildEvents(afterID: Int64, limit: Int) throws(LedgerError) -> [(id: Int64, moved: [UInt8], unmoved: [UInt8])]
    /// Every deploy, oldest first (for comparing the tables with the log).
    func allDeploys() throws(LedgerError) -> [Deploy]
    /// Every image marked bad, as repository@digest.
    func badImages() throws(LedgerError) -> [String]
    /// Every stored subtree hash of one level, by index (levels below `lowestStoredLogLevel` are not stored).
    func logNodes(level: Int) throws(LedgerError) -> [(index: Int64, hash: [UInt8])]
    var lowestStoredLogLevel: Int { get }
    func save(_ checkpoint: Checkpoint) throws(LedgerError)
    func checkpoints() throws(LedgerError) -> [Checkpoint]

    // MARK: Registry events

    /// Records registry events in one transaction, oldest first; an event id seen before is skipped.
    func record(_ events: [RegistryEvent], at time: Timestamp) throws(LedgerError) -> [Bool]

    // MARK: Usage

    /// Stores token-cost samples in one transaction: each replaces the sample with its (source, id), and
    /// `replacingDays` (service, day) lose their daily-metrics samples first. Returns how many samples replaced one.
    func record(_ samples: [TokenCostSample], replacingDays: [(service: String, day: String)], at time: Timestamp) throws(LedgerError) -> Int
    /// Every service's usage per UTC day from `from` through `through` (dates, inclusive).
    func dailyUsage(from: String, through: String) throws(LedgerError) -> [DailyUsage]

    // MARK: API tokens

    /// Stores a new token (only its hash); `invalidInput` when the name is taken.
    func add(_ token: APIToken) throws(LedgerError) -> APIToken
    /// The token whose SHA-256 is `hash`, unless it is unknown or revoked.
    func token(hash: [UInt8]) throws(LedgerError) -> APIToken?
    /// Row counts for /metrics: builds, deploys, signatures, keys, log entries.
    func sizes() throws(LedgerError) -> [(kind: String, count: Int64)]
    /// Every environment, for /metrics's one live series per service.
    func environments() throws(LedgerError) -> [Environment]
    /// A number that changes whenever anything was committed to the ledger, by this process or another:
    /// answers computed at the same number are still current.
    func changeCounter() throws(LedgerError) -> Int64
}

/// Which builds to list.
public struct BuildQuery: Sendable, Hashable {
    public var service: String?
    public var since: Timestamp?
    public var limit: Int

    public init(service: String? = nil, since: Timestamp? = nil, limit: Int = 100) {
        self.service = service
        self.since = since
        self.limit = limit
    }
}

/// One interval during which a tag named a digest. `validTo == nil` is the current mapping.
public struct TagInterval: Sendable, Hashable, Encodable {
    public var tag: String
    public var digest: String
    public var validFrom: Timestamp
    public var validTo: Timestamp?

    public init(tag: String, digest: String, validFrom: Timestamp, validTo: Timestamp?) {
        self.tag = tag
        self.digest = digest
        self.validFrom = validFrom
        self.validTo = validTo
    }

    enum CodingKeys: String, CodingKey {
        case tag, digest, current
        case validFrom = "valid_from", validTo = "valid_to"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tag, forKey: .tag)
        try container.encode(digest, forKey: .digest)
        try container.encode(validFrom, forKey: .validFrom)
        try container.encode(validTo, forKey: .validTo)
        try container.encode(validTo == nil, forKey: .current)
    }
}

/// Everything the ledger knows about one image, (repository, digest).
public struct ImageHistory: Sendable, Hashable, Encodable {
    /// A recorded signature, without its bytes.
    public struct SignatureEntry: Sendable, Hashable, Encodable {
        public var id: Int64
        public var keyID: String?
        public var source: String
        public var recordedAt: Timestamp

        public init(id: Int64, keyID: String?, source: String, recordedAt: Timestamp) {
            self.id = id
            self.keyID = keyID
            self.source = source
            self.recordedAt = recordedAt
        }

        enum CodingKeys: String, CodingKey {
            case id, source
            case keyID = "key_id", recordedAt = "recorded_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(keyID, forKey: .keyID)
            try container.encode(source, forKey: .source)
            try container.encode(recordedAt, forKey: .recordedAt)
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

        enum CodingKeys: String, CodingKey {
            case reason
            case markedAt = "marked_at"
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
    public var markedBad: BadMark?
    /// Pulls registries reported (`bytes`: summed where the size was known).
    public var pulls: Pulls

    /// How often registries reported the image pulled.
    public struct Pulls: Sendable, Hashable, Encodable {
        public var count: Int64
        public var bytes: Int64
        public var lastPulledAt: Timestamp?

        public init(count: Int64 = 0, bytes: Int64 = 0, lastPulledAt: Timestamp? = nil) {
            self.count = count
            self.bytes = bytes
            self.lastPulledAt = lastPulledAt
        }

        enum CodingKeys: String, CodingKey {
            case count, bytes
            case lastPulledAt = "last_pulled_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(lastPulledAt, forKey: .lastPulledAt)
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

    enum CodingKeys: String, CodingKey {
        case repository, digest, builds, tags, signatures, deploys, pulls
        case markedBad = "marked_bad"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(repository, forKey: .repository)
        try container.encode(digest, forKey: .digest)
        try container.encode(builds, forKey: .builds)
        try container.encode(tags, forKey: .tags)
        try container.encode(signatures, forKey: .signatures)
        try container.encode(deploys, forKey: .deploys)
        try container.encode(markedBad, forKey: .markedBad)
        try container.encode(pulls, forKey: .pulls)
    }
}

/// Failures of the ledger's operations, each with what a user needs to act on it.
public enum LedgerError: Error, Sendable, CustomStringConvertible {
    /// The input was wrong; nothing was written.
    case invalidInput(InvalidInput)
    /// The thing asked about is not in the ledger.
    case notFound(String)
    /// The database failed (I/O, corruption, a lock held longer than the busy timeout).
    case storage(String)
    /// A shiplog server could not be reached (remote mode).
    case unreachable(String)
    /// A server refused the request: no token, an unknown token, or one without the needed scope.
    case denied(String)

    public var description: String {
        switch self {
        case let .invalidInput(problem): problem.description
        case let .notFound(what): what
        case let .storage(detail): "ledger storage failed: \(detail)"
        case let .unreachable(detail): "unreachable: \(detail)"
        case let .denied(detail): detail
        }
    }
}
