import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The transparency log: an RFC 6962 Merkle tree over every ledger write.",
        subcommands: [Checkpoint.self, Prove.self, Consistency.self, Verify.self, PublicKeyCommand.self])

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Sign and keep a checkpoint (signed note) of the log as it is now.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.checkpoint()) { $0.text("note") }
            }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prove", abstract: "An inclusion proof of one entry.")
        @Argument(help: "The entry's index (0-based).") var entry: Int64
        @Option(help: "The tree size to prove against (default: the whole log).") var size: Int64?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.proveInclusion(index: entry, size: size)) { proof in
                    "entry \(proof.text("leaf_index")) of \(proof.text("tree_size"))\nleaf \(proof.text("leaf_hash"))\n"
                        + "root \(proof.text("root_hash"))\n" + proof.items("proof").compactMap(\.stringValue).joined(separator: "\n")
                }
            }
        }
    }

    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "consistency", abstract: "A consistency proof between two tree sizes.")
        @Option(help: "The older tree size.") var from: Int64
        @Option(help: "The newer tree size (default: the whole log).") var to: Int64?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.proveConsistency(from: from, to: to)) { proof in
                    "\(proof.text("from_size")) -> \(proof.text("to_size"))\nfrom \(proof.text("from_root"))\nto \(proof.text("to_root"))\n"
                        + proof.items("proof").compactMap(\.stringValue).joined(separator: "\n")
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify",
            abstract: "Recompute the tree from the rows; report the first changed, removed or reordered entry. Exit 1 if any.",
            discussion: "Then replays the log against the tables (builds, deploys, signatures, keys, bad marks) unless --skip-tables.")
        @Flag(help: "Check the log's own rows and checkpoints only, not that the tables still match it.") var skipTables = false
        @Option(help: ArgumentHelp("The log's public key (PEM) to check the checkpoints' signatures with (default: the key beside the ledger).",
                                   valueName: "file")) var publicKey: String?
        @Flag(help: "Do not fail when there is no key to check the checkpoints' signatures with.") var noSignatures = false
        @Option(help: ArgumentHelp("A checkpoint (signed note) kept elsewhere, to check this log against.", valueName: "note-file"))
        var checkpoint: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            var intact = true
            await global.run(flags: GlobalOptions.flags.merging(["public_key": "--public-key", "checkpoint": "--checkpoint"]) { $1 }) {
                api throws(LedgerError) in
                var request = LogVerificationRequest(auditTables: !skipTables, requireSignatures: !noSignatures)
                if let publicKey { request.publicKey = Array(try global.read(publicKey)) }
                if let checkpoint { request.checkpoint = String(decoding: try global.read(checkpoint), as: UTF8.self) }
                let result = try await api.verifyLog(request)
                intact = try result.json().flag("intact")
                try global.show(result) { result in
                    if let problem = result["problem"]?.stringValue {
                        return "log verify: FAILED at \(result["first_bad_index"].flatMap { $0 == .null ? nil : "entry \(result.text("first_bad_index"))" } ?? "a checkpoint"): \(problem)"
                    }
                    let signatures = result.flag("signatures_checked") ? "" : " (their signatures not checked: no log key)"
                    return "log verify: ok, \(result.text("tree_size")) entries, \(result.text("checkpoints_checked")) checkpoints\(signatures)"
                }
            }
            if !intact { throw ExitCode(1) }
        }
    }

    struct PublicKeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key", abstract: "The log's checkpoint key (PEM), to check checkpoints with openssl.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.logPublicKey()) { $0.text("public_key_pem") }
            }
        }
    }
}
