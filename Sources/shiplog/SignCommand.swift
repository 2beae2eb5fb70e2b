import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

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
            let record = try await api.importSignature(SignatureUpload(
                repository: repository, digest: digest, payload: payload.bytes, payloadSource: "sign", signature: signature,
                signatureSource: "sign", signerPEM: signerPEM, origin: "sign"))
            let base64 = Base64.encode(signature)
            if let outputSignature { try KeyFile.write(Array(base64.utf8), to: outputSignature) }
            if let outputPayload { try KeyFile.write(payload.bytes, to: outputPayload) }
            try global.show(record) { _ in base64 }
        }
    }
}

struct SignatureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signature", abstract: "Signatures made elsewhere.", subcommands: [Import.self])

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
