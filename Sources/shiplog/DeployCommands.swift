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

struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env", abstract: "Environments: slots, protection, traffic switches.", subcommands: [Create.self, Switch.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an environment (the first slot starts out active).")
        @Argument(help: "The environment, e.g. prod.") var name: String
        @Option(help: ArgumentHelp("Slot names, comma-separated.", valueName: "blue,green")) var slots: String?
        @Flag(help: "Deploys need a valid signature from a trusted, unrevoked key.") var requireSignature = false
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let slotNames = slots.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
            // The environment is this command's argument, not --env.
            await global.run(flags: GlobalOptions.flags.filter { $0.key != "environment" }) { api throws(LedgerError) in
                try global.show(try await api.createEnvironment(name: name, slots: slotNames, requireSignature: requireSignature)) { environment in
                    let slots = environment.items("slots").compactMap(\.stringValue)
                    let slotText = slots.isEmpty ? "" : " slots \(slots.joined(separator: ",")) (active \(environment.text("active_slot")))"
                    return "environment \(environment.text("name"))\(slotText)\(environment.flag("require_signature") ? " protected" : "")"
                }
            }
        }
    }

    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "switch", abstract: "Switch traffic to a slot; the switch is recorded.")
        @Argument(help: "The environment.") var name: String
        @Option(help: "The slot to make active.") var slot: String
        @Option(help: "Who switched (default: GITHUB_ACTOR or USER).") var actor: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.switchSlot(environment: name, to: slot, actor: Actor.resolve(actor))) { change in
                    "\(name): \(change.text("from")) -> \(change.text("to"))"
                }
            }
        }
    }
}

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Record deploys: start, checks, finish.", subcommands: [Start.self, Check.self, Finish.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start",
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

        func run() async throws {
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
            await global.run { api throws(LedgerError) in
                let request = DeployRequest(environment: env, slot: slot, service: service, image: reference, actor: Actor.resolve(actor))
                switch try await api.startDeploy(request) {
                case let .started(deploy):
                    try global.show(deploy) { $0.text("deploy_id") }
                case let .refused(refusal):
                    refused = true
                    if global.json { Terminal.printJSON(refusal.decision ?? refusal.verification) }
                    Terminal.error(refusal.message)
                }
            }
            if refused { throw ExitCode(1) }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "Record a post-deploy check (health, mcp-tools, e2e).")
        @Argument(help: "The deploy id.") var id: Int64
        @Option(help: "The check's name.") var name: String
        @Option(help: "pass, fail or skip.") var status: CheckStatus
        @Option(help: "What was seen.") var detail: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.checkDeploy(id: id, name: name, status: status, detail: detail)) { check in
                    "deploy \(id): \(check.text("name")) \(check.text("status"))"
                }
            }
        }
    }

    struct Finish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "finish", abstract: "Record how a deploy ended.")
        @Argument(help: "The deploy id.") var id: Int64
        @Option(help: "succeeded or failed.") var status: DeployState
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            await global.run { api throws(LedgerError) in
                try global.show(try await api.finishDeploy(id: id, state: status)) { deploy in "deploy \(id): \(deploy.text("state"))" }
            }
        }
    }
}
