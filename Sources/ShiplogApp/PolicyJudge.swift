import Foundation
import ShiplogCore
import ShiplogCrypto

/// Judges digests and deploys of one environment against its policy, for one answer: what the ledger knows about a
/// digest (signers, attestations, soak) is read once per digest and kept for the rest of that answer.
struct PolicyJudge {
    let ledger: ReleaseLedger
    let environment: Environment
    /// The stored policy in force, if any, with its version.
    let policy: (policy: Policy, version: Int64)?
    private var keys: [TrustedKey]?
    private var known: [String: PolicyFacts] = [:]
    private var soakJudges: [String: PolicyJudge] = [:]

    init(ledger: ReleaseLedger, environment: Environment) throws(LedgerError) {
        self.ledger = ledger
        self.environment = environment
        if let stored = try ledger.store.policyDocument(environment: environment.name) {
            let parsed = ProcessCaches.policies.value(for: stored.document) {
                guard let document = try? JSONInput.value(from: Data(stored.document.utf8), source: "stored policy") else { return nil }
                return try? Policy(parsing: document, source: "stored policy")
            }
            guard let parsed else {
                // Set through the same parser, so only an edited row gets here; `log verify` names it.
                throw .storage("the stored policy of \(environment.name) v\(stored.version) does not parse")
            }
            policy = (parsed, stored.version)
        } else {
            policy = nil
        }
    }

    /// The policy the gate applies: the stored one, else the `--require-signature` shorthand, else none.
    var gatePolicy: Policy? { policy?.policy ?? (environment.requireSignature ? .requireSignature : nil) }

    /// Why a recorded deploy is not good (empty when good). `--require-signature` stays a floor under any policy; an
    /// enforcing policy adds its checks, signatures and attestations, judged now; an audit policy changes nothing.
    mutating func reasonsNotGood(_ facts: DeployFacts) throws(LedgerError) -> [String] {
        var reasons = facts.reasonsNotGood(protected: environment.requireSignature)
        guard let policy = policy?.policy, policy.mode == .enforce else { return reasons }
        var digestFacts = try self.facts(repository: facts.deploy.repository, digest: facts.deploy.digest, for: policy)
        if !policy.checks.isEmpty {
            digestFacts.passedChecks = Set(try ledger.store.checks(deployID: facts.deploy.id).filter { $0.status == .pass }.map(\.name))
        }
        let violations = policy.violations(digestFacts, at: ledger.clock(), rules: Policy.goodnessRules)
        reasons += violations.map { "policy \($0.rule.rawValue): \($0.detail)" }
        return reasons
    }

    mutating func isGood(_ facts: DeployFacts) throws(LedgerError) -> Bool {
        // The common case needs no policy facts: a deploy that fails the plain rules is not good under any policy.
        guard facts.isGood(protected: environment.requireSignature) else { return false }
        return try reasonsNotGood(facts).isEmpty
    }

    /// The gate's decision for a digest about to be deployed, at `time`.
    mutating func admission(repository: String, digest: String, at time: Timestamp) throws(LedgerError) -> PolicyDecision? {
        guard let gate = gatePolicy else { return nil }
        let facts = try self.facts(repository: repository, digest: digest, for: gate)
        return PolicyDecision(environment: environment.name, repository: repository, digest: digest, mode: gate.mode,
                              policyVersion: policy?.version, violations: gate.violations(facts, at: time, rules: Policy.admissionRules))
    }

    /// What the ledger knows about a digest that `policy` asks about; read once per digest.
    mutating func facts(repository: String, digest: String, for policy: Policy) throws(LedgerError) -> PolicyFacts {
        let key = repository + "@" + digest
        if let found = known[key] { return found }
        let image = Repository(validated: repository)
        let hash = Digest(validated: digest)
        var facts = PolicyFacts(repository: repository, digest: digest, signers: [], attestations: [], soakedSince: nil, passedChecks: nil)
        let records = try trustedKeyRecords()
        let byID = Dictionary(records.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first })
        if policy.signatures != nil {
            var seen = Set<String>()
            for signed in try ledger.store.trustedSignatures(repository: image, digest: hash) where seen.insert(signed.keyID).inserted {
                if let record = byID[signed.keyID] { facts.signers.append(PolicyFacts.Signer(keyID: record.keyID, name: record.name)) }
            }
        }
        if !policy.attestations.isEmpty {
            // Only the keys a rule could count are tried (every trusted one when a rule names none).
            let named = policy.attestations.contains { $0.keys.isEmpty } ? nil : Set(policy.attestations.flatMap(\.keys))
            let candidates = records.filter { key in !key.isRevoked && (named.map { $0.contains(key.name) || $0.contains(key.keyID) } ?? true) }
            facts.attestations = try attested(image, hash, among: candidates)
        }
        if let soak = policy.soak {
            facts.soakedSince = try soakedSince(image, hash, in: soak.environment)
        }
        known[key] = facts
        return facts
    }

    private mutating func trustedKeyRecords() throws(LedgerError) -> [TrustedKey] {
        if let keys { return keys }
        let loaded = try ledger.store.keys()
        keys = loaded
        return loaded
    }

    /// The valid attestations of an image: a statement naming the digest, signed by one of `keys`.
    private mutating func attested(_ repository: Repository, _ digest: Digest, among keys: [TrustedKey]) throws(LedgerError) -> [PolicyFacts.Attested] {
        var found: [PolicyFacts.Attested] = []
        for stored in try ledger.store.attestations(repository: repository, digest: digest) {
            let attestation = stored.attestation
            // The fingerprint hashes the envelope, payload included: it names the statement's bytes.
            guard let bytes = attestation.envelope,
                  let statement = ProcessCaches.statements.value(for: attestation.fingerprint, compute: {
                      try? InTotoStatement(parsing: attestation.statement, source: "stored statement")
                  }),
                  statement.names(digest) else { continue }
            var envelope: DSSEEnvelope?
            for key in keys {
                let verifies = ProcessCaches.envelopeVerdicts.value(for: attestation.fingerprint + "/" + key.keyID) {
                    if envelope == nil { envelope = try? DSSEEnvelope(parsing: bytes, source: "stored envelope") }
                    guard let envelope, let publicKey = ProcessCaches.publicKey(key) else { return false }
                    let message = envelope.preAuthenticationEncoding
                    return envelope.signatures.contains { publicKey.isValidSignature($0.signature, for: message) }
                } ?? false
                if verifies {
                    found.append(PolicyFacts.Attested(predicateType: statement.predicateType,
                                                      signer: PolicyFacts.Signer(keyID: key.keyID, name: key.name),
                                                      predicate: statement.predicate))
                }
            }
        }
        return found
    }

    /// When the oldest deploy of the image into `name` that is good there started (judged by that environment's own rules).
    private mutating func soakedSince(_ repository: Repository, _ digest: Digest, in name: String) throws(LedgerError) -> Timestamp? {
        var judge: PolicyJudge
        if let kept = soakJudges[name] {
            judge = kept
        } else {
            guard let soakEnvironment = try ledger.store.environment(named: name) else { return nil }
            judge = try PolicyJudge(ledger: ledger, environment: soakEnvironment)
        }
        defer { soakJudges[name] = judge }
        for facts in try ledger.store.deploys(environment: name, repository: repository, digest: digest) where try judge.isGood(facts) {
            return facts.deploy.startedAt
        }
        return nil
    }
}
