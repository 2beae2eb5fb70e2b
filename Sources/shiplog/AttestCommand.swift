import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import ShiplogRegistry

struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Attest a predicate about an image as `cosign attest --key` does (in-toto statement in DSSE), and record it.",
        discussion: """
            TYPE is a predicate-type URI or one of cosign's shorthands: \(PredicateType.shorthands.keys.sorted().joined(separator: ", ")).
            The private key may be encrypted: set SHIPLOG_KEY_PASSPHRASE.
            """)

    @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
    @Option(help: ArgumentHelp("The predicate: a JSON object (any text for --type custom).", valueName: "file")) var predicate: String
    @Option(help: ArgumentHelp("The predicate type.", valueName: "type")) var type: String = "custom"
    @Option(help: ArgumentHelp("The private key (PEM or DER).", valueName: "key.pem")) var key: String
    @Option(help: ArgumentHelp("Write the DSSE envelope here.", valueName: "file")) var outputEnvelope: String?
    @Flag(help: "Also store the attestation in the image's registry as cosign does (tag sha256-<hex>.att).") var upload = false
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var global: GlobalOptions

    func run() async {
        let (repository, digest) = ImageArgument.image(image)
        let predicateType: String
        do { predicateType = try PredicateType.resolve(type) } catch { Terminal.fail(.invalidInput(error.at("--type"))) }
        await global.run { api throws(LedgerError) in
            let body = try Self.predicateBytes(try global.read(predicate), source: predicate, custom: type == "custom")
            let statement = InTotoStatement.bytes(repository: repository, digest: digest, predicateType: predicateType, predicate: body)
            // Signing happens here, with the key file; only the envelope travels (to a server in remote mode).
            let privateKey = try KeyFile.readPrivate(key, passphrase: GlobalOptions.keyPassphrase)
            let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement)
            let signature: [UInt8]
            do throws(CryptoError) { signature = try privateKey.sign(pae) } catch { throw .invalidInput(InvalidInput(source: key, reason: error.description)) }
            let envelope = DSSEEnvelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement,
                                        signatures: [.init(signature: signature)]).json
            if let outputEnvelope { try KeyFile.write(envelope, to: outputEnvelope) }
            let stored = upload ? try await registry.trust().uploadAttestation(repository: repository, digest: digest, envelope: envelope,
                                                                               predicateType: predicateType) : nil
            let summary = try await api.importAttestations(Data(envelope), source: "attest", target: .image(repository, digest), origin: "attest")
            try global.show(summary) { summary in
                let upload = stored.map { "\nstored in \(repository.name):\($0.tag)" + ($0.appended ? "" : " (already there)") } ?? ""
                return "attestation \(summary.items("attestations").first?.text("id") ?? "-") (\(predicateType)) recorded for "
                    + "\(repository.name)@\(digest)\(upload)"
            }
        }
    }

    /// The predicate as embedded in the statement: the file's JSON object, or for `custom` the file's text
    /// wrapped as cosign wraps it (`{"Data": TEXT, "Timestamp": NOW}`).
    static func predicateBytes(_ data: Data, source: String, custom: Bool) throws(LedgerError) -> [UInt8] {
        if custom {
            let text = String(decoding: data, as: UTF8.self)
            let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970).description
            return Array(#"{"Data":"#.utf8) + Array(CanonicalJSON.string(text).utf8) + Array(#","Timestamp":"#.utf8)
                + Array(CanonicalJSON.string(now).utf8) + [UInt8(ascii: "}")]
        }
        let value: JSONValue
        do { value = try JSONInput.value(from: data, source: source) } catch { throw .invalidInput(error) }
        guard case .object = value else {
            throw .invalidInput(InvalidInput(source: source, value: value.shortText, reason: "a predicate is a JSON object"))
        }
        return Array(data)
    }
}

