import Foundation
import PackagePlugin

/// Compiles the top-level `migrations/*.sql` files (`migrations/postgres/*.sql` for the PostgreSQL store) into the store target, so the
/// `shiplog` binary is self-contained and `migrations/` stays the one place the schema changes.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        // Each backend has its own numbered migrations: SQLite's at the top, PostgreSQL's in migrations/postgres.
        let top = context.package.directoryURL.appending(path: "migrations")
        let folder = target.name == "ShiplogPostgres" ? top.appending(path: "postgres") : top
        let files = try FileManager.default
            .contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) SQL migrations",
                executable: try context.tool(named: "TextEmbedder").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}
