import ArgumentParser

@main
struct ShiplogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shiplog",
        abstract: "A release-metadata and supply-chain ledger: builds, digests, tags and their history.",
        discussion: """
            Exit codes: 0 success; 1 a negative answer (nothing recorded); 64 usage error;
            65 bad input data; 70 internal error.
            """,
        version: "0.1.0",
        subcommands: [
            BuildCommand.self, IngestCommand.self, BuildsCommand.self, ImageCommand.self,
            KeysCommand.self, SignCommand.self, SignatureCommand.self, VerifyCommand.self,
            EnvCommand.self, DeployCommand.self, LiveCommand.self, LkgCommand.self, RollbackPlanCommand.self,
            LogCommand.self,
        ]
    )
}
