import ArgumentParser

@main
struct ShiplogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shiplog",
        abstract: "A release-metadata and supply-chain ledger: builds, digests, tags and their history.",
        discussion: """
            Every command runs on the local file (--db, SHIPLOG_DB) or, with --server (SHIPLOG_SERVER), against a
            shiplog server. Exit codes: 0 success; 1 a negative answer (nothing recorded); 64 usage error;
            65 bad input data; 69 server unreachable; 70 internal error; 77 the server refused the token.
            """,
        version: "0.2.0",
        subcommands: [
            BuildCommand.self, IngestCommand.self, BuildsCommand.self, ImageCommand.self,
            KeysCommand.self, SignCommand.self, SignatureCommand.self, VerifyCommand.self, AttestCommand.self, AttestationCommand.self, GcCommand.self,
            EnvCommand.self, DeployCommand.self, LiveCommand.self, LkgCommand.self, RollbackPlanCommand.self, PolicyCommand.self, PromoteCommand.self,
            LogCommand.self, BackupCommand.self, StoreCommand.self, TokensCommand.self, ServeCommand.self, McpCommand.self, OidcCommand.self, CostCommand.self, ReportCommand.self, LangfuseCommand.self,
        ]
    )
}
