import Foundation
import PackagePlugin

/// Compiles `schemas/openapi.yaml` into the server target: the document the server serves at
/// /openapi.yaml is byte for byte the one in the repository, wherever the binary is installed.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "schemas/openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedOpenAPI.swift")
        return [
            .buildCommand(
                displayName: "Embedding schemas/openapi.yaml",
                executable: try context.tool(named: "TextEmbedder").url,
                arguments: [output.path, document.path],
                inputFiles: [document],
                outputFiles: [output]
            ),
        ]
    }
}
