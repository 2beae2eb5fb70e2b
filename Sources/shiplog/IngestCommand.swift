import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest files CI and build tools write. Each file is recorded whole or not at all.",
        subcommands: [PushMetadata.self, BuildxMetadata.self])

    struct PushMetadata: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push-metadata",
            abstract: "Ingest a push report (schemas/push-metadata.schema.json).")

        @Argument(help: ArgumentHelp("The report, or - for standard input.", valueName: "file")) var file: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let summary = try ledger.ingestPushMetadata(try InputFile.read(file), source: file)
                Summary.show(summary, json: global.json)
            }
        }
    }

    struct BuildxMetadata: ParsableCommand {
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

        func run() throws {
            var context = ShiplogCore.BuildxMetadata.Context(run: GitHubActionsEnvironment(ProcessInfo.processInfo.environment))
            do throws(ValueError) {
                if let service { context.service = try ServiceName.validate(service) }
            } catch { Terminal.fail(.invalidInput(error.at("--service"))) }
            do throws(ValueError) {
                if let image { context.image = try ImageReference(parsing: image) }
            } catch { Terminal.fail(.invalidInput(error.at("--image"))) }
            try global.run { ledger throws(LedgerError) in
                let summary = try ledger.ingestBuildxMetadata(try InputFile.read(file), source: file, context: context)
                Summary.show(summary, json: global.json)
            }
        }
    }
}

enum Summary {
    static func show(_ summary: IngestSummary, json: Bool) {
        if json {
            Terminal.printJSON(summary)
            return
        }
        var table = TextTable(header: ["ID", "SERVICE", "IMAGE", "DIGEST", "STATUS"])
        for build in summary.builds {
            table.rows.append([
                String(build.id), build.service, "\(build.repository):\(build.tag)", TextTable.short(build.digest),
                build.new ? "recorded" : "already recorded",
            ])
        }
        Terminal.print(table.rendered)
        Terminal.print("\(summary.source): \(summary.recorded) recorded, \(summary.alreadyRecorded) already recorded")
    }
}
