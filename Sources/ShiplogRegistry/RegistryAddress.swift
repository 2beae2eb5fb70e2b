import ShiplogCore

/// Where a repository lives: the registry host (with its port), the path inside it, and whether it is
/// spoken to over plain HTTP (loopback registries, or hosts named by `--insecure-registry`) or HTTPS.
package struct RegistryAddress: Sendable, Hashable {
    package var host: String
    package var path: String
    package var plainHTTP: Bool

    /// `https://host` or `http://host`.
    package var base: String { (plainHTTP ? "http://" : "https://") + apiHost }

    /// Docker Hub's API host differs from the name people write.
    var apiHost: String { host == "docker.io" ? "registry-1.docker.io" : host }

    package init(_ repository: Repository, insecure: Set<String> = []) {
        let components = repository.name.split(separator: "/", maxSplits: 1).map(String.init)
        let first = components[0]
        if components.count == 2, first.contains(".") || first.contains(":") || first == "localhost" {
            host = first
            path = components[1]
        } else {
            // No host: Docker Hub, with `library/` for official images, as docker pull reads such names.
            host = "docker.io"
            path = components.count == 1 ? "library/\(first)" : repository.name
        }
        plainHTTP = Self.isLoopback(host) || insecure.contains(host)
    }

    /// `localhost`, `127.0.0.0/8` and `[::1]`, with or without a port.
    package static func isLoopback(_ hostAndPort: String) -> Bool {
        var name = hostAndPort
        if name.hasPrefix("[") {
            name = String(name.dropFirst().prefix { $0 != "]" })
            return name == "::1"
        }
        if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
        if name == "localhost" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
