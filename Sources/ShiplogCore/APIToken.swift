/// What a bearer token may do on the server. `admin` may do everything.
package enum Scope: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case read
    case buildsWrite = "builds:write"
    case deploysWrite = "deploys:write"
    case sign
    case usageWrite = "usage:write"
    case admin

    package static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    package static func parse(_ text: String) throws(ValueError) -> Scope {
        guard let scope = Scope(rawValue: text) else {
            throw ValueError(value: text, reason: "expected one of " + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return scope
    }
}

/// A server API token as the ledger keeps it: the SHA-256 of the secret, never the secret itself.
package struct APIToken: Sendable, Hashable {
    package var name: String
    package var scopes: Set<Scope>
    package var hash: [UInt8]
    package var createdAt: Timestamp

    package init(name: String, scopes: Set<Scope>, hash: [UInt8], createdAt: Timestamp) {
        self.name = name
        self.scopes = scopes
        self.hash = hash
        self.createdAt = createdAt
    }

    package func allows(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }

    /// A token name: what the admin will recognise in logs (1 to 64 printable ASCII characters).
    package static func validateName(_ name: String) throws(ValueError) {
        guard (1...64).contains(name.utf8.count), name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ValueError(value: name, reason: "a token name has 1 to 64 printable characters, no spaces")
        }
    }
}
