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
