/// The CI run a build came from, as shiplog's build inputs name it: read the same way from a build body
/// (`POST /v1/builds`) and from a push report's top level. CI tools write run ids as strings or numbers,
/// and `GITHUB_RUN_ATTEMPT` is text: both are accepted. Each value is held to `InputLimits` where it is read,
/// so an error names its place in the input.
package struct BuildRun: Sendable, Decodable {
    package var commit: String?
    package var ref: String?
    package var runID: String?
    package var runAttempt: Int?
    package var runURL: String?
    package var builder: String?

    enum CodingKeys: String, CodingKey {
        case commit, ref, builder
        case runID = "run_id", runAttempt = "run_attempt", runURL = "run_url"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func limited(_ value: String?, _ key: CodingKeys, _ limit: Int) throws -> String? {
            guard let value else { return nil }
            do { try InputLimits.check(value, .name, atMost: limit) } catch { throw error.decodingError(at: container.codingPath + [key]) }
            return value
        }
        commit = try limited(try container.decodeIfPresent(String.self, forKey: .commit), .commit, InputLimits.commit)
        ref = try limited(try container.decodeIfPresent(String.self, forKey: .ref), .ref, InputLimits.ref)
        runID = try limited(try container.decodeStringOrNumberIfPresent(forKey: .runID), .runID, InputLimits.runID)
        runAttempt = try container.decodeAttemptIfPresent(forKey: .runAttempt)
        runURL = try limited(try container.decodeIfPresent(String.self, forKey: .runURL), .runURL, InputLimits.runURL)
        builder = try limited(try container.decodeIfPresent(String.self, forKey: .builder), .builder, InputLimits.builder)
    }
}
