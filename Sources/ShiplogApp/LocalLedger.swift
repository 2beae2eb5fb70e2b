import Dispatch
import Foundation
import ShiplogCore
import ShiplogCrypto

/// The operations run on a database file: the CLI's local mode, and what the server runs behind its routes.
///
/// Reads run on the caller's thread (they are short). On the server, writes wait on `writes`, a serial queue
/// of their own, so a commit's fsync never holds up the threads that answer reads; single builds go through
/// `BuildBatcher`, which commits the builds that arrive together in one transaction.
package struct LocalLedger: LedgerAPI {
    package let ledger: ReleaseLedger
    /// The log's checkpoint key.
    package let logKey: LogKey
    let writes: DispatchQueue?
    let batcher: BuildBatcher?

    /// The CLI's form: everything on the calling thread.
    package init(ledger: ReleaseLedger, logKey: LogKey) {
        self.ledger = ledger
        self.logKey = logKey
        writes = nil
        batcher = nil
    }

    /// The server's form: writes on their own queue, concurrent single builds committed together.
    package init(serving ledger: ReleaseLedger, logKey: LogKey) {
        self.ledger = ledger
        self.logKey = logKey
        let queue = DispatchQueue(label: "shiplog.ledger-writes")
        writes = queue
        batcher = BuildBatcher(ledger: ledger, queue: queue)
    }

    /// Runs a write on the write queue when there is one, and answers with its document.
    func write(_ body: @escaping @Sendable (ReleaseLedger) throws -> some Encodable & Sendable) async throws(LedgerError) -> Document {
        Document(try await writing(body))
    }

    /// Runs a write on the write queue when there is one.
    func writing<T: Sendable>(_ body: @escaping @Sendable (ReleaseLedger) throws -> T) async throws(LedgerError) -> T {
        let ledger = ledger
        guard let writes else { return try Self.typed { try body(ledger) } }
        let result: Result<T, LedgerError> = await withCheckedContinuation { continuation in
            writes.async { continuation.resume(returning: Result { () throws(LedgerError) in try Self.typed { try body(ledger) } }) }
        }
        return try result.get()
    }

    /// Runs a read on the caller's thread (reads are short), and answers with its document.
    func read(_ body: (ReleaseLedger) throws -> some Encodable & Sendable) throws(LedgerError) -> Document {
        Document(try Self.typed { try body(ledger) })
    }

    /// The ledger's operations throw only `LedgerError`; the closures around them are untyped for brevity.
    private static func typed<T>(_ body: () throws -> T) throws(LedgerError) -> T {
        do { return try body() } catch let error as LedgerError { throw error } catch {
            throw .storage("unexpected failure: \(error)")
        }
    }

    // MARK: - Builds

    package func recordBuild(_ build: NewBuild) async throws(LedgerError) -> Document {
        if let batcher { return Document(try await batcher.record(build)) }
        return Document(try ledger.recordBuild(build))
    }

    package func ingestPushMetadata(_ data: Data, source: String) async throws(LedgerError) -> Document {
        try await write { try $0.ingestPushMetadata(data, source: source) }
    }

    package func ingestBuildxMetadata(_ data: Data, source: String, context: BuildxMetadata.Context) async throws(LedgerError) -> Document {
        try await write { try $0.ingestBuildxMetadata(data, source: source, context: context) }
    }

    package func ingestRegistryEvents(_ data: Data, source: String) async throws(LedgerError) -> Document {
        try await write { try $0.ingestRegistryEvents(data, source: source) }
    }

    package func ingestLangfuse(_ data: Data, source: String, service: String?, mapping: LangfuseExport.ServiceMapping?) async throws(LedgerError) -> Document {
        try await write { try $0.ingestLangfuse(data, source: source, service: service, mapping: mapping) }
    }

    package func costReport(from: String, to: String, by: CostReport.Period) async throws(LedgerError) -> Document {
        try read { try $0.costReport(from: from, to: to, by: by) }
    }

    package func deliveryReport(_ request: DeliveryReportRequest) async throws(LedgerError) -> Document {
        try read { try $0.deliveryReport(request) }
    }

    package func builds(_ query: BuildQuery) async throws(LedgerError) -> Document {
        try read { try $0.builds(query) }
    }

    package func image(digest: Digest, repository: Repository?) async throws(LedgerError) -> Document {
        let images = try ledger.image(digest: digest, repository: repository)
        return repository == nil ? Document(ImagesDocument(images: images)) : Document(images[0])
    }

    package func markBad(repository: Repository, digest: Digest, reason: String) async throws(LedgerError) -> Document {
        try await writing { try $0.markBad(repository: repository, digest: digest, reason: reason) }
        return Document(BadMarkDocument(repository: repository.name, digest: digest.description, reason: reason))
    }

    // MARK: - Content trust

    package func addKey(encoded: [UInt8], source: String, name: String) async throws(LedgerError) -> Document {
        var guarded = ledger
        // The trust store refuses the log's checkpoint key; read it only here, where keys are added.
        if guarded.logKeyID == nil {
            guarded.logKeyID = try logKey.signer(create: false)?.publicKey.keyID
        }
        let ledger = guarded
        return try await write { _ in try ledger.addKey(encoded: encoded, source: source, name: name) }
    }

    package func keys() async throws(LedgerError) -> Document { try read { try $0.keys() } }

    package func revokeKey(id: String, reason: String?) async throws(LedgerError) -> Document {
        try await write { try $0.revokeKey(id: id, reason: reason) }
    }

    package func importSignature(_ upload: SignatureUpload) async throws(LedgerError) -> Document {
        var signer: PublicKey?
        if let pem = upload.signerPEM {
            do { signer = try PublicKey(encoded: Array(pem.utf8)) } catch {
                throw .invalidInput(InvalidInput(field: "public_key", reason: error.description))
            }
        }
        let key = signer
        let record = try await writing {
            try $0.importSignature(
                repository: upload.repository, digest: upload.digest, payload: upload.payload, payloadSource: upload.payloadSource,
                signature: upload.signature, signatureSource: upload.signatureSource, signer: key, origin: upload.origin)
        }
        return Document(SignatureDocument(record: record))
    }

    package func verify(repository: Repository, digest: Digest, keyID: String?) async throws(LedgerError) -> Document {
        try read { try $0.verify(repository: repository, digest: digest, keyID: keyID) }
    }

    package func importSignatures(_ uploads: [SignatureUpload], source: String) async throws(LedgerError) -> Document {
        try await write { try $0.importSignatures(uploads, source: source) }
    }

    // MARK: - Retention

    package func planRetention(rules: RetentionRules, listing: RetentionListing?) async throws(LedgerError) -> Document {
        try read { try $0.planRetention(rules: rules, listing: listing) }
    }

    package func applyRetention(
        _ plan: RetentionPlan, listing: RetentionListing?, deleter: (any ManifestDeleter)?
    ) async throws(LedgerError) -> Document {
        var decisions = try ledger.reviewDeletions(plan, listing: listing)
        if let deleter {
            for index in decisions.indices where decisions[index].action == .deleted {
                let decision = decisions[index]
                // Parsed in the review; a decision to delete names a valid repository and digest.
                let repository = Repository(validated: decision.repository), digest = Digest(validated: decision.digest)
                if let failure = await deleter.delete(repository: repository, digest: digest) {
                    decisions[index].action = .failed
                    decisions[index].detail = failure
                    continue
                }
                // Recorded one by one, as each deletion happens: a later failure must not lose an earlier deletion.
                let reason = decision.detail.isEmpty ? "deleted by gc apply" : String(decision.detail.prefix(1024))
                let deletion = ManifestDeletion(repository: repository, digest: digest, reason: reason)
                try await writing { try $0.recordDeletions([deletion]) }
            }
        }
        func count(_ action: RetentionDecision.Action) -> Int { decisions.filter { $0.action == action }.count }
        return Document(RetentionApplication(appliedAt: ledger.clock(), dryRun: deleter == nil, results: decisions, deleted: count(.deleted),
                                             skipped: count(.skipped), refused: count(.refused), failed: count(.failed)))
    }

    // MARK: - Attestations

    package func importAttestations(
        _ data: Data, source: String, target: ReleaseLedger.AttestationTarget, origin: String
    ) async throws(LedgerError) -> Document {
        try await write { try $0.importAttestations(data, source: source, target: target, origin: origin) }
    }

    package func attestations(repository: Repository?, digest: Digest, type: String?) async throws(LedgerError) -> Document {
        try read { AttestationList(attestations: try $0.attestations(repository: repository, digest: digest, type: type)) }
    }

    package func verifyAttestation(repository: Repository, digest: Digest, type: String?) async throws(LedgerError) -> Document {
        try read { try $0.verifyAttestation(repository: repository, digest: digest, type: type) }
    }

    // MARK: - Environments and deploys

    package func createEnvironment(name: String, slots: [String], requireSignature: Bool) async throws(LedgerError) -> Document {
        try await write { try $0.createEnvironment(name: name, slots: slots, requireSignature: requireSignature) }
    }

    package func switchSlot(environment: String, to slot: String, actor: String?) async throws(LedgerError) -> Document {
        try await write { try $0.switchSlot(environment: environment, to: slot, actor: actor) }
    }

    package func startDeploy(_ request: DeployRequest) async throws(LedgerError) -> DeployAnswer {
        let outcome = try await writing {
            try $0.startDeploy(environment: request.environment, slot: request.slot, service: request.service,
                                   image: request.image, actor: request.actor, writtenBy: request.writtenBy)
        }
        switch outcome {
        case let .started(deploy): return .started(Document(deploy))
        case let .refused(verification, decision):
            return .refused(try DeployRefusal(environment: request.environment, verification: Document(verification),
                                              decision: decision.map { Document($0) }))
        }
    }

    package func checkDeploy(id: Int64, name: String, status: CheckStatus, detail: String?) async throws(LedgerError) -> Document {
        try await write { try $0.checkDeploy(id: id, name: name, status: status, detail: detail) }
    }

    package func finishDeploy(id: Int64, state: DeployState) async throws(LedgerError) -> Document {
        try await write { try $0.finishDeploy(id: id, state: state) }
    }

    package func live(environment: String, slot: String?, service: String?) async throws(LedgerError) -> Document {
        try read { try $0.live(environment: environment, slot: slot, service: service) }
    }

    package func lastKnownGood(environment: String, service: String) async throws(LedgerError) -> Document {
        guard let deploy = try ledger.lastKnownGood(environment: environment, service: service) else {
            throw .notFound("no good deploy of \(service) recorded in \(environment)")
        }
        return Document(LastKnownGood(deploy: deploy))
    }

    package func rollbackPlan(environment: String, service: String?, toPrevious: Bool) async throws(LedgerError) -> Document {
        try read { try $0.rollbackPlan(environment: environment, service: service, toPrevious: toPrevious) }
    }

    // MARK: - Pages' answers

    package func overview() async throws(LedgerError) -> Document {
        try read { try $0.overview() }
    }

    package func serviceHistory(service: String, limit: Int) async throws(LedgerError) -> Document {
        try read { try $0.serviceHistory(service: service, limit: limit) }
    }

    // MARK: - Policy and promotion

    package func setPolicy(environment: String, document: JSONValue, source: String, actor: String?) async throws(LedgerError) -> Document {
        try await write { try $0.setPolicy(environment: environment, document: document, source: source, actor: actor) }
    }

    package func policy(environment: String) async throws(LedgerError) -> Document {
        try read { try $0.policy(environment: environment) }
    }

    package func checkPolicy(environment: String, image: ImageReference) async throws(LedgerError) -> Document {
        try read { try $0.checkPolicy(environment: environment, image: image) }
    }

    package func auditPolicy(environment: String, since: Timestamp?) async throws(LedgerError) -> Document {
        try read { try $0.auditPolicy(environment: environment, since: since) }
    }

    package func promote(from: String, to: String, service: String?) async throws(LedgerError) -> Document {
        try read { try $0.promote(from: from, to: to, service: service) }
    }

    // MARK: - Transparency log

    package func checkpoint() async throws(LedgerError) -> Document {
        let signer = try logSigner()
        return try await write { try $0.checkpoint(signer: signer) }
    }

    /// The newest checkpoint kept, without signing one (what the server gives a reader); `notFound` when none was signed yet.
    package func latestCheckpoint() async throws(LedgerError) -> Document {
        guard let latest = try ledger.store.latestCheckpoint() else {
            throw .notFound("no checkpoint has been signed yet: a caller who may write signs one")
        }
        return Document(latest)
    }

    package func proveInclusion(index: Int64, size: Int64?) async throws(LedgerError) -> Document {
        try read { try $0.proveInclusion(index: index, size: size) }
    }

    package func proveConsistency(from: Int64, to: Int64?) async throws(LedgerError) -> Document {
        try read { try $0.proveConsistency(from: from, to: to) }
    }

    package func verifyLog(_ request: LogVerificationRequest) async throws(LedgerError) -> Document {
        // The key given, else the private key's own (beside the ledger, or the server's): the private key
        // may well live on another host, and then only the public key is here to check with.
        var key: PublicKey?
        if let encoded = request.publicKey {
            do { key = try PublicKey(encoded: encoded) } catch { throw .invalidInput(InvalidInput(field: "public_key", reason: error.description)) }
        } else {
            key = try logKey.signer(create: false)?.publicKey
        }
        let found = key
        return try read {
            try $0.verifyLog(logKey: found, auditTables: request.auditTables, requireSignatures: request.requireSignatures,
                             external: request.checkpoint)
        }
    }

    package func logPublicKey() async throws(LedgerError) -> Document {
        Document(LogPublicKey(try logSigner()))
    }

    private func logSigner() throws(LedgerError) -> LogSigner {
        guard let signer = try logKey.signer(create: true) else {
            throw .storage("the log key (\(logKey.place)) could not be created")
        }
        return signer
    }

    // MARK: - Tokens

    package func trustIdentity(_ rule: NewTrustRule) async throws(LedgerError) -> Document {
        try await write { try $0.trustIdentity(rule) }
    }

    package func identityTrustRules() async throws(LedgerError) -> Document { try read { TrustRuleList(rules: try $0.identityTrustRules()) } }

    package func revokeIdentityTrust(id: Int64) async throws(LedgerError) -> Document {
        try await write { try $0.revokeIdentityTrust(id: id) }
    }

    package func createToken(name: String, scopes: Set<Scope>) async throws(LedgerError) -> Document {
        try await write { try $0.createToken(name: name, scopes: scopes) }
    }

    package func listTokens() async throws(LedgerError) -> Document { try read { try $0.tokens() } }

    package func revokeToken(name: String) async throws(LedgerError) -> Document {
        try await write { try $0.revokeToken(name: name) }
    }
}
