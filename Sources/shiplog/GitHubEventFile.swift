import Foundation
import ShiplogApp
import ShiplogCore

/// The event payload GitHub Actions writes for every run, at `GITHUB_EVENT_PATH`: a push event names its
/// head commit's time, where DORA's lead time starts.
enum GitHubEventFile {
    /// The payload, or nil outside GitHub Actions. One that cannot be read or is not JSON is bad input
    /// naming the variable: a lead time silently missing would be wrong without a word.
    static func read() throws(InvalidInput) -> JSONValue? {
        guard let path = GlobalOptions.environment("GITHUB_EVENT_PATH") else { return nil }
        let data: Data
        do { data = try InputFile.read(path, limit: 64 << 20) } catch {
            throw InvalidInput(field: "GITHUB_EVENT_PATH", value: path, reason: "cannot be read (\(error.description))")
        }
        return try JSONInput.value(from: data, source: "GITHUB_EVENT_PATH \(path)")
    }
}
