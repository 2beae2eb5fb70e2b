import Foundation
import ShiplogCore
import ShiplogCrypto

/// Replays the log's events into what the tables should hold now, and compares: an edit made to a
/// table row directly in the SQLite file (not through shiplog, so without a log entry) shows here.
struct TableAudit {
    /// Build rows regenerated as events, consumed in id order as the log's build entries come by.
    private var pendingBuilds: [(id: Int64, event: [UInt8], moved: TagPointer?)] = []
    private var lastBuildID: Int64 = 0
    /// The first disagreement found while replaying (the leaf, and what is wrong).
    private(set) var problem: (leaf: Int64?, problem: String)?
    /// What the log says each table holds: per kind of row, each row by what names it ("deploy 3"), its fields.
    private var expected: [RowKind: [String: [String: String]]] = [:]
    /// Where each tag points, by the log: kept apart, as plain values, since a ledger of a million builds has
    /// about as many tags and this is the audit's hot path.
    private var tags: [TagKey: (digest: String, since: String, leaf: Int64)] = [:]
    /// The intervals the log's moves and deletes closed, in order, each with the leaf that closed it.
    private var closedIntervals: [(interval: ClosedTagInterval, leaf: Int64)] = []
    struct TagKey: Hashable, Comparable {
        var repository: String
        var tag: String
        static func < (a: TagKey, b: TagKey) -> Bool { (a.repository, a.tag) < (b.repository, b.tag) }
    }
    /// Ordinals of the rows the log lists without an id of their own (checks, switches, refusals).
    private var counts: [RowKind: Int] = [:]
    /// The leaf that last described each row, for the report.
    private var leafOf: [String: Int64] = [:]

    /// The kinds of row compared, in the order differences are looked for; each is a table or a derived view of one.
    enum RowKind: String, CaseIterable {
        case deploy, signature, attestation, manifestDeletion = "manifest deletion", key, badMark = "bad mark", check, environment, trafficSwitch = "traffic switch"
        case refusal = "refused deploy", live = "live deploy", policy
    }

    /// `expectedEntries`: the log's size, to size the tag map once (most entries of a large log are builds).
    init(expectedEntries: Int = 0) { tags.reserveCapacity(expectedEntries) }

    private mutating func set(_ kind: RowKind, _ name: String, _ fields: [String: String], leaf: Int64) {
        expected[kind, default: [:]][name] = fields
        leafOf["\(kind.rawValue) \(name)"] = leaf
    }

    private mutating func next(_ kind: RowKind) -> String {
        counts[kind, default: 0] += 1
        return String(counts[kind, default: 0])
    }

