import ArgumentParser
import Foundation
import ShiplogCore
import ShiplogRegistry

/// How the commands that talk to a registry reach it; credentials come from docker's config file.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("insecure-registry"),
            help: ArgumentHelp("Speak plain HTTP to this registry host[:port] (loopback registries always are).", valueName: "host"))
    var insecureRegistries: [String] = []

    @Option(name: .customLong("registry-timeout"),
            help: ArgumentHelp("Seconds a registry request may take (env SHIPLOG_REGISTRY_TIMEOUT; default 30).", valueName: "seconds"))
    var timeout: Int64?

    /// The client, with the logins of `REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
    func trust() throws(LedgerError) -> RegistryTrust {
        let seconds = timeout ?? GlobalOptions.environment("SHIPLOG_REGISTRY_TIMEOUT").flatMap { Int64($0) } ?? 30
        guard seconds >= 1, seconds <= 3600 else {
            throw .invalidInput(InvalidInput(field: "--registry-timeout", value: String(seconds), reason: "expected 1 to 3600 seconds"))
        }
        let credentials = try RegistryCredentials.load(environment: ProcessInfo.processInfo.environment)
        return RegistryTrust(client: RegistryClient(options: .init(insecureRegistries: Set(insecureRegistries), timeout: seconds),
                                                    credentials: credentials))
    }
}
