import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

extension KeyAlgorithm: ExpressibleByArgument {}
extension RSAPadding: ExpressibleByArgument {}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The trust store: public keys whose signatures count.",
        subcommands: [Generate.self, Add.self, List.self, Revoke.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key pair: the private key in --out (mode 0600), the public key beside it, trusted.",
            discussion: "The private key is encrypted when SHIPLOG_KEY_PASSPHRASE is set. It never enters the ledger.")

        @Option(help: "ecdsa-p256 (default), ed25519 or rsa.") var algorithm: KeyAlgorithm = .ecdsaP256
        @Option(help: ArgumentHelp("Where to write the private key (PEM); the public key goes to <out>.pub.", valueName: "key.pem"))
        var out: String
        @Option(help: "The key's name in the trust store (default: the file name).") var name: String?
        @Option(help: "RSA modulus size.") var rsaBits: Int = 3072
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run(guardingLogKey: true) { ledger throws(LedgerError) in
                let key: PrivateKey
                let publicKey: PublicKey
                let pem: String
                do throws(CryptoError) {
                    key = try PrivateKey.generate(algorithm, rsaBits: rsaBits)
                    publicKey = try key.publicKey
                    pem = try key.pem(passphrase: KeyFile.passphrase)
                } catch {
                    throw .invalidInput(InvalidInput(field: "--algorithm", reason: error.description))
                }
                let publicPath = out + ".pub"
                let keyName = name ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
                try KeyFile.writeSecret(pem, to: out)
                try KeyFile.write(Array(publicKey.pem.utf8), to: publicPath)
                let trusted = try ledger.trust(publicKey, name: keyName)
                if global.json {
                    Terminal.printJSON(GeneratedKey(key: trusted, privateKeyPath: out, publicKeyPath: publicPath))
                } else {
                    Terminal.print("key \(trusted.keyID) (\(trusted.name), \(trusted.algorithm)): private \(out), public \(publicPath)")
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trust a public key (PEM or DER).")

        @Argument(help: ArgumentHelp("The public key file.", valueName: "pub.pem")) var file: String
        @Option(help: "The key's name in the trust store.") var name: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run(guardingLogKey: true) { ledger throws(LedgerError) in
                let key = try ledger.addKey(encoded: Array(try InputFile.read(file)), source: file, name: name)
                if global.json { Terminal.printJSON(key) } else { Terminal.print("key \(key.keyID) (\(key.name), \(key.algorithm))") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the trust store.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let keys = try ledger.keys()
                if global.json {
                    Terminal.printJSON(keys)
                    return
                }
                var table = TextTable(header: ["KEY ID", "NAME", "ALGORITHM", "ADDED", "REVOKED"])
                table.rows = keys.map { [$0.keyID, $0.name, $0.algorithm, $0.addedAt.description, $0.revokedAt?.description ?? "-"] }
                Terminal.print(table.rendered)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: its signatures no longer count.")
        @Argument(help: ArgumentHelp("The key id, sha256:<hex>.", valueName: "key-id")) var keyID: String
        @Option(help: "Why (an incident, a rotation).") var reason: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let key = try ledger.revokeKey(id: keyID, reason: reason)
                if global.json { Terminal.printJSON(key) } else { Terminal.print("key \(key.keyID) (\(key.name)) revoked at \(key.revokedAt?.description ?? "-")") }
            }
        }
    }
}

struct GeneratedKey: Encodable {
    var key: TrustedKey
    var privateKeyPath: String
    var publicKeyPath: String

    enum CodingKeys: String, CodingKey {
        case key
        case privateKeyPath = "private_key_path", publicKeyPath = "public_key_path"
    }
}
