import Foundation
import ShiplogCore
import ShiplogCrypto

/// Replays the log's events into what the tables should hold now, and compares: an edit made to a
/// table row directly in the SQLite file (not through shiplog, so without a log entry) shows here.
struct TableAudit {
    /// What the log says, keyed the way the tables are.
    /// Build rows regenerated as events, consumed in id order as the log's build entries come by.
    private var pendingBuilds: [(id: Int64, event: [UInt8])] = []
    private var lastBuildID: Int64 = 0
    /// The first disagreement found while replaying (the leaf, and what is wrong).
    private(set) var problem: (leaf: Int64?, problem: String)?
    private var deploys: [Int64: [String: String]] = [:]
    private var signatures: [Int64: [String: String]] = [:]
    private var keys: [String: [String: String]] = [:]
    private var badImages: Set<String> = []
    /// The leaf that last described each row, for the report.
    private var leafOf: [String: Int64] = [:]

    /// Reads one entry's event (canonical JSON) into the expected state. Builds, the bulk of a ledger, are
    /// compared byte for byte with their rows as they come (their ids rise in log order); the rest is parsed.
    mutating func replay(_ entry: LogEntry, store: any LedgerStore) throws(LedgerError) {
        if entry.kind == LedgerEvent.Kind.build.rawValue {
            try compareBuild(entry, store: store)
            return
        }
        guard let object = Self.object(entry.data) else { return }
        func text(_ key: String) -> String {
            switch object[key] {
            case let .string(value)?: value
            case let .integer(value)?: String(value)
            case let .object(members)?: CanonicalJSON.object(members.compactMapValues(\.stringValue))
            default: ""
            }
        }
        func fields(_ names: [String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: names.map { ($0, text($0)) })
        }
        let id = Int64(text(entry.kind == LedgerEvent.Kind.deployStarted.rawValue || entry.kind == LedgerEvent.Kind.deployFinished.rawValue
            ? "deploy_id" : "id")) ?? -1
        switch entry.kind {
        case LedgerEvent.Kind.deployStarted.rawValue:
            deploys[id] = fields(["environment", "service", "repository", "digest", "state"])
            leafOf["deploy \(id)"] = entry.index
        case LedgerEvent.Kind.deployFinished.rawValue:
            deploys[id]?["state"] = text("state")
            leafOf["deploy \(id)"] = entry.index
        case LedgerEvent.Kind.signature.rawValue:
            signatures[id] = fields(["repository", "digest", "payload", "signature"])
            leafOf["signature \(id)"] = entry.index
        case LedgerEvent.Kind.keyAdded.rawValue:
            keys[text("key_id")] = ["public_key_pem": text("public_key_pem"), "revoked": "false"]
            leafOf["key \(text("key_id"))"] = entry.index
        case LedgerEvent.Kind.keyRevoked.rawValue:
            keys[text("key_id")]?["revoked"] = "true"
            leafOf["key \(text("key_id"))"] = entry.index
        case LedgerEvent.Kind.imageMarkedBad.rawValue:
            badImages.insert(text("repository") + "@" + text("digest"))
        default:
            break
        }
    }

    private mutating func compareBuild(_ entry: LogEntry, store: any LedgerStore) throws(LedgerError) {
        guard problem == nil else { return }
        if pendingBuilds.isEmpty {
            pendingBuilds = try store.buildEvents(afterID: lastBuildID, limit: 20_000).reversed()
        }
        guard let row = pendingBuilds.popLast() else {
            problem = (entry.index, "build \(Self.buildID(in: entry)) is recorded in the log but missing from the tables: it was deleted")
            return
        }
        lastBuildID = row.id
        guard entry.data == row.event else {
            let loggedID = Self.buildID(in: entry)
            if row.id != loggedID {
                let what = row.id < loggedID ? "build \(row.id) is in the tables but no log entry records it: it was inserted directly"
                    : "build \(loggedID) is recorded in the log but missing from the tables: it was deleted"
                problem = (entry.index, what)
            } else {
                problem = (entry.index, "build \(row.id) was edited in the tables: "
                    + Self.firstDifferentField(logged: entry.data, table: row.event) + " no longer matches the log")
            }
            return
        }
    }

