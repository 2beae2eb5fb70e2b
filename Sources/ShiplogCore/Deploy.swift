/// `pending → in_progress → succeeded | failed`.
public enum DeployState: String, Sendable, Hashable, Codable {
    case pending
    case inProgress = "in_progress"
    case succeeded
    case failed
}

public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pass, fail, skip
}

/// One rollout of one service's digest into an environment (and slot).
public struct Deploy: Sendable, Hashable, Encodable {
    public var id: Int64
    public var environment: String
    @Nullable public var slot: String?
    public var service: String
    public var repository: String
    @Nullable public var tag: String?
    public var digest: String
    public var state: DeployState
    @Nullable public var actor: String?
    @Nullable public var startedAt: Timestamp?
    @Nullable public var finishedAt: Timestamp?

    public init(id: Int64, environment: String, slot: String?, service: String, repository: String, tag: String?, digest: String,
                state: DeployState, actor: String?, startedAt: Timestamp?, finishedAt: Timestamp?) {
        self.id = id
        self.environment = environment
        self.slot = slot
        self.service = service
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.state = state
        self.actor = actor
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// The contract calls a deploy's id `deploy_id` everywhere.
    enum CodingKeys: String, CodingKey {
        case id = "deployID"
        case environment, slot, service, repository, tag, digest, state, actor, startedAt, finishedAt
    }
}

/// A deploy to start: the digest is always what is stored, even when the user named a tag.
public struct NewDeploy: Sendable, Hashable {
    public var environment: String
    public var slot: String?
    public var service: String
    public var repository: Repository
    public var tag: String?
    public var digest: Digest
    public var actor: String?

    public init(environment: String, slot: String?, service: String, repository: Repository, tag: String?, digest: Digest, actor: String?) {
        self.environment = environment
        self.slot = slot
        self.service = service
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.actor = actor
    }
}

/// One post-deploy validation result (`health`, `mcp-tools`, `e2e`).
public struct DeployCheck: Sendable, Hashable, Encodable {
    public var deployID: Int64
    public var name: String
    public var status: CheckStatus
    @Nullable public var detail: String?
    public var checkedAt: Timestamp

    public init(deployID: Int64, name: String, status: CheckStatus, detail: String?, checkedAt: Timestamp) {
        self.deployID = deployID
        self.name = name
        self.status = status
        self.detail = detail
        self.checkedAt = checkedAt
    }
}
