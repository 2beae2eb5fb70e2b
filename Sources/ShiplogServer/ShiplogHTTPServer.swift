import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Prometheus
import ShiplogApp
import ShiplogPages
import ShiplogCore

/// `shiplog serve`: the /v1 API, health and readiness probes, Prometheus metrics and the OpenAPI document.
package enum ShiplogHTTPServer {
    /// The routes the server answers besides /v1, all open: probes, metrics, the API document.
    static let operationalPaths = ["/healthz", "/readyz", "/metrics", "/openapi.yaml"]

    /// The router for a ledger; tests drive it with HummingbirdTesting, `run` serves it. `logSigner` is the
    /// log's checkpoint key, loaded at start. `/metrics` shows `metrics` (the registry the executable
    /// bootstrapped swift-metrics into) and the ledger's figures.
    package static func router(
        ledger: ReleaseLedger, logSigner: LogSigner, configuration: ServerConfiguration,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) -> Router<BasicRequestContext> {
        let api = LocalLedger(serving: ledger, logKey: .loaded(logSigner))
        let authenticator = Authenticator(ledger: ledger, openReads: configuration.openReads, identities: configuration.identities)
        let verifications = LastVerification()
        let routes = Routes.all(api, authenticator: authenticator, deleter: configuration.manifestDeleter, verifications: verifications)
        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware(
            operations: routes.map { ($0.method.rawValue, $0.path) } + operationalPaths.map { ("GET", $0) }
                + PageRoutes.paths.map { ($0.method.rawValue, $0.path) }))
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                let caller = try await authenticator.authorize(request, for: route.scope)
                return try await route.handle(Call(request: request, context: context, maxBodyBytes: configuration.maxBodyBytes,
                                                   token: caller.token, identity: caller.identity))
            }
        }
        router.get("/healthz") { _, _ in text("ok\n") }
        router.get("/readyz") { _, _ in
            do { _ = try ledger.store.logSize() } catch {
                var problem = Problem(.serviceUnavailable, detail: "database not usable; the server's log says why")
                problem.logDetail = String(describing: error)
                throw problem
            }
            return text("ready\n")
        }
        // The ledger's series are kept until the ledger changes, as the hot reads are; the DORA gauges in the background.
        let series = ResponseCache(store: ledger.store)
        let delivery = DeliveryGauges(ledger: ledger)
        router.get("/metrics") { _, _ in
            let ledgerSeries = try await series.answer("metrics") { ByteBuffer(string: try ServerMetrics.ledgerSeries(ledger)) }
            return text(metrics.emitToString() + String(buffer: ledgerSeries) + (try delivery.text()),
                        contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.yaml") { _, _ in text(openAPIDocument, contentType: "application/yaml") }
        // The web pages; templates that do not parse are a build defect, reported on every page rather than a crash.
        let renderer = try? PageRenderer()
        PageRoutes(api: api, renderer: renderer, session: WebSession(ledger: ledger, openReads: configuration.openReads,
                                                                     lifetime: configuration.sessionLifetime),
                   cache: ResponseCache(store: ledger.store), verifications: verifications).register(on: router)
        return router
    }

    /// The document in schemas/openapi.yaml, compiled in.
    package static var openAPIDocument: String { EmbeddedOpenAPI.all.first?.text ?? "" }

    /// Every route as (method, path, scope), for the test that holds the OpenAPI document to the router.
    package static func routeTable(_ ledger: ReleaseLedger) -> [(method: String, path: String, scope: String?)] {
        Routes.all(LocalLedger(ledger: ledger, logKey: .file(LogKeyFile(path: "")))).map { ($0.method.rawValue, $0.path, $0.scope?.rawValue) }
            + operationalPaths.map { ("GET", $0, nil) }
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish; the caller opened the ledger
    /// and closes it.
    package static func run(
        ledger: ReleaseLedger, logSigner: LogSigner, configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        let router = router(ledger: ledger, logSigner: logSigner, configuration: configuration, metrics: metrics)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "shiplog"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? configuration.port)" }
                    ?? "\(configuration.host):\(configuration.port)"
                // One line on standard output that scripts (and the end-to-end test) can read the port from.
                FileHandle.standardOutput.write(Data("shiplog listening on http://\(address) (database \(LedgerLocation.redacted(configuration.databasePath)))\n".utf8))
            },
            logger: logger
        )
        // Services stop in reverse order: the timer's last checkpoint comes after the last request's write.
        let timer = CheckpointTimer(ledger: ledger, signer: logSigner, interval: configuration.checkpointInterval, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [timer, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await services.run()
    }

    static func text(_ body: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
