import Foundation
import ShiplogCore

/// The operations shiplog offers through either door, each answering with the contract's JSON document.
///
/// `LocalLedger` runs them on a database file (the CLI's local mode, and the server behind its routes);
/// `RemoteLedger` asks a server. The CLI renders whatever document comes back the same way, so the two
/// modes print the same output and exit with the same codes by construction.
package protocol LedgerAPI: Sendable {
    func recordBuild(_ build: NewBuild) async throws(LedgerError) -> Document
    func ingestPushMetadata(_ data: Data, source: String) async throws(LedgerError) -> Document
    func ingestBuildxMetadata(_ data: Data, source: String, context: BuildxMetadata.Context) async throws(LedgerError) -> Document
    func ingestRegistryEvents(_ data: Data, source: String) async throws(LedgerError) -> Document
    func ingestLangfuse(_ data: Data, source: String, service: String?, mapping: LangfuseExport.ServiceMapping?) async throws(LedgerError) -> Document
    func costReport(from: String, to: String, by: CostReport.Period) async throws(LedgerError) -> Document
    func deliveryReport(_ request: DeliveryReportRequest) async throws(LedgerError) -> Document
    func builds(_ query: BuildQuery) async throws(LedgerError) -> Document
    /// One repository's history of the image (`repository` given), or `{"images": [...]}` for every repository.
    func image(digest: Digest, repository: Repository?) async throws(LedgerError) -> Document
    func markBad(repository: Repository, digest: Digest, reason: String) async throws(LedgerError) -> Document

    func addKey(encoded: [UInt8], source: String, name: String) async throws(LedgerError) -> Document
    func keys() async throws(LedgerError) -> Document
    func revokeKey(id: String, reason: String?) async throws(LedgerError) -> Document
    func importSignature(_ upload: SignatureUpload) async throws(LedgerError) -> Document
    /// A verification document; `verified` false is a negative answer, not an error.
    func verify(repository: Repository, digest: Digest, keyID: String?) async throws(LedgerError) -> Document
    /// Several signatures of one image in one transaction (a registry's `.sig` manifest); says how many were new.
    func importSignatures(_ uploads: [SignatureUpload], source: String) async throws(LedgerError) -> Document
    /// `gc plan`: from the ledger, or from what a registry or DigitalOcean listed.
    func planRetention(rules: RetentionRules, listing: RetentionListing?) async throws(LedgerError) -> Document
    /// `gc apply`: the plan's deletions judged again now, deleted through `deleter` and recorded; without one, only judged.
    func applyRetention(_ plan: RetentionPlan, listing: RetentionListing?, deleter: (any ManifestDeleter)?) async throws(LedgerError) -> Document
    /// DSSE envelopes (one document or JSON Lines) recorded as attestations; `origin` is `attest` or `import`.
    func importAttestations(_ data: Data, source: String, target: ReleaseLedger.AttestationTarget, origin: String) async throws(LedgerError) -> Document
    func attestations(repository: Repository?, digest: Digest, type: String?) async throws(LedgerError) -> Document
    func verifyAttestation(repository: Repository, digest: Digest, type: String?) async throws(LedgerError) -> Document

    func createEnvironment(name: String, slots: [String], requireSignature: Bool) async throws(LedgerError) -> Document
    func switchSlot(environment: String, to slot: String, actor: String?) async throws(LedgerError) -> Document
    func startDeploy(_ request: DeployRequest) async throws(LedgerError) -> DeployAnswer
    func checkDeploy(id: Int64, name: String, status: CheckStatus, detail: String?) async throws(LedgerError) -> Document
    func finishDeploy(id: Int64, state: DeployState) async throws(LedgerError) -> Document
    func live(environment: String, slot: String?, service: String?) async throws(LedgerError) -> Document
    /// `notFound` when the service has no good deploy there.
    func lastKnownGood(environment: String, service: String) async throws(LedgerError) -> Document
    func rollbackPlan(environment: String, service: String?, toPrevious: Bool) async throws(LedgerError) -> Document

    /// The web pages' front page and a service's timeline, as JSON.
    func overview() async throws(LedgerError) -> Document
    func serviceHistory(service: String, limit: Int) async throws(LedgerError) -> Document

    /// Sets the environment's policy from its JSON form (a door converts YAML first); `source` names it in errors.
    func setPolicy(environment: String, document: JSONValue, source: String, actor: String?) async throws(LedgerError) -> Document
    /// `notFound` when the environment has no policy.
    func policy(environment: String) async throws(LedgerError) -> Document
    func checkPolicy(environment: String, image: ImageReference) async throws(LedgerError) -> Document
    func auditPolicy(environment: String, since: Timestamp?) async throws(LedgerError) -> Document
    func promote(from: String, to: String, service: String?) async throws(LedgerError) -> Document

    func checkpoint() async throws(LedgerError) -> Document
    func proveInclusion(index: Int64, size: Int64?) async throws(LedgerError) -> Document
    func proveConsistency(from: Int64, to: Int64?) async throws(LedgerError) -> Document
    /// A log verification document; `intact` false is a negative answer.
    func verifyLog(_ request: LogVerificationRequest) async throws(LedgerError) -> Document
    func logPublicKey() async throws(LedgerError) -> Document

    /// `oidc trust|list|revoke`: which CI jobs' OIDC tokens a server accepts, and with which scopes.
    func trustIdentity(_ rule: NewTrustRule) async throws(LedgerError) -> Document
    /// `{"rules": [...]}`, revoked ones too.
    func identityTrustRules() async throws(LedgerError) -> Document
    func revokeIdentityTrust(id: Int64) async throws(LedgerError) -> Document

    func createToken(name: String, scopes: Set<Scope>) async throws(LedgerError) -> Document
    func listTokens() async throws(LedgerError) -> Document
    /// `unknown` when no token has this name.
    func revokeToken(name: String) async throws(LedgerError) -> Document
}
