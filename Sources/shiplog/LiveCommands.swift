import ArgumentParser
import ShiplogApp
import ShiplogCore

struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "What is live in an environment (its active slot), and whether it is good.")
    @Argument(help: "The environment.") var env: String
    @Option(help: "Another slot than the active one.") var slot: String?
    @Option(help: "Only this service.") var service: String?
    @Option(help: "text (default), json, compose (an override file for docker compose -f) or env (NAME_IMAGE=… lines).")
    var format: ImageFormat?
    @OptionGroup var global: GlobalOptions

    func run() async {
        await global.run { api throws(LedgerError) in
            let format = format ?? (global.json ? .json : .text)
            try format.show(try await api.live(environment: env, slot: slot, service: service), global: global, entries: { live in
                live.items("services").map { ImageOverride.Entry(service: $0.text("service"), image: ImageFormat.reference($0)) }
            }) { live in
                var table = TextTable(header: ["SERVICE", "IMAGE", "DIGEST", "DEPLOY", "STATE", "GOOD", "DEPLOYED"])
                table.rows = live.items("services").map { item in
                    let reasons = item.items("not_good_because").compactMap(\.stringValue).joined(separator: "; ")
                    return [item.text("service"), item.imageName, TextTable.short(item.text("digest")), item.text("deploy_id"),
                            item.text("state"), item.flag("good") ? "yes" : "no: " + reasons, item.text("deployed_at")]
                }
                return (live["slot"]?.stringValue.map { "slot \($0)\n" } ?? "") + table.rendered
            }
        }
    }
}

struct LkgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lkg", abstract: "The last-known-good deploy of a service: the newest good one. Exit 1 when none.")
    @Argument(help: "The environment.") var env: String
    @Option(help: "The service.") var service: String
    @OptionGroup var global: GlobalOptions

    func run() async {
        await global.run { api throws(LedgerError) in
            try global.show(try await api.lastKnownGood(environment: env, service: service)) { deploy in
                "\(deploy.text("service")): \(deploy.imageName)@\(deploy.text("digest")) (deploy \(deploy.text("deploy_id")), \(deploy.text("deployed_at")))"
            }
        }
    }
}

struct RollbackPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback-plan",
        abstract: "For every live service that is not good: what to redeploy (or which slot to switch back to).")
    @Argument(help: "The environment.") var env: String
    @Option(help: "Only this service.") var service: String?
    @Flag(help: "With --service: the newest good deploy whose digest differs from the live one.") var toPrevious = false
    @Option(help: "text (default), json, compose (an override file: the image each service rolls back to, or keeps) or env.")
    var format: ImageFormat?
    @OptionGroup var global: GlobalOptions

    func run() async {
        await global.run { api throws(LedgerError) in
            let format = format ?? (global.json ? .json : .text)
            let plan = try await api.rollbackPlan(environment: env, service: service, toPrevious: toPrevious)
            // Every action names its image (none: the live one, kept); with no good deploy there is none to give.
            try format.show(plan, global: global, entries: { plan in
                plan.items("actions").map { action in
                    ImageOverride.Entry(service: action.text("service"), image: ImageFormat.reference(action), note: action.text("reason"))
                }
            }) { plan in
                var table = TextTable(header: ["SERVICE", "ACTION", "TARGET", "FROM", "REASON"])
                table.rows = plan.items("actions").map { action in
                    let target = action.text("action") == RollbackAction.Kind.switchSlot.rawValue ? "slot \(action.text("slot"))"
                        : action["digest"]?.stringValue.map { "\(action["repository"]?.stringValue ?? "")\(action["tag"]?.stringValue.map { ":" + $0 } ?? "")@\(TextTable.short($0))" } ?? "-"
                    return [action.text("service"), action.text("action"), target, TextTable.short(action.text("from_digest")), action.text("reason")]
                }
                return table.rendered
            }
        }
    }
}
