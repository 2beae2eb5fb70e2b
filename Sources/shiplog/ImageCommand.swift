import ArgumentParser
import ShiplogApp
import ShiplogCore

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Images: what is known about one, and marking one bad.",
        subcommands: [ImageShow.self, MarkBad.self], defaultSubcommand: ImageShow.self)

    struct MarkBad: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-bad", abstract: "Mark an image bad (an incident found later): no deploy of it is good from now on.")
        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @Option(help: "Why.") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (repository, digest) = ImageArgument.image(image)
            try global.run { ledger throws(LedgerError) in
                try ledger.markBad(repository: repository, digest: digest, reason: reason)
                Terminal.print("\(repository.name)@\(digest) marked bad")
            }
        }
    }
}

struct ImageShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Everything known about one image: builds, tag history, signatures, deploys, bad marks.",
        discussion: "Give REPO@DIGEST for one repository, or a bare DIGEST for every repository holding it.")

    @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var reference: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (repository, digest) = ImageArgument.parse(reference, allowBareDigest: true)
        try global.run { ledger throws(LedgerError) in
            let images = try ledger.image(digest: digest, repository: repository)
            if global.json {
                if repository != nil { Terminal.printJSON(images[0]) } else { Terminal.printJSON(["images": images]) }
                return
            }
            for image in images {
                Terminal.print("\(image.repository)@\(image.digest)")
                var tags = TextTable(header: ["TAG", "FROM", "TO"])
                tags.rows = image.tags.map { [$0.tag, $0.validFrom.description, $0.validTo?.description ?? "now"] }
                Terminal.print("\nTags\n" + tags.rendered)
                var builds = TextTable(header: ["ID", "SERVICE", "TAG", "COMMIT", "RUN", "BUILT"])
                builds.rows = image.builds.map {
                    [String($0.id), $0.service, $0.tag, $0.commit.map { String($0.prefix(12)) } ?? "-", $0.runID ?? "-",
                     $0.builtAt.description]
                }
                Terminal.print("\nBuilds\n" + builds.rendered)
                var signatures = TextTable(header: ["ID", "KEY", "SOURCE", "RECORDED"])
                signatures.rows = image.signatures.map { [String($0.id), $0.keyID ?? "-", $0.source, $0.recordedAt.description] }
                Terminal.print("\nSignatures\n" + signatures.rendered)
                var deploys = TextTable(header: ["ID", "ENV", "SLOT", "SERVICE", "STATE", "STARTED"])
                deploys.rows = image.deploys.map {
                    [String($0.id), $0.environment, $0.slot ?? "-", $0.service, $0.state.rawValue, $0.startedAt?.description ?? "-"]
                }
                Terminal.print("\nDeploys\n" + deploys.rendered)
                if let bad = image.markedBad { Terminal.print("\nMarked bad at \(bad.markedAt): \(bad.reason)") }
                Terminal.print("")
            }
        }
    }
}
