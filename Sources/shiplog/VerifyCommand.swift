import ArgumentParser
import ShiplogApp
import ShiplogCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Is this digest signed by a trusted, unrevoked key? Exit 0 only if it is.",
        discussion: """
            Reasons: valid, no-signature, signature-invalid, key-unknown, key-revoked, payload-names-another-digest.
            """)

    @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
    @Option(help: ArgumentHelp("Only this key counts (it must be in the trust store).", valueName: "pub.pem")) var key: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (repository, digest) = ImageArgument.image(image)
        var verified = false
        try global.run { ledger throws(LedgerError) in
            let publicKey = try key.map { path throws(LedgerError) in try KeyFile.readPublic(path) }
            let result = try ledger.verify(repository: repository, digest: digest, key: publicKey)
            if global.json {
                Terminal.printJSON(result)
            } else {
                let when = result.signedAt.map { ", signed \($0)" } ?? ""
                Terminal.print("\(result.reason.rawValue): \(result.detail)\(when)")
            }
            verified = result.verified
        }
        if !verified { throw ExitCode(1) }
    }
}
