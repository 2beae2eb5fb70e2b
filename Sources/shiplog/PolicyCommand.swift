import ArgumentParser
import ShiplogApp
import ShiplogCore

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "An environment's policy: who may ship what there, and what makes a deploy good.",
        discussion: "docs/policy.md has the rules and worked examples.",
        subcommands: [Set.self, Show.self, Check.self, Audit.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set",
            abstract: "Set the environment's policy from a JSON or YAML file (a new version; logged).")
        @Argument(help: "The environment.") var env: String
        @Argument(help: ArgumentHelp("The policy document (- for standard input).", valueName: "file")) var file: String
        @Option(help: "Who sets it (default: GITHUB_ACTOR or USER).") var actor: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                let document = try PolicyFile.read(file, global: global)
                try global.show(try await api.setPolicy(environment: env, document: document, source: file, actor: Actor.resolve(actor))) { set in
                    "\(set.text("environment")): policy v\(set.text("version")) in force (\(set["policy"]?["mode"]?.stringValue ?? "enforce"))"
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "The policy in force, as JSON. Exit 1 when there is none.")
        @Argument(help: "The environment.") var env: String
        @OptionGroup var global: GlobalOptions

        func run() async {
            await global.run { api throws(LedgerError) in
                // The document is the answer: JSON whatever --json says.
                Terminal.printJSON(try await api.policy(environment: env))
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check",
            abstract: "Would the environment's policy let this image in now? Exit 0 allowed, 1 refused.")
        @Argument(help: "The environment.") var env: String
        @Argument(help: ArgumentHelp("The image, by digest or by tag.", valueName: "repo@digest")) var image: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let reference: ImageReference
            do { reference = try ImageReference(parsing: image) } catch { Terminal.fail(.invalidInput(error.at("image"))) }
            var allowed = false
            await global.run { api throws(LedgerError) in
                let decision = try await api.checkPolicy(environment: env, image: reference)
                allowed = try decision.json().flag("allowed")
                try global.show(decision) { decision in
                    let violations = decision.items("violations").map { "  \($0.text("rule")): \($0.text("detail"))" }
                    let verdict = decision.flag("allowed") ? (violations.isEmpty ? "allowed" : "allowed (audit mode)") : "refused"
                    return ([verdict] + violations).joined(separator: "\n")
                }
            }
            if !allowed { throw ExitCode(1) }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "audit",
            abstract: "Judge every recorded deploy of the environment against its current policy: which would have been refused, and why.")
        @Argument(help: "The environment.") var env: String
        @Option(help: ArgumentHelp("Only deploys started at or after this time.", valueName: "RFC 3339")) var since: String?
        @OptionGroup var global: GlobalOptions

        func run() async {
            let start: Timestamp?
            do { start = try since.map { text throws(ValueError) in try Timestamp(rfc3339: text) } } catch {
                Terminal.fail(.invalidInput(error.at("--since")))
            }
            await global.run { api throws(LedgerError) in
                try global.show(try await api.auditPolicy(environment: env, since: start)) { audit in
                    var table = TextTable(header: ["DEPLOY", "SERVICE", "DIGEST", "STARTED", "GATE", "VIOLATIONS"])
                    table.rows = audit.items("results").map { result in
                        [result.text("deploy_id"), result.text("service"), TextTable.short(result.text("digest")), result.text("started_at"),
                         result.flag("allowed") ? "allowed" : "refused",
                         result.items("violations").map { "\($0.text("rule")): \($0.text("detail"))" }.joined(separator: "; ")]
                    }
                    return "\(audit.text("deploys")) deploys judged against policy v\(audit.text("policy_version")): "
                        + "\(audit.text("refused")) would be refused, \(audit.text("not_good")) would not be good\n" + table.rendered
                }
            }
        }
    }
}

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "What to promote: per service, the newest good digest of --from that --to's policy allows and is not live there.",
        discussion: "Actions: promote, none (nothing to do), blocked (the target's policy refuses it; the violations say why).")
    @Option(help: "The environment to promote from.") var from: String
    @Option(help: "The environment to promote to.") var to: String
    @Option(help: "Only this service.") var service: String?
    @Option(help: "text (default), json, compose (an override file: promoted images, the live one kept otherwise) or env.")
    var format: ImageFormat?
    @OptionGroup var global: GlobalOptions

    func run() async {
        await global.run { api throws(LedgerError) in
            let format = format ?? (global.json ? .json : .text)
            try format.show(try await api.promote(from: from, to: to, service: service), global: global, entries: { promotion in
                promotion.items("actions").map { action in
                    // `promote` gives the new image; `none` and `blocked` keep what is live in the target.
                    let image = action.text("action") == PromotionAction.Kind.promote.rawValue ? ImageFormat.reference(action)
                        : action["from_image"]?.stringValue
                    return ImageOverride.Entry(service: action.text("service"), image: image, note: action.text("reason"))
                }
            }) { promotion in
                var table = TextTable(header: ["SERVICE", "ACTION", "IMAGE", "LIVE", "REASON"])
                table.rows = promotion.items("actions").map { action in
                    let image = action["digest"]?.stringValue.map { "\(action.imageName)@\(TextTable.short($0))" } ?? "-"
                    let why = ([action.text("reason")] + action.items("violations").map { "\($0.text("rule")): \($0.text("detail"))" })
                    return [action.text("service"), action.text("action"), image, TextTable.short(action.text("from_digest")),
                            why.joined(separator: "; ")]
                }
                return table.rendered
            }
        }
    }
}
