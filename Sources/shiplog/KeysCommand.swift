import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

extension KeyAlgorithm: ExpressibleByArgument {}
extension RSAPadding: ExpressibleByArgument {}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The trust store: public keys whose signatures count.",
        subcommands: [Generate.self, Add.self, List.self, Revoke.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate",
            abstract: "Make a key pair: the private key in --out (mode 0600), the public key beside it, trusted.",
            discussion: "The private key is encrypted when SHIPLOG_KEY_PASSPHRASE is set. It never enters the ledger.")

        @Option(help: "ecdsa-p256 (default), ed25519 or rsa.") var algorithm: KeyAlgorithm = .ecdsaP256
        @Option(help: ArgumentHelp("Where to write the private key (PEM); the public key goes to <out>.pub.", valueName: "key.pem"))
        var out: String
        @Option(help: "The key's name in the trust store (default: the file name).") var name: String?
        @Option(help: "RSA modulus size.") var rsaBits: Int = 3072
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                let key: PrivateKey
                let publicKey: PublicKey
                let pem: String
                do throws(CryptoError) {
                    key = try PrivateKey.generate(algorithm, rsaBits: rsaBits)
                    publicKey = try key.publicKey
                    pem = try key.pem(passphrase: GlobalOptions.keyPassphrase)
                } catch {
                    throw .invalidInput(InvalidInput(field: "--algorithm", reason: error.description))
                }
                let publicPath = out + ".pub"
                let keyName = name ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
                try KeyFile.writeSecret(pem, to: out)
                try KeyFile.write(Array(publicKey.pem.utf8), to: publicPath)
                let trusted = try await api.addKey(encoded: Array(publicKey.pem.utf8), source: publicPath, name: keyName)
                try global.show(Document(GeneratedKey(key: trusted, privateKeyPath: out, publicKeyPath: publicPath))) { generated in
                    let key = generated["key"] ?? .null
                    return "key \(key.text("key_id")) (\(key.text("name")), \(key.text("algorithm"))): private \(out), public \(publicPath)"
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Trust a public key (PEM or DER).")

        @Argument(help: ArgumentHelp("The public key file.", valueName: "pub.pem")) var file: String
        @Option(help: "The key's name in the trust store.") var name: String
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.addKey(encoded: Array(try global.read(file)), source: file, name: name)) { key in
                    "key \(key.text("key_id")) (\(key.text("name")), \(key.text("algorithm")))"
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the trust store.")
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.keys()) { keys in
                    var table = TextTable(header: ["KEY ID", "NAME", "ALGORITHM", "ADDED", "REVOKED"])
                    table.rows = keys.items.map { [$0.text("key_id"), $0.text("name"), $0.text("algorithm"), $0.text("added_at"), $0.text("revoked_at")] }
                    return table.rendered
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key: its signatures no longer count.")
        @Argument(help: ArgumentHelp("The key id, sha256:<hex>.", valueName: "key-id")) var keyID: String
        @Option(help: "Why (an incident, a rotation).") var reason: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.revokeKey(id: keyID, reason: reason)) { key in
                    "key \(key.text("key_id")) (\(key.text("name"))) revoked at \(key.text("revoked_at"))"
                }
            }
        }
    }
}

struct GeneratedKey: Encodable, Sendable {
    var key: Document
    var privateKeyPath: String
    var publicKeyPath: String
}
