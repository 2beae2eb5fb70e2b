import Foundation
import ShiplogCore

/// Registry logins as `docker login` and `doctl registry login` write them: `auths.HOST.auth` is base64 of
/// `user:password` (or `username`/`password` beside it). Read from `REGISTRY_AUTH_FILE`, else
/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. Held in memory only: never logged, never in the ledger.
package struct RegistryCredentials: Sendable {
    package struct Login: Sendable, Hashable {
        package var username: String
        package var password: String

        package init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// The `Authorization` value of HTTP Basic auth.
        var basic: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
    }

    private var logins: [String: Login]

    package init(logins: [String: Login] = [:]) { self.logins = logins }

    /// The file the environment names; no file is no logins (anonymous access), a malformed one is an error.
    package static func load(environment: [String: String]) throws(LedgerError) -> RegistryCredentials {
        let path: String
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty {
            path = file
        } else if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty {
            path = directory + "/config.json"
        } else {
            path = (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
        }
        guard let data = FileManager.default.contents(atPath: path) else { return RegistryCredentials() }
        return try parse(data, source: path)
    }

    package static func parse(_ data: Data, source: String) throws(LedgerError) -> RegistryCredentials {
        let document: JSONValue
        do { document = try JSONInput.value(from: data, source: source) } catch { throw .invalidInput(error) }
        guard case let .object(auths)? = document["auths"] else { return RegistryCredentials() }
        var logins: [String: Login] = [:]
        for (key, entry) in auths {
            var login: Login?
            if let encoded = entry["auth"]?.stringValue, !encoded.isEmpty {
                // Never echo the value: it is a password.
                guard let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw .invalidInput(InvalidInput(source: source, field: "auths.\(key).auth", reason: "not base64 of user:password"))
                }
                login = Login(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
            } else if let username = entry["username"]?.stringValue, let password = entry["password"]?.stringValue {
                login = Login(username: username, password: password)
            }
            if let login { logins[Self.hostKey(key)] = login }
        }
        return RegistryCredentials(logins: logins)
    }

    /// `https://index.docker.io/v1/` and `registry.example.com` alike name a host.
    static func hostKey(_ key: String) -> String {
        var host = key
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host = String(host.dropFirst(scheme.count)) }
        host = String(host.prefix { $0 != "/" })
        return host == "index.docker.io" || host == "registry-1.docker.io" ? "docker.io" : host
    }

    package func login(for host: String) -> Login? { logins[Self.hostKey(host)] }
}
