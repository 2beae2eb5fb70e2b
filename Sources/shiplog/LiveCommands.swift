import ArgumentParser
import ShiplogApp
import ShiplogCore

struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "What is live in an environment (its active slot), and whether it is good.")
    @Argument(help: "The environment.") var env: String
    @Option(help: "Another slot than the active one.") var slot: String?
    @Option(help: "Only this service.") var service: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.run { ledger throws(LedgerError) in
            let live = try ledger.live(environment: env, slot: slot, service: service)
            if global.json {
                Terminal.printJSON(live)
                return
            }
            var table = TextTable(header: ["SERVICE", "IMAGE", "DIGEST", "DEPLOY", "STATE", "GOOD", "DEPLOYED"])
            table.rows = live.services.map { item in
                let deploy = item.facts.deploy
                return [deploy.service, deploy.repository + (deploy.tag.map { ":" + $0 } ?? ""), TextTable.short(deploy.digest),
                        String(deploy.id), deploy.state.rawValue, item.good ? "yes" : "no: " + item.notGoodBecause.joined(separator: "; "),
                        deploy.startedAt?.description ?? "-"]
            }
            Terminal.print((live.slot.map { "slot \($0)\n" } ?? "") + table.rendered)
        }
    }
}

struct LkgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lkg", abstract: "The last-known-good deploy of a service: the newest good one. Exit 1 when none.")
    @Argument(help: "The environment.") var env: String
    @Option(help: "The service.") var service: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.run { ledger throws(LedgerError) in
            guard let deploy = try ledger.lastKnownGood(environment: env, service: service) else {
                throw .notFound("no good deploy of \(service) recorded in \(env)")
            }
            if global.json {
                Terminal.printJSON(LastKnownGood(deploy: deploy))
            } else {
                Terminal.print("\(deploy.service): \(deploy.repository)\(deploy.tag.map { ":" + $0 } ?? "")@\(deploy.digest) (deploy \(deploy.id), \(deploy.startedAt?.description ?? "-"))")
            }
        }
    }
}

struct RollbackPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback-plan",
        abstract: "For every live service that is not good: what to redeploy (or which slot to switch back to).")
    @Argument(help: "The environment.") var env: String
    @Option(help: "Only this service.") var service: String?
    @Flag(help: "With --service: the newest good deploy whose digest differs from the live one.") var toPrevious = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.run { ledger throws(LedgerError) in
            let plan = try ledger.rollbackPlan(environment: env, service: service, toPrevious: toPrevious)
            if global.json {
                Terminal.printJSON(plan)
                return
            }
            var table = TextTable(header: ["SERVICE", "ACTION", "TARGET", "FROM", "REASON"])
            table.rows = plan.actions.map { action in
                let target = action.action == .switchSlot ? "slot \(action.slot ?? "-")"
                    : action.digest.map { "\(action.repository ?? "")\(action.tag.map { ":" + $0 } ?? "")@\(TextTable.short($0))" } ?? "-"
                return [action.service, action.action.rawValue, target, TextTable.short(action.fromDigest), action.reason]
            }
            Terminal.print(table.rendered)
        }
    }
}
