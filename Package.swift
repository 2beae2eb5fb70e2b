// swift-tools-version:6.1
import PackageDescription

// Layers point inward: shiplog (CLI) -> ShiplogApp -> ShiplogStore -> ShiplogCore.
// ShiplogCore is pure domain (no I/O); ShiplogStore is the only importer of GRDB.
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
    ],
    targets: [
        .target(name: "ShiplogCore", swiftSettings: strict),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // The only importer of COpenSSL: keys, signatures and hashes through OpenSSL's EVP API.
        .target(name: "ShiplogCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        .executableTarget(name: "MigrationEmbedder", swiftSettings: strict),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["MigrationEmbedder"]
        ),
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
        .target(
            name: "ShiplogApp",
            dependencies: ["ShiplogCore", "ShiplogStore", "ShiplogCrypto"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "shiplog",
            dependencies: [
                "ShiplogApp", "ShiplogCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ShiplogBenchmarks",
            dependencies: [
                "ShiplogApp", "ShiplogStore", "ShiplogCore", "ShiplogCrypto",
                // The raw-SQLite reference loop talks to libsqlite3 directly, as the baseline asks.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Test helpers only: fixture paths and temporary directories.
        .target(name: "ShiplogTestSupport", swiftSettings: strict),
        .testTarget(name: "ShiplogCryptoTests", dependencies: ["ShiplogCrypto", "ShiplogTestSupport"], swiftSettings: strict),
        .testTarget(name: "ShiplogCoreTests", dependencies: ["ShiplogCore", "ShiplogTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ShiplogStoreTests", dependencies: ["ShiplogStore", "ShiplogCore", "ShiplogTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ShiplogAppTests",
            dependencies: ["ShiplogApp", "ShiplogStore", "ShiplogCore", "ShiplogCrypto", "ShiplogTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "ShiplogCLITests", dependencies: ["shiplog", "ShiplogTestSupport"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
