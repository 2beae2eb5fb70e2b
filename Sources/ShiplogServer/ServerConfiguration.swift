import Logging
import ShiplogApp

/// How `shiplog serve` runs: flags first, then SHIPLOG_* environment variables, then these defaults.
package struct ServerConfiguration: Sendable {
    package var host = "127.0.0.1"
    package var port = 8080
    package var databasePath = "./shiplog.sqlite"
    /// Request bodies larger than this are refused with 413.
    package var maxBodyBytes = 1 << 20
    /// Reads (GET) without a token; writes always need one.
    package var openReads = false
    /// Seconds a web page session lasts once signed in (`--session-hours`).
    package var sessionLifetime: Int64 = 12 * 3_600
    package var logLevel: Logger.Level = .info
    /// How often the server signs a checkpoint when the log has grown; nil: only at start, at stop and
    /// when a writer asks.
    package var checkpointInterval: Duration? = .seconds(60)

    /// Deletes manifests for `POST /v1/gc/apply`, with the server's own registry login; nil: the server only judges.
    package var manifestDeleter: (any ManifestDeleter)?
    /// `--oidc-issuer`: CI jobs' OIDC tokens are accepted as bearers when a trust rule admits them; nil: only shiplog tokens.
    package var identities: IdentityTokenVerifier?

    package init() {}
}
