import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ShiplogApp
import ShiplogCore
import ShiplogRegistry
import ShiplogRemote
import ShiplogServer
import ShiplogStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the /v1 API, /healthz, /readyz, /metrics and /openapi.yaml over HTTP.",
        discussion: """
            Each setting comes from its flag, else its SHIPLOG_* variable, else the default: --host SHIPLOG_HOST
            (127.0.0.1), --port SHIPLOG_PORT (8080; 0 picks a free port), --db SHIPLOG_DB (./shiplog.sqlite, or a postgres:// URL;
            --db-pool SHIPLOG_DB_POOL connections, 10; SHIPLOG_LOG_KEY names the checkpoint key every server on it shares),
            --max-body-bytes SHIPLOG_MAX_BODY_BYTES (1048576), --open-reads SHIPLOG_OPEN_READS (false), --session-hours SHIPLOG_SESSION_HOURS (12),
            --log-level SHIPLOG_LOG_LEVEL (info), --oidc-issuer/--oidc-audience/--oidc-jwks SHIPLOG_OIDC_* (off), --checkpoint-interval SHIPLOG_CHECKPOINT_INTERVAL (60 seconds; 0: only at
            start and stop). Stops on SIGTERM or SIGINT after in-flight requests finish, signing a last checkpoint.
            """)

    @Option(help: "The address to listen on.") var host: String?
    @Option(help: "The port to listen on.") var port: Int?
    @Option(help: ArgumentHelp("The ledger: a file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB shared with other servers.", valueName: "path|url"))
    var db: String?
    @Option(help: ArgumentHelp("Connections to a PostgreSQL ledger, at most (SHIPLOG_DB_POOL, 10).", valueName: "n")) var dbPool: Int?
    @Option(help: "Request bodies larger than this are refused with 413.") var maxBodyBytes: Int?
    @Flag(help: "Let GET requests through without a token.") var openReads = false
    @Option(help: "Hours a web page sign-in lasts (1 to 720; SHIPLOG_SESSION_HOURS, 12).") var sessionHours: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String?
    @Option(help: ArgumentHelp("Sign a checkpoint this often (seconds) while the log grows; 0: only at start and stop.",
                               valueName: "seconds")) var checkpointInterval: Int?
    @Flag(help: "Let POST /v1/gc/apply delete manifests, with this server's own registry login (off: it only judges).")
    var registryDeletes = false
    @Option(help: ArgumentHelp("Accept CI jobs' OIDC tokens from this issuer, e.g. https://token.actions.githubusercontent.com (SHIPLOG_OIDC_ISSUER).",
                               valueName: "url")) var oidcIssuer: String?
    @Option(help: ArgumentHelp("The audience those tokens must name (SHIPLOG_OIDC_AUDIENCE).", valueName: "aud")) var oidcAudience: String?
    @Option(help: ArgumentHelp("The issuer's key set: a JWKS file or URL (SHIPLOG_OIDC_JWKS; default: the issuer's discovery document).",
                               valueName: "file|url")) var oidcJwks: String?
    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        var configuration = ServerConfiguration()
        do {
            try apply(to: &configuration, environment: ProcessInfo.processInfo.environment)
        } catch {
            Terminal.fail(.invalidInput(error))
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "shiplog")
        logger.logLevel = configuration.logLevel
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
        do {
            // POST /v1/gc/apply deletes with the server's own registry login (its docker config.json), when allowed.
            if registryDeletes { configuration.manifestDeleter = RegistryRetention(client: try registry.trust().client) }
            if let identities = configuration.identities {
                // A wrong key file or an unreachable issuer shows at start, not at the first CI job.
                do throws(IdentityTokenError) { try await identities.load() } catch {
                    throw LedgerError.invalidInput(InvalidInput(field: "--oidc-jwks", reason: error.description))
                }
            }
            let database = try LedgerDatabase.open(configuration.databasePath, pool: try GlobalOptions.poolSize(
                flag: dbPool, environment: GlobalOptions.environment("SHIPLOG_DB_POOL")))
            // The checkpoint key is loaded before the first request: the trust store refuses it from the start,
            // and no request reads the file. Servers sharing a PostgreSQL ledger sign with the one key file they all have.
            guard let signer = try database.logKey.signer(create: true) else { throw LedgerError.storage("the log key could not be created") }
            let ledger = ReleaseLedger(store: database.store, logKeyID: signer.publicKey.keyID)
            // Readers are served the latest checkpoint (only writers sign new ones): start with a current one.
            _ = try ledger.checkpointIfGrown(signer: signer)
            try await ShiplogHTTPServer.run(ledger: ledger, logSigner: signer, configuration: configuration, metrics: metrics, logger: logger)
            try database.close()
            logger.info("shiplog stopped; database closed")
        } catch let error as LedgerError {
            Terminal.fail(error)
        } catch {
            Terminal.error("server stopped: \(error)")
            throw ExitCode(70)
        }
    }

    func apply(to configuration: inout ServerConfiguration, environment: [String: String]) throws(InvalidInput) {
        func setting(_ flag: String?, _ variable: String) -> (String, String)? {
            if let flag { return (flag, "--" + variable.dropFirst("SHIPLOG_".count).lowercased().replacingOccurrences(of: "_", with: "-")) }
            if let value = environment[variable], !value.isEmpty { return (value, variable) }
            return nil
        }
        if let (value, _) = setting(host, "SHIPLOG_HOST") { configuration.host = value }
        if let (value, name) = setting(port.map(String.init), "SHIPLOG_PORT") {
            guard let number = Int(value), (0...65535).contains(number) else {
                throw InvalidInput(field: name, value: value, reason: "a port is a number from 0 to 65535")
            }
            configuration.port = number
        }
        if let (value, _) = setting(db, "SHIPLOG_DB") { configuration.databasePath = value }
        if let (value, name) = setting(maxBodyBytes.map(String.init), "SHIPLOG_MAX_BODY_BYTES") {
            guard let number = Int(value), number >= 1024 else {
                throw InvalidInput(field: name, value: value, reason: "the body limit is a number of bytes, at least 1024")
            }
            configuration.maxBodyBytes = number
        }
        if openReads {
            configuration.openReads = true
        } else if let value = environment["SHIPLOG_OPEN_READS"], !value.isEmpty {
            guard let flag = ["true": true, "1": true, "false": false, "0": false][value.lowercased()] else {
                throw InvalidInput(field: "SHIPLOG_OPEN_READS", value: value, reason: "expected true or false")
            }
            configuration.openReads = flag
        }
        if let (value, name) = setting(sessionHours.map(String.init), "SHIPLOG_SESSION_HOURS") {
            guard let hours = Int64(value), (1 ... 720).contains(hours) else {
                throw InvalidInput(field: name, value: value, reason: "a number of hours from 1 to 720")
            }
            configuration.sessionLifetime = hours * 3_600
        }
        if let (value, name) = setting(checkpointInterval.map(String.init), "SHIPLOG_CHECKPOINT_INTERVAL") {
            guard let seconds = Int(value), (0 ... 86_400).contains(seconds) else {
                throw InvalidInput(field: name, value: value, reason: "a number of seconds from 0 (off) to 86400")
            }
            configuration.checkpointInterval = seconds == 0 ? nil : .seconds(seconds)
        }
        let issuer = setting(oidcIssuer, "SHIPLOG_OIDC_ISSUER")
        let audience = setting(oidcAudience, "SHIPLOG_OIDC_AUDIENCE")
        let keys = setting(oidcJwks, "SHIPLOG_OIDC_JWKS")
        if let (issuer, _) = issuer {
            guard let (audience, _) = audience else {
                throw InvalidInput(field: "--oidc-audience", reason: "an OIDC issuer needs the audience its tokens must name")
            }
            // How soon an unknown kid may make the server read the key set again (60 s; tests shorten it).
            var refetch: Int64 = 60
            if let (value, name) = setting(nil, "SHIPLOG_OIDC_REFETCH_SECONDS") {
                guard let seconds = Int64(value), (1 ... 86_400).contains(seconds) else {
                    throw InvalidInput(field: name, value: value, reason: "a number of seconds from 1 to 86400")
                }
                refetch = seconds
            }
            configuration.identities = IdentityTokenVerifier(issuer: issuer, audience: audience, refetchInterval: .seconds(refetch),
                                                             readKeySet: try IssuerKeySetFetch.reader(issuer: issuer, source: keys?.0))
        } else if let (_, name) = audience ?? keys {
            throw InvalidInput(field: name, reason: "only with --oidc-issuer")
        }
        if let (value, name) = setting(logLevel, "SHIPLOG_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw InvalidInput(field: name, value: value, reason: "expected trace, debug, info, notice, warning, error or critical")
            }
            configuration.logLevel = level
        }
    }
}
