import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest files CI and build tools write. Each file is recorded whole or not at all.",
        subcommands: [PushMetadata.self, BuildxMetadata.self, RegistryEvents.self, Langfuse.self])

    struct RegistryEvents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registry-events",
            abstract: "Ingest registry webhooks: CNCF distribution envelopes, Harbor default or CloudEvents payloads.",
            discussion: """
                Pushes of image manifests move tags, deletes close them, pulls are counted. Blob events, scans and
                other events are accepted and ignored; an event id seen before is skipped (registries retry).
                """)

        @Argument(help: ArgumentHelp("The payload, or - for standard input.", valueName: "file")) var file: String
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.ingestRegistryEvents(try global.read(file), source: file)) { summary in
                    var table = TextTable(header: ["ACTION", "IMAGE", "DIGEST", "STATUS"])
                    table.rows = summary.items("events").map { event in
                        [event.text("action"), event.imageName, TextTable.short(event.text("digest")),
                         event.flag("new") ? "recorded" : "already recorded"]
                    }
                    return table.rendered + "\n\(summary.text("source")): \(summary.text("recorded")) recorded, "
                        + "\(summary.text("duplicates")) already recorded, \(summary.text("ignored")) ignored (not about images)"
                }
            }
        }
    }

    struct PushMetadata: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push-metadata",
            abstract: "Ingest a push report (schemas/push-metadata.schema.json).")

        @Argument(help: ArgumentHelp("The report, or - for standard input.", valueName: "file")) var file: String
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try Summary.show(try await api.ingestPushMetadata(try global.read(file), source: file), global)
            }
        }
    }

    struct BuildxMetadata: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "buildx-metadata",
            abstract: "Ingest `docker buildx build|bake --metadata-file` output.",
            discussion: """
                Bake files record one build per target that produced an image; the service is the target name
                unless --service is given. Run details come from GitHub Actions variables when set.
                """)

        @Argument(help: ArgumentHelp("The metadata file, or - for standard input.", valueName: "file")) var file: String
        @Option(help: "The service, instead of the bake target or repository name.") var service: String?
        @Option(help: ArgumentHelp("The repository when the file has no image.name.", valueName: "repo[:tag]")) var image: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            let event: JSONValue?
            do { event = try GitHubEventFile.read() } catch { Terminal.fail(.invalidInput(error)) }
            var context = ShiplogCore.BuildxMetadata.Context(run: GitHubActionsEnvironment(ProcessInfo.processInfo.environment, event: event))
            do throws(ValueError) {
                if let service { context.service = try ServiceName.validate(service) }
            } catch { Terminal.fail(.invalidInput(error.at("--service"))) }
            do throws(ValueError) {
                if let image { context.image = try ImageReference(parsing: image) }
            } catch { Terminal.fail(.invalidInput(error.at("--image"))) }
            // The run comes from GitHub Actions' variables here, not from flags.
            await global.run(flags: GlobalOptions.flags.merging(["run_attempt": "GITHUB_RUN_ATTEMPT"]) { $1 }) { api throws(LedgerError) in
                try Summary.show(try await api.ingestBuildxMetadata(try global.read(file), source: file, context: context), global)
            }
        }
    }
}

enum Summary {
    static func show(_ document: Document, _ global: GlobalOptions) throws(LedgerError) {
        try global.show(document) { summary in
            var table = TextTable(header: ["ID", "SERVICE", "IMAGE", "DIGEST", "STATUS"])
            table.rows = summary.items("builds").map { build in
                [build.text("id"), build.text("service"), build.imageName, TextTable.short(build.text("digest")),
                 build.flag("new") ? "recorded" : "already recorded"]
            }
            return table.rendered + "\n"
                + "\(summary.text("source")): \(summary.text("recorded")) recorded, \(summary.text("already_recorded")) already recorded"
        }
    }
}
