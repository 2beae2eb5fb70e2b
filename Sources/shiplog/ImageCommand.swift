import ArgumentParser
import ShiplogApp
import ShiplogCore

struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Images: what is known about one, and marking one bad.",
        subcommands: [ImageShow.self, MarkBad.self], defaultSubcommand: ImageShow.self)

    struct MarkBad: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mark-bad", abstract: "Mark an image bad (an incident found later): no deploy of it is good from now on.")
        @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var image: String
        @Option(help: "Why.") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async {
            let (repository, digest) = ImageArgument.image(image)
            await global.run { api throws(LedgerError) in
                try global.show(try await api.markBad(repository: repository, digest: digest, reason: reason)) { mark in
                    "\(mark.text("repository"))@\(mark.text("digest")) marked bad"
                }
            }
        }
    }
}

struct ImageShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Everything known about one image: builds, tag history, signatures, attestations, deploys, bad marks.",
        discussion: "Give REPO@DIGEST for one repository, or a bare DIGEST for every repository holding it.")

    @Argument(help: ArgumentHelp("The image.", valueName: "repo@digest")) var reference: String
    @OptionGroup var global: GlobalOptions

    func run() async {
        let (repository, digest) = ImageArgument.parse(reference, allowBareDigest: true)
        await global.run { api throws(LedgerError) in
            try global.show(try await api.image(digest: digest, repository: repository)) { document in
                (repository == nil ? document.items("images") : [document]).map(Self.render).joined(separator: "\n")
            }
        }
    }

    static func render(_ image: JSONValue) -> String {
        var text = "\(image.text("repository"))@\(image.text("digest"))\n"
        var tags = TextTable(header: ["TAG", "FROM", "TO"])
        tags.rows = image.items("tags").map { [$0.text("tag"), $0.text("valid_from"), $0["valid_to"]?.stringValue ?? "now"] }
        text += "\nTags\n" + tags.rendered + "\n"
        var builds = TextTable(header: ["ID", "SERVICE", "TAG", "COMMIT", "RUN", "BUILT"])
        builds.rows = image.items("builds").map {
            [$0.text("id"), $0.text("service"), $0.text("tag"), String($0.text("commit").prefix(12)), $0.text("run_id"), $0.text("built_at")]
        }
        text += "\nBuilds\n" + builds.rendered + "\n"
        var signatures = TextTable(header: ["ID", "KEY", "SOURCE", "RECORDED"])
        signatures.rows = image.items("signatures").map { [$0.text("id"), $0.text("key_id"), $0.text("source"), $0.text("recorded_at")] }
        text += "\nSignatures\n" + signatures.rendered + "\n"
        if !image.items("attestations").isEmpty {
            var attestations = TextTable(header: ["ID", "PREDICATE TYPE", "VALID", "REASON", "KEY", "SOURCE", "RECORDED"])
            attestations.rows = image.items("attestations").map {
                [$0.text("id"), $0.text("predicate_type"), $0.text("valid"), $0.text("reason"), $0.text("key_name"), $0.text("source"), $0.text("recorded_at")]
            }
            text += "\nAttestations\n" + attestations.rendered + "\n"
        }
        var deploys = TextTable(header: ["ID", "ENV", "SLOT", "SERVICE", "STATE", "STARTED"])
        deploys.rows = image.items("deploys").map {
            [$0.text("deploy_id"), $0.text("environment"), $0.text("slot"), $0.text("service"), $0.text("state"), $0.text("started_at")]
        }
        text += "\nDeploys\n" + deploys.rendered + "\n"
        if let pulls = image["pulls"], pulls.text("count") != "0", pulls.text("count") != "-" {
            text += "\nPulled \(pulls.text("count")) \(pulls.text("count") == "1" ? "time" : "times") (\(pulls.text("bytes")) bytes where known), last at \(pulls.text("last_pulled_at"))\n"
        }
        if let bad = image["marked_bad"], bad != .null { text += "\nMarked bad at \(bad.text("marked_at")): \(bad.text("reason"))\n" }
        return text
    }
}