    /// A logged event's members; events are canonical JSON objects.
    static func object(_ bytes: [UInt8]) -> [String: JSONValue]? {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)))?.objectValue
    }

    static func buildID(in entry: LogEntry) -> Int64 {
        if case let .integer(id)? = object(entry.data)?["id"] { return id }
        return -1
    }

    static func firstDifferentField(logged: [UInt8], table: [UInt8]) -> String {
        guard let a = object(logged), let b = object(table) else { return "a field" }
        return a.keys.sorted().first { key in a[key] != b[key] } ?? "a field"
    }

    /// Verifications are derived from logged facts: every (signature, key) pair of the log whose signature
    /// verifies with the key over a payload naming its digest, whenever either was recorded. A row added or
    /// removed directly (which would make an image count as signed, or stop counting) shows here.
    private func firstVerificationDifference(in store: any LedgerStore) throws(LedgerError) -> (leaf: Int64?, problem: String)? {
        let loaded = keys.compactMap { keyID, fields in
            (try? PublicKey(encoded: Array((fields["public_key_pem"] ?? "").utf8))).map { (keyID, $0) }
        }
        var expected: Set<String> = []
        for (id, fields) in signatures {
            guard let payload = Data(base64Encoded: fields["payload"] ?? ""), let signature = Data(base64Encoded: fields["signature"] ?? "")
            else { continue }
            for (keyID, key) in loaded
            where ReleaseLedger.verifies(Array(payload), Array(signature), digest: fields["digest"] ?? "", with: key) {
                expected.insert("signature \(id) with key \(keyID)")
            }
        }
        let actual = Set(try store.signatureVerifications().map { "signature \($0.signatureID) with key \($0.keyID)" })
        if let added = actual.subtracting(expected).sorted().first {
            return (nil, "the verification of \(added) is in the tables, but the logged signature and key do not make it: "
                + "it was inserted directly")
        }
        if let removed = expected.subtracting(actual).sorted().first {
            return (nil, "the verification of \(removed) was deleted from the tables")
        }
        return nil
    }

    /// The first row that differs from what the log says, or nil when the tables agree with it.
    func firstDifference(in store: any LedgerStore) throws(LedgerError) -> (leaf: Int64?, problem: String)? {
        if let problem { return problem }
        if let extra = try store.buildEvents(afterID: lastBuildID, limit: 1).first {
            return (nil, "build \(extra.id) is in the tables but no log entry records it: it was inserted directly")
        }
        func differs(_ what: String, _ expected: [String: String]?, _ actual: [String: String]?) -> (leaf: Int64?, problem: String)? {
            guard expected != actual else { return nil }
            guard let expected else { return (nil, "\(what) is in the tables but no log entry records it: it was inserted directly") }
            guard let actual else { return (leafOf[what], "\(what) is recorded in the log but missing from the tables: it was deleted") }
            let field = expected.keys.sorted().first { expected[$0] != actual[$0] } ?? "?"
            return (leafOf[what], "\(what) was edited in the tables: \(field) is \(actual[field].map { "\"\($0)\"" } ?? "missing"), "
                + "the log recorded \(expected[field].map { "\"\($0)\"" } ?? "nothing")")
        }
        var actualDeploys: [Int64: [String: String]] = [:]
        for deploy in try store.allDeploys() {
            actualDeploys[deploy.id] = ["environment": deploy.environment, "service": deploy.service, "repository": deploy.repository,
                                        "digest": deploy.digest, "state": deploy.state.rawValue]
        }
        for id in Set(deploys.keys).union(actualDeploys.keys).sorted() {
            if let found = differs("deploy \(id)", deploys[id], actualDeploys[id]) { return found }
        }
        var actualSignatures: [Int64: [String: String]] = [:]
        for signature in try store.allSignatures() {
            actualSignatures[signature.id] = ["repository": signature.repository, "digest": signature.digest,
                                              "payload": Data(signature.payload).base64EncodedString(),
                                              "signature": Data(signature.signature).base64EncodedString()]
        }
        for id in Set(signatures.keys).union(actualSignatures.keys).sorted() {
            if let found = differs("signature \(id)", signatures[id], actualSignatures[id]) { return found }
        }
        var actualKeys: [String: [String: String]] = [:]
        for key in try store.keys() {
            actualKeys[key.keyID] = ["public_key_pem": key.publicKeyPEM, "revoked": String(key.isRevoked)]
        }
        for id in Set(keys.keys).union(actualKeys.keys).sorted() {
            if let found = differs("key \(id)", keys[id], actualKeys[id]) { return found }
        }
        if let found = try firstVerificationDifference(in: store) { return found }
        let actualBad = Set(try store.badImages())
        if let removed = badImages.subtracting(actualBad).sorted().first {
            return (nil, "the bad mark of \(removed) was deleted from the tables")
        }
        if let added = actualBad.subtracting(badImages).sorted().first {
            return (nil, "\(added) is marked bad in the tables but no log entry records it")
        }
        return nil
    }
}