    /// Reads one entry's event (canonical JSON) into the expected state. Builds, the bulk of a ledger, are
    /// compared byte for byte with their rows as they come (their ids rise in log order); the rest is parsed.
    mutating func replay(_ entry: LogEntry, store: any LedgerReading) throws(LedgerError) {
        if entry.kind == LedgerEvent.Kind.build.rawValue {
            try compareBuild(entry, store: store)
            return
        }
        guard let object = Self.object(entry.data) else { return }
        func text(_ key: String) -> String {
            switch object[key] {
            case let .string(value)?: value
            case let .integer(value)?: String(value)
            case let .bool(value)?: String(value)
            case let .object(members)?: CanonicalJSON.object(members.compactMapValues(\.stringValue))
            default: ""
            }
        }
        func fields(_ names: [String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: names.map { ($0, text($0)) })
        }
        let id = Int64(text(entry.kind == LedgerEvent.Kind.deployStarted.rawValue || entry.kind == LedgerEvent.Kind.deployFinished.rawValue
            ? "deploy_id" : "id")) ?? -1
        switch LedgerEvent.Kind(rawValue: entry.kind) {
        case .deployStarted?:
            var deploy = fields(["environment", "slot", "service", "repository", "tag", "digest", "state", "actor", "started_at",
                                 "policy_version", "policy_violations", "written_by"])
            deploy["finished_at"] = ""
            set(.deploy, String(id), deploy, leaf: entry.index)
            // The live pointer of (environment, slot, service) is its newest started deploy.
            let place = "\(text("environment"))/\(text("slot"))/\(text("service"))"
            if Int64(expected[.live]?[place]?["deploy_id"] ?? "") ?? 0 < id { set(.live, place, ["deploy_id": String(id)], leaf: entry.index) }
        case .deployFinished?:
            expected[.deploy]?[String(id)]?["state"] = text("state")
            expected[.deploy]?[String(id)]?["finished_at"] = text("finished_at")
            leafOf["deploy \(id)"] = entry.index
        case .signature?:
            set(.signature, String(id), fields(["repository", "digest", "payload", "signature"]), leaf: entry.index)
        case .attestation?:
            set(.attestation, String(id), fields(["repository", "digest", "predicate_type", "statement", "envelope", "source"]), leaf: entry.index)
        case .manifestDeleted?:
            set(.manifestDeletion, String(id), fields(["repository", "digest", "reason", "deleted_at"]), leaf: entry.index)
        case .keyAdded?:
            set(.key, text("key_id"), ["public_key_pem": text("public_key_pem"), "name": text("name"), "revoked": "false"], leaf: entry.index)
        case .keyRevoked?:
            expected[.key]?[text("key_id")]?["revoked"] = "true"
            leafOf["key \(text("key_id"))"] = entry.index
        case .imageMarkedBad?:
            set(.badMark, text("repository") + "@" + text("digest"), ["reason": text("reason"), "marked_at": text("marked_at")], leaf: entry.index)
        case .deployCheck?:
            set(.check, next(.check), fields(["deploy_id", "name", "status", "detail", "checked_at"]), leaf: entry.index)
        case .environment?:
            set(.environment, text("name"), fields(["slots", "active_slot", "require_signature"]), leaf: entry.index)
        case .trafficSwitch?:
            set(.trafficSwitch, next(.trafficSwitch), fields(["environment", "from", "to", "actor", "switched_at"]), leaf: entry.index)
            expected[.environment]?[text("environment")]?["active_slot"] = text("to")
        case .deployRefused?:
            set(.refusal, next(.refusal), fields(["environment", "slot", "service", "repository", "tag", "digest", "reason", "actor", "refused_at",
                                                  "policy_version", "violations"]),
                leaf: entry.index)
        case .policySet?:
            set(.policy, "\(text("environment")) v\(text("version"))", fields(["policy", "actor", "set_at"]), leaf: entry.index)
        case .tag?:
            move(TagKey(repository: text("repository"), tag: text("tag")), to: text("digest"), at: text("since"), leaf: entry.index)
        case .tagRemoved?:
            let key = TagKey(repository: text("repository"), tag: text("tag"))
            if let old = tags.removeValue(forKey: key) {
                closedIntervals.append(((key.repository, key.tag, old.digest, old.since, max(old.since, text("removed_at"))), entry.index))
            }
        case .build?, nil:
            break
        }
    }

    /// A tag move as the store makes it: a move never starts before the interval it closes, and the
    /// interval closed goes to the history (the schema's trigger).
    private mutating func move(_ key: TagKey, to digest: String, at time: String, leaf: Int64) {
        guard let old = tags[key] else {
            tags[key] = (digest, time, leaf)
            return
        }
        guard old.digest != digest else { return }
        let since = max(time, old.since)
        closedIntervals.append(((key.repository, key.tag, old.digest, old.since, since), leaf))
        tags[key] = (digest, since, leaf)
    }

