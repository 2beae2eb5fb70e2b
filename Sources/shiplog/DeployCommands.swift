import ArgumentParser
import Foundation
import ShiplogApp
import ShiplogCore

extension CheckStatus: ExpressibleByArgument {}
extension DeployState: ExpressibleByArgument {}

/// Who did it: `--actor`, else the CI actor or the login name.
enum Actor {
    static func resolve(_ flag: String?) -> String? {
        let environment = ProcessInfo.processInfo.environment
        return flag ?? environment["GITHUB_ACTOR"] ?? environment["USER"]
    }
}

struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env", abstract: "Environments: slots, protection, traffic switches.", subcommands: [Create.self, Switch.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an environment (the first slot starts out active).")
        @Argument(help: "The environment, e.g. prod.") var name: String
        @Option(help: ArgumentHelp("Slot names, comma-separated.", valueName: "blue,green")) var slots: String?
        @Flag(help: "Deploys need a valid signature from a trusted, unrevoked key.") var requireSignature = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let slotNames = slots.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
            try global.run { ledger throws(LedgerError) in
                let environment = try ledger.createEnvironment(name: name, slots: slotNames, requireSignature: requireSignature)
                if global.json { Terminal.printJSON(environment) } else {
                    let slotText = environment.slots.isEmpty ? "" : " slots \(environment.slots.joined(separator: ",")) (active \(environment.activeSlot ?? "-"))"
                    Terminal.print("environment \(environment.name)\(slotText)\(environment.requireSignature ? " protected" : "")")
                }
            }
        }
    }

    struct Switch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch traffic to a slot; the switch is recorded.")
        @Argument(help: "The environment.") var name: String
        @Option(help: "The slot to make active.") var slot: String
        @Option(help: "Who switched (default: GITHUB_ACTOR or USER).") var actor: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let change = try ledger.switchSlot(environment: name, to: slot, actor: Actor.resolve(actor))
                if global.json { Terminal.printJSON(change) } else { Terminal.print("\(name): \(change.fromSlot) -> \(change.toSlot)") }
            }
        }
    }
}

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Record deploys: start, checks, finish.", subcommands: [Start.self, Check.self, Finish.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a deploy started; prints its id.",
            discussion: "Into a protected environment only with a valid trusted signature: otherwise exit 1, and the refusal is recorded.")
        @Option(help: "The environment.") var env: String
        @Option(help: "The slot (required when the environment has slots).") var slot: String?
        @Option(help: "The service.") var service: String
        @Option(help: ArgumentHelp("The image by digest (a tag may be named too: repo:tag@digest).", valueName: "repo@digest"))
        var digest: String?
        @Option(help: ArgumentHelp("The image by tag, resolved now through the tag history.", valueName: "repo:tag")) var image: String?
        @Option(help: "Who deploys (default: GITHUB_ACTOR or USER).") var actor: String?
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard (digest == nil) != (image == nil) else { throw ValidationError("give exactly one of --digest REPO@DIGEST and --image REPO:TAG") }
        }

        func run() throws {
            let reference: ImageReference
            do {
                reference = try ImageReference(parsing: digest ?? image ?? "")
            } catch {
                Terminal.fail(.invalidInput(error.at(digest != nil ? "--digest" : "--image")))
            }
            if digest != nil, reference.digest == nil {
                Terminal.fail(.invalidInput(InvalidInput(field: "--digest", value: digest, reason: "expected REPO@DIGEST")))
            }
            var refused = false
            try global.run { ledger throws(LedgerError) in
                switch try ledger.startDeploy(environment: env, slot: slot, service: service, image: reference, actor: Actor.resolve(actor)) {
                case let .started(deploy):
                    if global.json { Terminal.printJSON(deploy) } else { Terminal.print(String(deploy.id)) }
                case let .refused(verification):
                    refused = true
                    if global.json { Terminal.printJSON(verification) }
                    Terminal.error("deploy refused: \(env) requires a trusted signature: \(verification.reason.rawValue): \(verification.detail)")
                }
            }
            if refused { throw ExitCode(1) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a post-deploy check (health, mcp-tools, e2e).")
        @Argument(help: "The deploy id.") var id: Int64
        @Option(help: "The check's name.") var name: String
        @Option(help: "pass, fail or skip.") var status: CheckStatus
        @Option(help: "What was seen.") var detail: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let check = try ledger.checkDeploy(id: id, name: name, status: status, detail: detail)
                if global.json { Terminal.printJSON(check) } else { Terminal.print("deploy \(id): \(name) \(status.rawValue)") }
            }
        }
    }

    struct Finish: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record how a deploy ended.")
        @Argument(help: "The deploy id.") var id: Int64
        @Option(help: "succeeded or failed.") var status: DeployState
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try global.run { ledger throws(LedgerError) in
                let deploy = try ledger.finishDeploy(id: id, state: status)
                if global.json { Terminal.printJSON(deploy) } else { Terminal.print("deploy \(id): \(deploy.state.rawValue)") }
            }
        }
    }
}
