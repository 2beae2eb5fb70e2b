/// A build to record: one CI build and push of a service image.
///
/// Decodes from the contract's build shape (`POST /v1/builds`): `service`, `repository`, `tag` and
/// `digest` are required; every value is validated with the path of the field that holds it.
package struct NewBuild: Sendable, Hashable, Codable {
    package var service: String
    package var repository: Repository
    package var tag: String
    package var digest: Digest
    package var commit: String?
    package var ref: String?
    package var runID: String?
    package var runAttempt: Int?
    package var runURL: String?
    package var builder: String?
    /// When the image was built; the ledger uses the time it recorded the build when absent.
    package var builtAt: Timestamp?
    package var labels: [String: String]
    /// When the commit the image was built from was made: where DORA's lead time starts.
    package var committedAt: Timestamp?
    /// The CI job whose OIDC token wrote it (set by the server from the token, never read from a body).
    package var writtenBy: WorkloadIdentity? = nil

    package init(
        service: String, repository: Repository, tag: String, digest: Digest,
        commit: String? = nil, ref: String? = nil, runID: String? = nil, runAttempt: Int? = nil,
        runURL: String? = nil, builder: String? = nil, builtAt: Timestamp? = nil, labels: [String: String] = [:],
        committedAt: Timestamp? = nil
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
        self.committedAt = committedAt
    }

    enum CodingKeys: String, CodingKey {
        case service, repository, tag, digest, commit, ref, builder, labels
        case runID = "run_id", runAttempt = "run_attempt", runURL = "run_url", builtAt = "built_at", committedAt = "committed_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try Self.validated(container, .service, ServiceName.validate)
        repository = try container.decode(Repository.self, forKey: .repository)
        tag = try Self.validated(container, .tag, Tag.validate)
        digest = try container.decode(Digest.self, forKey: .digest)
        let run = try BuildRun(from: decoder)
        (commit, ref, runID, runAttempt, runURL, builder) = (run.commit, run.ref, run.runID, run.runAttempt, run.runURL, run.builder)
        committedAt = run.committedAt
        builtAt = try container.decodeIfPresent(Timestamp.self, forKey: .builtAt)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }

    /// The build as the ledger holds it once recorded as new under `id` at `time` (no need to read it back).
    package func recorded(id: Int64, at time: Timestamp) -> Build {
        Build(id: id, self, builtAt: builtAt ?? time)
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
package struct Build: Sendable, Hashable, Encodable {
    package var id: Int64
    package var service: String
    package var repository: String
    package var tag: String
    package var digest: String
    @Nullable package var commit: String?
    @Nullable package var ref: String?
    @Nullable package var runID: String?
    @Nullable package var runAttempt: Int?
    @Nullable package var runURL: String?
    @Nullable package var builder: String?
    package var builtAt: Timestamp
    package var labels: [String: String]
    @Nullable package var committedAt: Timestamp?
    /// Present only on builds a CI job's OIDC token wrote.
    package var writtenBy: WorkloadIdentity?

    /// A new build as recorded under `id`; `builtAt` is its own time, else when the ledger recorded it.
    package init(id: Int64, _ build: NewBuild, builtAt: Timestamp) {
        self.id = id
        service = build.service
        repository = build.repository.name
        tag = build.tag
        digest = build.digest.description
        (commit, ref, runID, runAttempt, runURL, builder) = (build.commit, build.ref, build.runID, build.runAttempt, build.runURL, build.builder)
        self.builtAt = builtAt
        labels = build.labels
        committedAt = build.committedAt
        writtenBy = build.writtenBy
    }
}

/// What recording one build did: its id, and whether the ledger already had it.
package typealias RecordedBuild = (id: Int64, isNew: Bool)
