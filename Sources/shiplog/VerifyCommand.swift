import ArgumentParser
import ShiplogApp
import ShiplogCore

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Is this digest signed by a trusted, unrevoked key? Exit 0 only if it is.",
        discussion: """
            Reasons: valid, no-signature, signature-invalid, key-unknown, key-revoked, payload-names-another-digest.
            """)

    @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
    @Option(help: ArgumentHelp("Only this key counts (it must be in the trust store).", valueName: "pub.pem")) var key: String?
    @Flag(help: "First record the signatures in the image's registry (as signature fetch).") var fetch = false
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (repository, digest) = ImageArgument.image(image)
        var verified = false
        await global.run { api throws(LedgerError) in
            let keyID = try key.map { path throws(LedgerError) in try KeyFile.readPublic(path).keyID }
            if fetch { _ = try await SignatureFetch.run(repository: repository, digest: digest, registry: registry, api: api) }
            let result = try await api.verify(repository: repository, digest: digest, keyID: keyID)
            try global.show(result) { result in
                let when = result["signed_at"]?.stringValue.map { ", signed \($0)" } ?? ""
                return "\(result.text("reason")): \(result.text("detail"))\(when)"
            }
            verified = try result.json().flag("verified")
        }
        if !verified { throw ExitCode(1) }
    }
}
