/// `oidc trust`: which CI jobs may write with their OIDC token, and with which scopes (trusted publishing, as
/// PyPI and npm do it). Every constraint given must equal the token's claim; the repository's numeric id is
/// pinned too (given, or taken from the first token that matched), so a repository deleted and re-created
/// under the same name does not inherit the trust.
package struct TrustRule: Sendable, Hashable, Encodable {
    package var id: Int64
    /// `OWNER/REPO`, compared without regard to case as GitHub does.
    package var repository: String
    @Nullable package var repositoryID: String?
    @Nullable package var ref: String?
    @Nullable package var environment: String?
    /// The workflow file's path in the repository (`.github/workflows/release.yml`), matched against `job_workflow_ref`.
    @Nullable package var workflow: String?
    package var scopes: [Scope]
    package var createdAt: Timestamp
    @Nullable package var revokedAt: Timestamp?

    package init(id: Int64, repository: String, repositoryID: String?, ref: String?, environment: String?, workflow: String?,
                 scopes: [Scope], createdAt: Timestamp, revokedAt: Timestamp?) {
        self.id = id
        self.repository = repository
        self.repositoryID = repositoryID
        self.ref = ref
        self.environment = environment
        self.workflow = workflow
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, repository, ref, environment, workflow, scopes
        case repositoryID = "repository_id", createdAt = "created_at", revokedAt = "revoked_at"
    }

    /// How many constraints beyond the repository: the most specific matching rule is the one that grants.
    package var specificity: Int { [ref, environment, workflow].compactMap(\.self).count }

    /// The first claim this rule's constraints reject, nil when the token matches.
    package func mismatch(_ token: IdentityToken) -> String? {
        guard let repository = token.text("repository"), repository.lowercased() == self.repository.lowercased() else {
            return "repository \(token.text("repository") ?? "missing")"
        }
        if let repositoryID, token.text("repository_id") != repositoryID {
            return "repository_id \(token.text("repository_id") ?? "missing") (the rule is pinned to \(repositoryID))"
        }
        if let ref, token.text("ref") != ref { return "ref \(token.text("ref") ?? "missing")" }
        if let environment, token.text("environment") != environment { return "environment \(token.text("environment") ?? "missing")" }
        if let workflow, Self.workflowPath(token.text("job_workflow_ref") ?? token.text("workflow_ref")) != workflow {
            return "job_workflow_ref \(token.text("job_workflow_ref") ?? "missing")"
        }
        return nil
    }

    /// `.github/workflows/x.yml` from `OWNER/REPO/.github/workflows/x.yml@refs/heads/main`.
    static func workflowPath(_ reference: String?) -> String? {
        guard let reference, let at = reference.lastIndex(of: "@") else { return nil }
        let path = reference[..<at].split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        return path.count == 3 ? String(path[2]) : nil
    }
}

/// A rule as `oidc trust` gives it, checked before it is stored.
package struct NewTrustRule: Sendable, Hashable {
    package var repository: String
    package var repositoryID: String?
    package var ref: String?
    package var environment: String?
    package var workflow: String?
    package var scopes: Set<Scope>

    package init(repository: String, repositoryID: String? = nil, ref: String? = nil, environment: String? = nil, workflow: String? = nil,
                 scopes: Set<Scope>) throws(InvalidInput) {
        let part = #/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})/#
        let halves = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, halves.allSatisfy({ (try? part.wholeMatch(in: $0)) != nil }) else {
            throw InvalidInput(field: "repository", value: repository, reason: "expected OWNER/REPO as GitHub names it")
        }
        if let repositoryID, repositoryID.isEmpty || !repositoryID.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            throw InvalidInput(field: "repository_id", value: repositoryID, reason: "expected the repository's numeric id")
        }
        if let ref, !ref.hasPrefix("refs/") || ref.contains(" ") {
            throw InvalidInput(field: "ref", value: ref, reason: "expected a full ref such as refs/heads/main or refs/tags/v1")
        }
        // A name: no control characters (PostgreSQL cannot store NUL, SQLite's C interface cuts a value at it).
        if let environment, environment.isEmpty || environment.utf8.count > 255 || (try? InputLimits.check(environment, .name, atMost: 255)) == nil {
            throw InvalidInput(field: "environment", value: environment, reason: "expected a GitHub environment name")
        }
        if let workflow, !workflow.hasPrefix(".github/workflows/") || !(workflow.hasSuffix(".yml") || workflow.hasSuffix(".yaml")) {
            throw InvalidInput(field: "workflow", value: workflow, reason: "expected the workflow file's path, .github/workflows/NAME.yml")
        }
        guard !scopes.isEmpty else { throw InvalidInput(field: "scopes", reason: "name at least one scope the rule grants") }
        // Least privilege: a CI job writes records; managing tokens, keys and rules stays with people.
        if scopes.contains(.admin) { throw InvalidInput(field: "scopes", value: "admin", reason: "a CI trust rule may not grant admin") }
        self.repository = repository
        self.repositoryID = repositoryID
        self.ref = ref
        self.environment = environment
        self.workflow = workflow
        self.scopes = scopes
    }
}

/// Where trust rules are kept.
package protocol IdentityTrustStore: Sendable {
    func addTrustRule(_ rule: NewTrustRule, at time: Timestamp) throws(LedgerError) -> TrustRule
    /// Every rule, revoked ones too, oldest first.
    func trustRules() throws(LedgerError) -> [TrustRule]
    /// Revokes rule `id` (revoking twice keeps the first time); `unknown` when there is none.
    func revokeTrustRule(id: Int64, at time: Timestamp) throws(LedgerError) -> TrustRule
    /// Pins the repository id of a rule that had none (a rule once pinned keeps its id); answers the id it holds after.
    func pinRepositoryID(_ repositoryID: String, rule id: Int64) throws(LedgerError) -> String?
}
