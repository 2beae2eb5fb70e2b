/// `pending → in_progress → succeeded | failed`.
package enum DeployState: String, Sendable, Hashable, Codable {
    case pending
    case inProgress = "in_progress"
    case succeeded
    case failed
}

package enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pass, fail, skip
}

/// One rollout of one service's digest into an environment (and slot).
package struct Deploy: Sendable, Hashable, Encodable {
    package var id: Int64
    package var environment: String
    @Nullable package var slot: String?
    package var service: String
    package var repository: String
    @Nullable package var tag: String?
    package var digest: String
    package var state: DeployState
    @Nullable package var actor: String?
    @Nullable package var startedAt: Timestamp?
    @Nullable package var finishedAt: Timestamp?
    /// The version of the environment's policy that judged the start; nil when it had none.
    @Nullable package var policyVersion: Int64?
    /// What an audit-mode policy found and let through (an enforcing one refuses instead).
    package var policyViolations: [PolicyViolation]
    /// Present only on deploys a CI job's OIDC token started.
    package var writtenBy: WorkloadIdentity?

    /// A deploy as recorded under `id`, in `state`.
    package init(id: Int64, _ deploy: NewDeploy, state: DeployState, startedAt: Timestamp?, finishedAt: Timestamp?,
                 policy: PolicyJudgement? = nil) {
        self.id = id
        (environment, slot, service) = (deploy.environment, deploy.slot, deploy.service)
        (repository, tag, digest) = (deploy.repository.name, deploy.tag, deploy.digest.description)
        self.state = state
        actor = deploy.actor
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        policyVersion = policy?.version
        policyViolations = policy?.violations ?? []
        writtenBy = deploy.writtenBy
    }

    /// The contract calls a deploy's id `deploy_id` everywhere.
    enum CodingKeys: String, CodingKey {
        case id = "deployID"
        case environment, slot, service, repository, tag, digest, state, actor, startedAt, finishedAt, policyVersion, policyViolations, writtenBy
    }
}

/// A deploy to start: the digest is always what is stored, even when the user named a tag.
package struct NewDeploy: Sendable, Hashable {
    package var environment: String
    package var slot: String?
    package var service: String
    package var repository: Repository
    package var tag: String?
    package var digest: Digest
    package var actor: String?
    package var writtenBy: WorkloadIdentity?

    package init(environment: String, slot: String?, service: String, repository: Repository, tag: String?, digest: Digest, actor: String?,
                 writtenBy: WorkloadIdentity? = nil) {
        self.environment = environment
        self.slot = slot
        self.service = service
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.actor = actor
        self.writtenBy = writtenBy
    }
}

/// One post-deploy validation result (`health`, `mcp-tools`, `e2e`).
package struct DeployCheck: Sendable, Hashable, Encodable {
    package var deployID: Int64
    package var name: String
    package var status: CheckStatus
    @Nullable package var detail: String?
    package var checkedAt: Timestamp

    package init(deployID: Int64, name: String, status: CheckStatus, detail: String?, checkedAt: Timestamp) {
        self.deployID = deployID
        self.name = name
        self.status = status
        self.detail = detail
        self.checkedAt = checkedAt
    }
}