    private mutating func compareBuild(_ entry: LogEntry, store: any LedgerReading) throws(LedgerError) {
        guard problem == nil else { return }
        if pendingBuilds.isEmpty {
            pendingBuilds = try store.buildEvents(afterID: lastBuildID, limit: 20_000).reversed()
        }
        guard let row = pendingBuilds.popLast() else {
            problem = (entry.index, "build \(Self.buildID(in: entry)) is recorded in the log but missing from the tables: it was deleted")
            return
        }
        lastBuildID = row.id
        if let moved = row.moved { move(TagKey(repository: moved.repository, tag: moved.tag), to: moved.digest, at: moved.since, leaf: entry.index) }
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
    private func firstVerificationDifference(in store: any LedgerReading) throws(LedgerError) -> (leaf: Int64?, problem: String)? {
        let loaded = (expected[.key] ?? [:]).compactMap { keyID, fields in
            (try? PublicKey(encoded: Array((fields["public_key_pem"] ?? "").utf8))).map { (keyID, $0) }
        }
        var made: Set<String> = []
        for (id, fields) in expected[.signature] ?? [:] {
            guard let payload = Data(base64Encoded: fields["payload"] ?? ""), let signature = Data(base64Encoded: fields["signature"] ?? "")
            else { continue }
            for (keyID, key) in loaded
            where ReleaseLedger.verifies(Array(payload), Array(signature), digest: fields["digest"] ?? "", with: key) {
                made.insert("signature \(id) with key \(keyID)")
            }
        }
        let actual = Set(try store.signatureVerifications().map { "signature \($0.signatureID) with key \($0.keyID)" })
        if let added = actual.subtracting(made).sorted().first {
            return (nil, "the verification of \(added) is in the tables, but the logged signature and key do not make it: "
                + "it was inserted directly")
        }
        if let removed = made.subtracting(actual).sorted().first {
            return (nil, "the verification of \(removed) was deleted from the tables")
        }
        return nil
    }

    /// What the tables hold now, in the shape `expected` has.
    private static func actualRows(in store: any LedgerReading) throws(LedgerError) -> [RowKind: [String: [String: String]]] {
        var rows: [RowKind: [String: [String: String]]] = [:]
        for deploy in try store.allDeploys() {
            rows[.deploy, default: [:]][String(deploy.id)] = [
                "environment": deploy.environment, "slot": deploy.slot ?? "", "service": deploy.service, "repository": deploy.repository,
                "tag": deploy.tag ?? "", "digest": deploy.digest, "state": deploy.state.rawValue, "actor": deploy.actor ?? "",
                "started_at": deploy.startedAt?.description ?? "", "finished_at": deploy.finishedAt?.description ?? "",
                "policy_version": deploy.policyVersion.map(String.init) ?? "",
                "policy_violations": deploy.policyVersion == nil ? "" : PolicyViolation.json(deploy.policyViolations),
                "written_by": deploy.writtenBy?.canonicalJSON ?? "",
            ]
        }
        for signature in try store.allSignatures() {
            rows[.signature, default: [:]][String(signature.id)] = [
                "repository": signature.repository, "digest": signature.digest,
                "payload": Data(signature.payload).base64EncodedString(), "signature": Data(signature.signature).base64EncodedString(),
            ]
        }
        for stored in try store.allAttestations() {
            let attestation = stored.attestation
            rows[.attestation, default: [:]][String(stored.id)] = [
                "repository": attestation.repository.name, "digest": attestation.digest.description,
                "predicate_type": attestation.predicateType, "statement": Data(attestation.statement).base64EncodedString(),
                "envelope": attestation.envelope.map { Data($0).base64EncodedString() } ?? "", "source": attestation.source,
            ]
        }
        for (index, deletion) in try store.manifestDeletions().enumerated() {
            rows[.manifestDeletion, default: [:]][String(index + 1)] = [
                "repository": deletion.repository.name, "digest": deletion.digest.description, "reason": deletion.reason,
                "deleted_at": deletion.deletedAt?.description ?? "",
            ]
        }
        for key in try store.keys() {
            rows[.key, default: [:]][key.keyID] = ["public_key_pem": key.publicKeyPEM, "name": key.name, "revoked": String(key.isRevoked)]
        }
        for (image, reason, markedAt) in try store.badImages() { rows[.badMark, default: [:]][image] = ["reason": reason, "marked_at": markedAt] }
        for (index, check) in try store.allChecks().enumerated() {
            rows[.check, default: [:]][String(index + 1)] = ["deploy_id": String(check.deployID), "name": check.name,
                                                              "status": check.status.rawValue, "detail": check.detail ?? "",
                                                              "checked_at": check.checkedAt.description]
        }
        for environment in try store.environments() {
            rows[.environment, default: [:]][environment.name] = [
                "slots": environment.slots.joined(separator: ","), "active_slot": environment.activeSlot ?? "",
                "require_signature": String(environment.requireSignature),
            ]
        }
        for (index, change) in try store.allSwitches().enumerated() {
            rows[.trafficSwitch, default: [:]][String(index + 1)] = ["environment": change.environment, "from": change.fromSlot,
                                                                     "to": change.toSlot, "actor": change.actor ?? "",
                                                                     "switched_at": change.switchedAt.description]
        }
        for (index, (deploy, reason, refusedAt, policy)) in try store.allRefusals().enumerated() {
            rows[.refusal, default: [:]][String(index + 1)] = [
                "environment": deploy.environment, "slot": deploy.slot ?? "", "service": deploy.service,
                "repository": deploy.repository.name, "tag": deploy.tag ?? "", "digest": deploy.digest.description, "reason": reason,
                "actor": deploy.actor ?? "", "refused_at": refusedAt, "policy_version": policy.map { String($0.version) } ?? "",
                "violations": policy.map { PolicyViolation.json($0.violations) } ?? "",
            ]
        }
        for (policy, document) in try store.allPolicies() {
            rows[.policy, default: [:]]["\(policy.environment) v\(policy.version)"] = [
                "policy": document, "actor": policy.actor ?? "", "set_at": policy.setAt.description,
            ]
        }
        for pointer in try store.livePointers() {
            rows[.live, default: [:]]["\(pointer.environment)/\(pointer.slot ?? "")/\(pointer.service)"] = ["deploy_id": String(pointer.deployID)]
        }
        return rows
    }

    /// Numbered rows in number order ("check 9" before "check 10"), named rows by name.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        if let x = Int64(a), let y = Int64(b) { return x < y }
        return a < b
    }

