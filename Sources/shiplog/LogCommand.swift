import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The transparency log: an RFC 6962 Merkle tree over every ledger write.",
        subcommands: [Checkpoint.self, Prove.self, Consistency.self, Verify.self, PublicKeyCommand.self])

    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign and keep a checkpoint (signed note) of the log as it is now.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                guard let signer = try LogKeyFile.signer(database: global.databasePath, create: true) else { return }
                let checkpoint = try ledger.checkpoint(signer: signer)
                if global.json { Terminal.printJSON(checkpoint) } else { Terminal.print(checkpoint.note) }
            }
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An inclusion proof of one entry.")
        @Argument(help: "The entry's index (0-based).") var entry: Int64
        @Option(help: "The tree size to prove against (default: the whole log).") var size: Int64?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let proof = try ledger.proveInclusion(index: entry, size: size)
                if global.json {
                    Terminal.printJSON(proof)
                } else {
                    Terminal.print("entry \(proof.leafIndex) of \(proof.treeSize)\nleaf \(Base64.encode(proof.leafHash))\n"
                        + "root \(Base64.encode(proof.rootHash))\n" + proof.proof.map(Base64.encode).joined(separator: "\n"))
                }
            }
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A consistency proof between two tree sizes.")
        @Option(help: "The older tree size.") var from: Int64
        @Option(help: "The newer tree size (default: the whole log).") var to: Int64?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let proof = try ledger.proveConsistency(from: from, to: to)
                if global.json {
                    Terminal.printJSON(proof)
                } else {
                    Terminal.print("\(proof.fromSize) -> \(proof.toSize)\nfrom \(Base64.encode(proof.fromRoot))\nto \(Base64.encode(proof.toRoot))\n"
                        + proof.proof.map(Base64.encode).joined(separator: "\n"))
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the tree from the rows; report the first changed, removed or reordered entry. Exit 1 if any.",
            discussion: "Then replays the log against the tables (builds, deploys, signatures, keys, bad marks) unless --skip-tables.")
        @Flag(help: "Check the log's own rows and checkpoints only, not that the tables still match it.") var skipTables = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            var intact = true
            try global.run { ledger throws(LedgerError) in
                let key = try LogKeyFile.signer(database: global.databasePath, create: false)?.publicKey
                let result = try ledger.verifyLog(logKey: key, auditTables: !skipTables)
                intact = result.intact
                if global.json {
                    Terminal.printJSON(result)
                } else if let problem = result.problem {
                    Terminal.print("log verify: FAILED at \(result.firstBadIndex.map { "entry \($0)" } ?? "a checkpoint"): \(problem)")
                } else {
                    Terminal.print("log verify: ok, \(result.treeSize) entries, \(result.checkpointsChecked) checkpoints")
                }
            }
            if !intact { throw ExitCode(1) }
        }
    }

    struct PublicKeyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key", abstract: "The log's checkpoint key (PEM), to check checkpoints with openssl.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { _ throws(LedgerError) in
                guard let signer = try LogKeyFile.signer(database: global.databasePath, create: true) else { return }
                if global.json {
                    Terminal.printJSON(["origin": signer.origin, "key_id": signer.publicKey.keyID, "public_key_pem": signer.publicKey.pem,
                                        "note_verifier_key": signer.noteVerifierKey])
                } else {
                    Terminal.print(signer.publicKey.pem)
                }
            }
        }
    }
}
