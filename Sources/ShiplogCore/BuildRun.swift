/// The CI run a build came from, as shiplog's build inputs name it: read the same way from a build body
/// (`POST /v1/builds`) and from a push report's top level. CI tools write run ids as strings or numbers,
/// and `GITHUB_RUN_ATTEMPT` is text: both are accepted. `NewBuild.checkLimits` holds the values to
/// `InputLimits` before any build is recorded, whatever door it came through.
package struct BuildRun: Sendable, Decodable {
    package var commit: String?
    package var ref: String?
    package var runID: String?
    package var runAttempt: Int?
    package var runURL: String?
    package var builder: String?
    /// When the commit was made (`committed_at`).
    package var committedAt: Timestamp?

    enum CodingKeys: String, CodingKey {
        case commit, ref, builder
        case runID = "run_id", runAttempt = "run_attempt", runURL = "run_url", committedAt = "committed_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        commit = try container.decodeIfPresent(String.self, forKey: .commit)
        ref = try container.decodeIfPresent(String.self, forKey: .ref)
        runID = try container.decodeStringOrNumberIfPresent(forKey: .runID)
        runAttempt = try container.decodeAttemptIfPresent(forKey: .runAttempt)
        runURL = try container.decodeIfPresent(String.self, forKey: .runURL)
        builder = try container.decodeIfPresent(String.self, forKey: .builder)
        committedAt = try container.decodeIfPresent(Timestamp.self, forKey: .committedAt)
    }
}
