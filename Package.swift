// swift-tools-version:6.1
import PackageDescription

// Layers point inward: the doors (ShiplogServer, ShiplogRemote, the shiplog executable) -> ShiplogApp -> ShiplogCore;
// ShiplogStore implements ShiplogCore's store protocols and only the executable (and benchmarks, tests) opens it.
// ShiplogCore is pure Swift domain (no I/O, no C); ShiplogStore is the only importer of GRDB; docs/ARCHITECTURE.md maps them.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "shiplog",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "shiplog", targets: ["shiplog"]),
        .executable(name: "shiplog-bench", targets: ["ShiplogBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(name: "ShiplogCore", swiftSettings: strict),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // The only importer of COpenSSL: keys, signatures and hashes through OpenSSL's EVP API.
        .target(name: "ShiplogCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // Compiles text files (migrations, the OpenAPI document) into the binary; two build plugins drive it.
        .executableTarget(name: "TextEmbedder", swiftSettings: strict),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["TextEmbedder"]),
        .plugin(name: "EmbedOpenAPI", capability: .buildTool(), dependencies: ["TextEmbedder"]),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["TextEmbedder"]),
        .target(
            name: "ShiplogStore",
            dependencies: [
                "ShiplogCore", "ShiplogCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                // Bulk ingest binds through libsqlite3 directly: GRDB's per-value boxing halves its row rate.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedMigrations"]
        ),
        // The same store protocols over PostgreSQL, for several servers sharing one ledger: the only importer of PostgresNIO.
        .target(
            name: "ShiplogPostgres",
            dependencies: [
                "ShiplogCore", "ShiplogCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedMigrations"]
        ),
        .target(
            name: "ShiplogApp",
            dependencies: ["ShiplogCore", "ShiplogCrypto"],
            swiftSettings: strict
        ),
        // The web pages: the API's documents rendered as HTML through Mustache templates (compiled in), no I/O.
        .target(
            name: "ShiplogPages",
            dependencies: ["ShiplogCore", .product(name: "Mustache", package: "swift-mustache")],
            exclude: ["Templates"],
            swiftSettings: strict,
            plugins: ["EmbedTemplates"]
        ),
        // The HTTP door: Hummingbird routes over ShiplogApp, auth, problem+json, metrics, and the pages.
        .target(
            name: "ShiplogServer",
            dependencies: [
                "ShiplogApp", "ShiplogCore", "ShiplogCrypto", "ShiplogPages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedOpenAPI"]
        ),
        // The CLI's --server mode: the same operations as requests to a shiplog server.
        // AsyncHTTPClient, not URLSession: FoundationNetworking would load libcurl into every shiplog process.
        .target(
            name: "ShiplogRemote",
            dependencies: [
                "ShiplogApp", "ShiplogCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The registry door: distribution API v2 over AsyncHTTPClient, and cosign's layout of signatures and attestations.
        .target(
            name: "ShiplogRegistry",
            dependencies: [
                "ShiplogApp", "ShiplogCore", "ShiplogCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The agents' door: a Model Context Protocol server on stdio whose read-only tools call the same LedgerAPI.
        .target(
            name: "ShiplogMCP",
            dependencies: [
                "ShiplogApp", "ShiplogCore",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "shiplog",
            dependencies: [
                // The executable assembles the doors: it opens the store, reads the environment, bootstraps logging and metrics.
                "ShiplogApp", "ShiplogCore", "ShiplogCrypto", "ShiplogStore", "ShiplogPostgres", "ShiplogServer", "ShiplogRemote", "ShiplogRegistry", "ShiplogMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // Policy files may be YAML; the CLI converts them to the JSON form every other door takes.
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ShiplogBenchmarks",
            dependencies: [
                "ShiplogApp", "ShiplogStore", "ShiplogPostgres", "ShiplogCore", "ShiplogCrypto", "ShiplogPages",
                // The raw-SQLite reference loop talks to libsqlite3 directly, as the baseline asks.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Test helpers only: fixture paths and temporary directories.
        .target(name: "ShiplogTestSupport", swiftSettings: strict),
        // Test helpers: the two store backends a parameterised suite runs on.
        .target(name: "ShiplogTestBackends", dependencies: ["ShiplogCore", "ShiplogStore", "ShiplogPostgres", "ShiplogTestSupport"],
                swiftSettings: strict),
        .testTarget(name: "ShiplogCryptoTests", dependencies: ["ShiplogCrypto", "ShiplogTestSupport"], swiftSettings: strict),
        .testTarget(name: "ShiplogCoreTests", dependencies: ["ShiplogCore", "ShiplogTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ShiplogStoreTests",
            dependencies: ["ShiplogStore", "ShiplogPostgres", "ShiplogCore", "ShiplogCrypto", "ShiplogTestSupport", "ShiplogTestBackends",
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .testTarget(
            name: "ShiplogAppTests",
            dependencies: ["ShiplogApp", "ShiplogStore", "ShiplogCore", "ShiplogCrypto", "ShiplogTestSupport", "ShiplogTestBackends"],
            swiftSettings: strict),
        .testTarget(
            name: "ShiplogServerTests",
            dependencies: [
                "ShiplogServer", "ShiplogApp", "ShiplogStore", "ShiplogCore", "ShiplogTestSupport", "ShiplogPages", "ShiplogCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ShiplogRegistryTests", dependencies: ["ShiplogRegistry", "ShiplogCore", "ShiplogCrypto", "ShiplogTestSupport"], swiftSettings: strict),
        .testTarget(name: "ShiplogCLITests", dependencies: ["shiplog", "ShiplogTestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