    /// The first row that differs from what the log says, or nil when the tables agree with it.
    func firstDifference(in store: any LedgerReading) throws(LedgerError) -> (leaf: Int64?, problem: String)? {
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
        let actual = try Self.actualRows(in: store)
        for kind in RowKind.allCases {
            let logged = expected[kind] ?? [:]
            let stored = actual[kind] ?? [:]
            for name in Set(logged.keys).union(stored.keys).sorted(by: Self.naturalOrder) {
                if let found = differs("\(kind.rawValue) \(name)", logged[name], stored[name]) { return found }
            }
            if kind == .key, let found = try firstVerificationDifference(in: store) { return found }
        }
        if let found = try firstTagDifference(in: store) { return found }
        return try firstHistoryDifference(in: store)
    }

    /// The closed intervals of tag history, one for one with the moves and deletes the log records.
    private func firstHistoryDifference(in store: any LedgerReading) throws(LedgerError) -> (leaf: Int64?, problem: String)? {
        let stored = try store.closedTagIntervals()
        func describe(_ interval: ClosedTagInterval) -> String {
            "\(interval.repository):\(interval.tag) → \(interval.digest) from \(interval.validFrom) to \(interval.validTo)"
        }
        for (position, logged) in closedIntervals.enumerated() {
            guard position < stored.count else {
                return (logged.leaf, "tag history interval \(position + 1) (\(describe(logged.interval))) is recorded in the log "
                    + "but missing from the tables: it was deleted")
            }
            let row = stored[position]
            if row != logged.interval {
                return (logged.leaf, "tag history interval \(position + 1) was edited in the tables: it says \(describe(row)), "
                    + "the log recorded \(describe(logged.interval))")
            }
        }
        if stored.count > closedIntervals.count {
            return (nil, "tag history interval \(closedIntervals.count + 1) (\(describe(stored[closedIntervals.count]))) is in the tables "
                + "but no log entry records it: it was inserted directly")
        }
        return nil
    }

    /// Where each tag points now against the log's builds, pushes and deletes; sorted only to name a difference.
    private func firstTagDifference(in store: any LedgerReading) throws(LedgerError) -> (leaf: Int64?, problem: String)? {
        let pointers = try store.currentTags()
        // The common case, the tables agreeing, in one pass with no second map; the map below only names a difference.
        var agreeing = 0
        for pointer in pointers {
            guard let logged = tags[TagKey(repository: pointer.repository, tag: pointer.tag)],
                  logged.digest == pointer.digest, logged.since == pointer.since else { break }
            agreeing += 1
        }
        if agreeing == pointers.count, agreeing == tags.count { return nil }
        var stored: [TagKey: (digest: String, since: String)] = [:]
        stored.reserveCapacity(pointers.count)
        for pointer in pointers { stored[TagKey(repository: pointer.repository, tag: pointer.tag)] = (pointer.digest, pointer.since) }
        let wrong = tags.keys.filter { key in stored[key].map { $0 != (tags[key]!.digest, tags[key]!.since) } ?? true }
            + stored.keys.filter { tags[$0] == nil }
        guard let first = wrong.min() else { return nil }
        let name = "tag \(first.repository):\(first.tag)"
        guard let logged = tags[first] else { return (nil, "\(name) is in the tables but no log entry records it: it was inserted directly") }
        guard let now = stored[first] else { return (logged.leaf, "\(name) is recorded in the log but missing from the tables: it was deleted") }
        if now.digest != logged.digest {
            return (logged.leaf, "\(name) was edited in the tables: digest is \"\(now.digest)\", the log recorded \"\(logged.digest)\"")
        }
        return (logged.leaf, "\(name) was edited in the tables: since is \"\(now.since)\", the log recorded \"\(logged.since)\"")
    }
}