struct AttestationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attestation", abstract: "In-toto attestations of images: import, fetch from the registry, list, verify.",
        subcommands: [Import.self, Fetch.self, List.self, Verify.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import",
            abstract: "Record DSSE envelopes (one JSON document, or one per line); the statements' subjects name the images.")

        @Argument(help: ArgumentHelp("The envelopes, or - for standard input.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("Record them for this image only (every statement must name its digest).", valueName: "repo@digest"))
        var image: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            let target: ReleaseLedger.AttestationTarget = image.map { text in
                let (repository, digest) = ImageArgument.image(text)
                return .image(repository, digest)
            } ?? .subjects
            await global.run { api throws(LedgerError) in
                let data = try global.read(file)
                let source = file == "-" ? "standard input" : file
                try global.show(try await api.importAttestations(data, source: source, target: target, origin: "import"), AttestationCommand.summary)
            }
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fetch",
            abstract: "Record the attestations in the image's registry (cosign's sha256-<hex>.att).")

        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @OptionGroup var registry: RegistryOptions
        @OptionGroup var global: GlobalOptions

        func run() async {
            let (repository, digest) = ImageArgument.image(image)
            await global.run { api throws(LedgerError) in
                let (envelopes, source) = try await registry.trust().fetchAttestations(repository: repository, digest: digest)
                guard !envelopes.isEmpty else {
                    let empty = AttestationImportSummary(source: source, envelopes: 0, recorded: 0, alreadyRecorded: 0, attestations: [])
                    return try global.show(Document(empty), AttestationCommand.summary)
                }
                let lines = Data(envelopes.map { Self.oneLine($0) }.joined(separator: [UInt8(ascii: "\n")]))
                try global.show(try await api.importAttestations(lines, source: source, target: .image(repository, digest), origin: "import"),
                                AttestationCommand.summary)
            }
        }

        /// An envelope as one JSON Lines line: JSON's own whitespace between tokens may hold newlines; strings cannot.
        static func oneLine(_ envelope: [UInt8]) -> [UInt8] {
            envelope.map { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") ? UInt8(ascii: " ") : $0 }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The image's attestations, each judged now.")

        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @Option(help: ArgumentHelp("Only this predicate type (URI or shorthand).", valueName: "type")) var type: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            let (repository, digest) = ImageArgument.image(image)
            let predicateType = AttestationCommand.resolve(type)
            await global.run { api throws(LedgerError) in
                try global.show(try await api.attestations(repository: repository, digest: digest, type: predicateType)) { list in
                    var table = TextTable(header: ["ID", "PREDICATE TYPE", "VALID", "REASON", "KEY", "SOURCE", "RECORDED"])
                    for item in list.items("attestations") {
                        table.rows.append([item.text("id"), item.text("predicate_type"), item.text("valid"), item.text("reason"),
                                           item.text("key_name"), item.text("source"), item.text("recorded_at")])
                    }
                    return table.rows.isEmpty ? "no attestation recorded for \(repository.name)@\(digest)" : table.rendered
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify",
            abstract: "Exit 0 only when an attestation of the type, naming this digest, verifies with a trusted, unrevoked key.")

        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @Option(help: ArgumentHelp("The predicate type (URI or shorthand); any type when absent.", valueName: "type")) var type: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (repository, digest) = ImageArgument.image(image)
            let predicateType = AttestationCommand.resolve(type)
            var verified = false
            await global.run { api throws(LedgerError) in
                let result = try await api.verifyAttestation(repository: repository, digest: digest, type: predicateType)
                try global.show(result) { "\($0.text("reason")): \($0.text("detail"))" }
                verified = try result.json().flag("verified")
            }
            if !verified { throw ExitCode(1) }
        }
    }

    static func resolve(_ type: String?) -> String? {
        do { return try type.map(PredicateType.resolve) } catch { Terminal.fail(.invalidInput(error.at("--type"))) }
    }

    static func summary(_ summary: JSONValue) -> String {
        "\(summary.text("source")): \(summary.text("envelopes")) envelope(s), \(summary.text("recorded")) attestation(s) recorded, "
            + "\(summary.text("already_recorded")) already recorded"
    }
}
