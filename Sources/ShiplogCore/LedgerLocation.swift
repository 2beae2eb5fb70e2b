/// Where a ledger lives: a SQLite file (the default) or a PostgreSQL database that several servers share,
/// named by `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require]` as libpq names it.
package enum LedgerLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case postgres(PostgresAddress)

    /// Reads `--db`/`SHIPLOG_DB`: a `postgres://` or `postgresql://` URL, else a file path.
    package init(_ text: String) throws(InvalidInput) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresAddress(text))
        } else {
            self = .file(text)
        }
    }

    /// The location as it may be shown or logged: never the password.
    package var description: String {
        switch self {
        case let .file(path): path
        case let .postgres(address): address.description
        }
    }
}

/// A PostgreSQL server and database, from its URL.
package struct PostgresAddress: Sendable, Hashable, CustomStringConvertible {
    package enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    package var user: String
    package var password: String?
    package var host: String
    package var port: Int
    package var database: String
    package var tls: TLSMode

    package init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String, tls: TLSMode = .prefer) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    package init(_ url: String) throws(InvalidInput) {
        func refuse(_ reason: String) -> InvalidInput {
            InvalidInput(field: "--db", value: LedgerLocation.redacted(url), reason: reason)
        }
        guard let schemeEnd = url.range(of: "://") else { throw refuse("expected postgres://USER[:PASSWORD]@HOST[:PORT]/DB") }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw refuse("the URL names no database (…/DB)") }
        let authority = rest[..<slash]
        let database = try Self.decoded(rest[rest.index(after: slash)...], refuse("the database name is not percent-encoded properly"))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("the URL names no database (…/DB)") }
        guard let at = authority.lastIndex(of: "@") else { throw refuse("the URL names no user (USER@HOST)") }
        let credentials = authority[..<at]
        var hostPort = authority[authority.index(after: at)...]
        let userPart = credentials.firstIndex(of: ":").map { credentials[..<$0] } ?? credentials
        user = try Self.decoded(userPart, refuse("the user name is not percent-encoded properly"))
        guard !user.isEmpty else { throw refuse("the URL names no user (USER@HOST)") }
        password = try credentials.firstIndex(of: ":").map { colon throws(InvalidInput) in
            try Self.decoded(credentials[credentials.index(after: colon)...], refuse("the password is not percent-encoded properly"))
        }
        port = 5432
        if hostPort.hasPrefix("[") {
            // An IPv6 literal: [::1]:5432.
            guard let close = hostPort.firstIndex(of: "]") else { throw refuse("an IPv6 host needs its closing ]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex) ..< close])
            hostPort = hostPort[hostPort.index(after: close)...]
            if !hostPort.isEmpty {
                guard hostPort.hasPrefix(":"), let number = Int(hostPort.dropFirst()), (1 ... 65535).contains(number) else {
                    throw refuse("the port is a number from 1 to 65535")
                }
                port = number
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1 ... 65535).contains(number) else {
                throw refuse("the port is a number from 1 to 65535")
            }
            port = number
        } else {
            host = String(hostPort)
        }
        guard !host.isEmpty else { throw refuse("the URL names no host") }
        self.database = database
        tls = .prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "sslmode" else {
                throw refuse("the only URL parameter understood is sslmode (disable, prefer or require), not \(pair)")
            }
            guard let mode = TLSMode(rawValue: String(parts[1])) else {
                throw refuse("sslmode is disable, prefer or require, not \(parts[1])")
            }
            tls = mode
        }
    }

    /// `postgres://USER@HOST:PORT/DB`: the URL without its password.
    package var description: String { "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    private static func decoded(_ text: Substring, _ failure: @autoclosure () -> InvalidInput) throws(InvalidInput) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { throw failure() }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw failure() }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension LedgerLocation {
    /// A `--db` value fit to show in an error: a URL's password replaced.
    package static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else { return text }
        let credentials = text[scheme.upperBound ..< at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
