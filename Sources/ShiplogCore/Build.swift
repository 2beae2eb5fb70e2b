/// A build to record: one CI build and push of a service image.
///
/// Decodes from the contract's build shape (`POST /v1/builds`): `service`, `repository`, `tag` and
/// `digest` are required; every value is validated with the path of the field that holds it.
public struct NewBuild: Sendable, Hashable, Codable {
    public var service: String
    public var repository: Repository
    public var tag: String
    public var digest: Digest
    public var commit: String?
    public var ref: String?
    public var runID: String?
    public var runAttempt: Int?
    public var runURL: String?
    public var builder: String?
    /// When the image was built; the ledger uses the time it recorded the build when absent.
    public var builtAt: Timestamp?
    public var labels: [String: String]

    public init(
        service: String, repository: Repository, tag: String, digest: Digest,
        commit: String? = nil, ref: String? = nil, runID: String? = nil, runAttempt: Int? = nil,
        runURL: String? = nil, builder: String? = nil, builtAt: Timestamp? = nil, labels: [String: String] = [:]
    ) {
        self.service = service
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.commit = commit
        self.ref = ref
        self.runID = runID
        self.runAttempt = runAttempt
        self.runURL = runURL
        self.builder = builder
        self.builtAt = builtAt
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case service, repository, tag, digest, commit, ref, builder, labels
        case runID = "run_id", runAttempt = "run_attempt", runURL = "run_url", builtAt = "built_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try Self.validated(container, .service, ServiceName.validate)
        repository = try container.decode(Repository.self, forKey: .repository)
        tag = try Self.validated(container, .tag, Tag.validate)
        digest = try container.decode(Digest.self, forKey: .digest)
        commit = try container.decodeIfPresent(String.self, forKey: .commit)
        ref = try container.decodeIfPresent(String.self, forKey: .ref)
        runID = try container.decodeStringOrNumberIfPresent(forKey: .runID)
        runAttempt = try container.decodeAttemptIfPresent(forKey: .runAttempt)
        runURL = try container.decodeIfPresent(String.self, forKey: .runURL)
        builder = try container.decodeIfPresent(String.self, forKey: .builder)
        builtAt = try container.decodeIfPresent(Timestamp.self, forKey: .builtAt)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }

    /// The build as the ledger holds it once recorded as new under `id` at `time` (no need to read it back).
    public func recorded(id: Int64, at time: Timestamp) -> Build {
        Build(id: id, service: service, repository: repository.name, tag: tag, digest: digest.description, commit: commit, ref: ref,
              runID: runID, runAttempt: runAttempt, runURL: runURL, builder: builder, builtAt: builtAt ?? time, labels: labels)
    }

    // Encoding is synthesized: the request body of `POST /v1/builds` (the CLI's remote mode sends it), absent values omitted.

    private static func validated(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys,
        _ validate: (String) throws(ValueError) -> String
    ) throws -> String {
        let text = try container.decode(String.self, forKey: key)
        do { return try validate(text) } catch { throw error.decodingError(at: container.codingPath + [key]) }
    }
}

/// A build as the ledger holds it, in the contract's JSON shape.
public struct Build: Sendable, Hashable, Encodable {
    public var id: Int64
    public var service: String
    public var repository: String
    public var tag: String
    public var digest: String
    @Nullable public var commit: String?
    @Nullable public var ref: String?
    @Nullable public var runID: String?
    @Nullable public var runAttempt: Int?
    @Nullable public var runURL: String?
    @Nullable public var builder: String?
    public var builtAt: Timestamp
    public var labels: [String: String]

    public init(
        id: Int64, service: String, repository: String, tag: String, digest: String, commit: String?, ref: String?,
        runID: String?, runAttempt: Int?, runURL: String?, builder: String?, builtAt: Timestamp, labels: [String: String]
    ) {
        self.id = id
        self.service = service
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.commit = commit
        self.ref = ref
        self.runID = runID
        self.runAttempt = runAttempt
        self.runURL = runURL
        self.builder = builder
        self.builtAt = builtAt
        self.labels = labels
    }
}

/// What recording one build did: its id, and whether the ledger already had it.
public struct RecordedBuild: Sendable, Hashable {
    public var id: Int64
    public var isNew: Bool

    public init(id: Int64, isNew: Bool) {
        self.id = id
        self.isNew = isNew
    }
}
