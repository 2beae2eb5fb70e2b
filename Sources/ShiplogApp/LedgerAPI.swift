import Foundation
import ShiplogCore

/// The operations shiplog offers through either door, each answering with the contract's JSON document.
///
/// `LocalLedger` runs them on a database file (the CLI's local mode, and the server behind its routes);
/// `RemoteLedger` asks a server. The CLI renders whatever document comes back the same way, so the two
/// modes print the same output and exit with the same codes by construction.
public protocol LedgerAPI: Sendable {
    func recordBuild(_ build: NewBuild) async throws(LedgerError) -> Document
    func ingestPushMetadata(_ data: Data, source: String) async throws(LedgerError) -> Document
    func ingestBuildxMetadata(_ data: Data, source: String, context: BuildxMetadata.Context) async throws(LedgerError) -> Document
    func ingestRegistryEvents(_ data: Data, source: String) async throws(LedgerError) -> Document
    func ingestLangfuse(_ data: Data, source: String, service: String?, mapping: LangfuseExport.ServiceMapping?) async throws(LedgerError) -> Document
    func costReport(from: String, to: String, by: CostReport.Period) async throws(LedgerError) -> Document
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

    func createEnvironment(name: String, slots: [String], requireSignature: Bool) async throws(LedgerError) -> Document
    func switchSlot(environment: String, to slot: String, actor: String?) async throws(LedgerError) -> Document
    func startDeploy(_ request: DeployRequest) async throws(LedgerError) -> DeployAnswer
    func checkDeploy(id: Int64, name: String, status: CheckStatus, detail: String?) async throws(LedgerError) -> Document
    func finishDeploy(id: Int64, state: DeployState) async throws(LedgerError) -> Document
    func live(environment: String, slot: String?, service: String?) async throws(LedgerError) -> Document
    /// `notFound` when the service has no good deploy there.
    func lastKnownGood(environment: String, service: String) async throws(LedgerError) -> Document
    func rollbackPlan(environment: String, service: String?, toPrevious: Bool) async throws(LedgerError) -> Document

    func checkpoint() async throws(LedgerError) -> Document
    func proveInclusion(index: Int64, size: Int64?) async throws(LedgerError) -> Document
    func proveConsistency(from: Int64, to: Int64?) async throws(LedgerError) -> Document
    /// A log verification document; `intact` false is a negative answer.
    func verifyLog(auditTables: Bool) async throws(LedgerError) -> Document
    func logPublicKey() async throws(LedgerError) -> Document

    func createToken(name: String, scopes: Set<Scope>) async throws(LedgerError) -> Document
}

/// A contract JSON document. Locally it holds the typed value (the server encodes it straight to bytes);
/// from a server it holds the decoded JSON.
public struct Document: Sendable, Encodable {
    private let body: any Encodable & Sendable

    public init(_ body: some Encodable & Sendable) { self.body = body }

    public func encode(to encoder: any Encoder) throws { try body.encode(to: encoder) }

    /// The document as plain JSON, which is what the CLI's tables read.
    public func json() throws(LedgerError) -> JSONValue {
        if let value = body as? JSONValue { return value }
        do { return try JSONDecoder().decode(JSONValue.self, from: try ContractJSON.compact.encode(self)) } catch {
            throw .storage("could not encode a result: \(error)")
        }
    }
}

/// What asking to start a deploy produced: the deploy, or the gate's refusal (recorded too) with its verification.
public enum DeployAnswer: Sendable {
    case started(Document)
    case refused(DeployRefusal)
}

/// The gate's refusal of a deploy: the verification that decided it, and the one line every door shows.
public struct DeployRefusal: Sendable {
    public var verification: Document
    public var message: String

    public init(environment: String, verification: Document) throws(LedgerError) {
        self.verification = verification
        let json = try verification.json()
        message = "deploy refused: \(environment) requires a trusted signature: "
            + "\(json["reason"]?.stringValue ?? "-"): \(json["detail"]?.stringValue ?? "-")"
    }
}

/// `deploy start` / POST /v1/deploys (its body): the image by digest, or by tag resolved through the tag history.
public struct DeployRequest: Sendable, Codable {
    public var environment: String
    public var slot: String?
    public var service: String
    public var image: ImageReference
    public var actor: String?

    public init(environment: String, slot: String?, service: String, image: ImageReference, actor: String?) {
        self.environment = environment
        self.slot = slot
        self.service = service
        self.image = image
        self.actor = actor
    }
}

/// A signature to record: made here by `sign` or elsewhere by cosign or openssl.
public struct SignatureUpload: Sendable {
    public var repository: Repository
    public var digest: Digest
    public var payload: [UInt8]
    public var payloadSource: String
    public var signature: [UInt8]
    public var signatureSource: String
    /// The public key (PEM) that made it, when the signer says so.
    public var signerPEM: String?
    /// `sign` when shiplog made it, else `import`.
    public var origin: String

    public init(repository: Repository, digest: Digest, payload: [UInt8], payloadSource: String, signature: [UInt8],
                signatureSource: String, signerPEM: String?, origin: String = "import") {
        self.repository = repository
        self.digest = digest
        self.payload = payload
        self.payloadSource = payloadSource
        self.signature = signature
        self.signatureSource = signatureSource
        self.signerPEM = signerPEM
        self.origin = origin
    }
}
