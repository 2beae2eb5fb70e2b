import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogRegistry

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an image's digest as `cosign sign --key` does, and record the signature.",
        discussion: "The private key may be encrypted: set SHIPLOG_KEY_PASSPHRASE.")

    @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
    @Option(help: ArgumentHelp("The private key (PEM or DER).", valueName: "key.pem")) var key: String
    @Option(name: .customLong("annotation"), help: ArgumentHelp("An annotation in the payload's optional part.", valueName: "key=value"))
    var annotations: [String] = []
    @Option(help: ArgumentHelp("Write the base64 signature here (as cosign).", valueName: "file")) var outputSignature: String?
    @Option(help: ArgumentHelp("Write the exact payload bytes here (as cosign).", valueName: "file")) var outputPayload: String?
    @Option(help: "RSA padding: pkcs1 (default) or pss.") var rsaPadding: RSAPadding = .pkcs1v15
    @Flag(help: "Also store the signature in the image's registry as cosign does (tag sha256-<hex>.sig).") var upload = false
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var global: GlobalOptions

    func run() async {
        let (repository, digest) = ImageArgument.image(image)
        let annotationPairs: [String: String]
        do { annotationPairs = try LabelFlags.parse(annotations, flag: "--annotation") } catch { Terminal.fail(.invalidInput(error)) }
        await global.run { api throws(LedgerError) in
            // Signing happens here, with the key file; only the payload and signature travel (to a server in remote mode).
            let privateKey = try KeyFile.readPrivate(key, passphrase: GlobalOptions.keyPassphrase)
            let payload = SignaturePayload(repository: repository, digest: digest, annotations: annotationPairs)
            let signature: [UInt8]
            let signerPEM: String
            do throws(CryptoError) {
                signature = try privateKey.sign(payload.bytes, rsaPadding: rsaPadding)
                signerPEM = try privateKey.publicKey.pem
            } catch {
                throw .invalidInput(InvalidInput(source: key, reason: error.description))
            }
            // The registry first: a signature the ledger holds but the registry refused would tell verifiers nothing.
            let stored = upload ? try await registry.trust().uploadSignature(repository: repository, digest: digest, payload: payload.bytes,
                                                                             signature: signature) : nil
            let record = try await api.importSignature(SignatureUpload(
                repository: repository, digest: digest, payload: payload.bytes, payloadSource: "sign", signature: signature,
                signatureSource: "sign", signerPEM: signerPEM, origin: "sign"))
            let base64 = Base64.encode(signature)
            if let outputSignature { try KeyFile.write(Array(base64.utf8), to: outputSignature) }
            if let outputPayload { try KeyFile.write(payload.bytes, to: outputPayload) }
            guard let stored else { return try global.show(record) { _ in base64 } }
            var document = try record.json()
            if case var .object(members) = document {
                members["upload"] = .object(["tag": .string(stored.tag), "manifest_digest": .string(stored.manifestDigest),
                                             "appended": .bool(stored.appended), "layers": .integer(Int64(stored.layers))])
                document = .object(members)
            }
            try global.show(Document(document)) { _ in
                base64 + "\nstored in \(repository.name):\(stored.tag)" + (stored.appended ? " (\(stored.layers) signature(s) there)" : " (already there)")
            }
        }
    }
}

struct SignatureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signature", abstract: "Signatures made elsewhere.", subcommands: [Import.self, Fetch.self])

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fetch",
            abstract: "Record every signature in the image's registry (cosign's sha256-<hex>.sig), whoever made it.")

        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func run() async {
            let (repository, digest) = ImageArgument.image(image)
            await global.run { api throws(LedgerError) in
                try global.show(try await SignatureFetch.run(repository: repository, digest: digest, registry: registry, api: api)) { summary in
                    "\(summary.text("source")): \(summary.text("found")) signature(s), \(summary.text("recorded")) new"
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import",
            abstract: "Record a signature made by cosign or openssl over a simple-signing payload.")

        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @Option(help: ArgumentHelp("The exact payload bytes that were signed.", valueName: "file")) var payload: String
        @Option(help: ArgumentHelp("The signature: base64 text, or a file with base64 text or raw bytes.", valueName: "base64-or-file"))
        var signature: String
        @Option(help: ArgumentHelp("The public key that made it (default: whichever trusted key verifies it).", valueName: "pub.pem"))
        var key: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            let (repository, digest) = ImageArgument.image(image)
            await global.run { api throws(LedgerError) in
                let payloadBytes = Array(try global.read(payload))
                let (signatureBytes, signatureSource) = try SignatureArgument.read(signature)
                let signer = try key.map { path throws(LedgerError) in try KeyFile.readPublic(path).pem }
                let record = try await api.importSignature(SignatureUpload(
                    repository: repository, digest: digest, payload: payloadBytes, payloadSource: payload,
                    signature: signatureBytes, signatureSource: signatureSource, signerPEM: signer))
                try global.show(record) { record in
                    "signature \(record.text("id")) recorded for \(record.text("repository"))@\(record.text("digest"))"
                }
            }
        }
    }
}

/// `signature fetch` and `verify --fetch`: the `.sig` manifest's signatures, recorded in one write.
enum SignatureFetch {
    static func run(repository: Repository, digest: Digest, registry: RegistryOptions, api: any LedgerAPI) async throws(LedgerError) -> Document {
        let (uploads, source) = try await registry.trust().fetchSignatures(repository: repository, digest: digest)
        guard !uploads.isEmpty else {
            return Document(JSONValue.object(["source": .string(source), "found": .integer(0), "recorded": .integer(0),
                                              "already_recorded": .integer(0), "signatures": .array([])]))
        }
        return try await api.importSignatures(uploads, source: source)
    }
}

/// `--signature BASE64_OR_FILE`: an existing file holds base64 text (cosign) or raw bytes (openssl dgst).
enum SignatureArgument {
    static func read(_ argument: String) throws(LedgerError) -> ([UInt8], String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), !isDirectory.boolValue {
            let bytes = Array(try InputFile.read(argument))
            if let decoded = Base64.decode(String(decoding: bytes, as: UTF8.self)) { return (decoded, argument) }
            return (bytes, argument)
        }
        guard let decoded = Base64.decode(argument) else {
            throw .invalidInput(InvalidInput(field: "--signature", value: argument, reason: "neither base64 nor an existing file"))
        }
        return (decoded, "--signature")
    }
}
