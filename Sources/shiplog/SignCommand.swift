import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto

struct SignCommand: ParsableCommand {
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

    func run() throws {
        let (repository, digest) = ImageArgument.image(image)
        let annotationPairs: [String: String]
        do { annotationPairs = try LabelFlags.parse(annotations, flag: "--annotation") } catch { Terminal.fail(.invalidInput(error)) }
        try global.run { ledger throws(LedgerError) in
            let privateKey = try KeyFile.readPrivate(key)
            let signed = try ledger.sign(repository: repository, digest: digest, with: privateKey, annotations: annotationPairs,
                                         rsaPadding: rsaPadding)
            let base64 = Base64.encode(signed.signature)
            if let outputSignature { try KeyFile.write(Array(base64.utf8), to: outputSignature) }
            if let outputPayload { try KeyFile.write(signed.payload, to: outputPayload) }
            if global.json {
                Terminal.printJSON(SignatureOutput(record: signed.record, signatureBase64: base64,
                                                   payload: String(decoding: signed.payload, as: UTF8.self)))
            } else {
                Terminal.print(base64)
            }
        }
    }
}

struct SignatureOutput: Encodable {
    var record: StoredSignature
    var signatureBase64: String
    var payload: String

    enum CodingKeys: String, CodingKey {
        case id, repository, digest, signature, payload, source
        case keyID = "key_id", recordedAt = "recorded_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(record.repository, forKey: .repository)
        try container.encode(record.digest, forKey: .digest)
        try container.encode(signatureBase64, forKey: .signature)
        try container.encode(payload, forKey: .payload)
        try container.encode(record.source, forKey: .source)
        try container.encode(record.signerKeyID, forKey: .keyID)
        try container.encode(record.recordedAt, forKey: .recordedAt)
    }
}

struct SignatureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signature", abstract: "Signatures made elsewhere.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a signature made by cosign or openssl over a simple-signing payload.")

        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @Option(help: ArgumentHelp("The exact payload bytes that were signed.", valueName: "file")) var payload: String
        @Option(help: ArgumentHelp("The signature: base64 text, or a file with base64 text or raw bytes.", valueName: "base64-or-file"))
        var signature: String
        @Option(help: ArgumentHelp("The public key that made it (default: whichever trusted key verifies it).", valueName: "pub.pem"))
        var key: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (repository, digest) = ImageArgument.image(image)
            try global.run { ledger throws(LedgerError) in
                let payloadBytes = Array(try InputFile.read(payload))
                let (signatureBytes, signatureSource) = try SignatureArgument.read(signature)
                let signer = try key.map { path throws(LedgerError) in try KeyFile.readPublic(path) }
                let record = try ledger.importSignature(
                    repository: repository, digest: digest, payload: payloadBytes, payloadSource: payload,
                    signature: signatureBytes, signatureSource: signatureSource, signer: signer)
                if global.json {
                    Terminal.printJSON(SignatureOutput(record: record, signatureBase64: Base64.encode(record.signature),
                                                       payload: String(decoding: record.payload, as: UTF8.self)))
                } else {
                    Terminal.print("signature \(record.id) recorded for \(record.repository)@\(record.digest)")
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
