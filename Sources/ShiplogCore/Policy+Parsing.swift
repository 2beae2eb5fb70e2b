extension Policy {
    /// Reads a policy document, refusing anything it would not enforce as written: an unknown rule or field, a
    /// bad count, duration, glob or match path, each named by its field.
    package init(parsing document: JSONValue, source: String) throws(InvalidInput) {
        func bad(_ field: String, _ value: String? = nil, _ reason: String) -> InvalidInput {
            InvalidInput(source: source, field: field.isEmpty ? nil : field, value: value, reason: reason)
        }
        func object(_ value: JSONValue, _ field: String, allowed: Set<String>) throws(InvalidInput) -> [String: JSONValue] {
            guard case let .object(members) = value else { throw bad(field, value.shortText, "expected an object, found \(value.typeName)") }
            if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
                let place = field.isEmpty ? unknown : "\(field).\(unknown)"
                throw bad(place, nil, "unknown \(field.isEmpty ? "rule" : "field"); expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            return members
        }
        func strings(_ value: JSONValue, _ field: String) throws(InvalidInput) -> [String] {
            guard case let .array(items) = value else { throw bad(field, value.shortText, "expected an array of strings") }
            var found: [String] = []
            for (index, item) in items.enumerated() {
                guard case let .string(text) = item, !text.isEmpty else {
                    throw bad("\(field)[\(index)]", item.shortText, "expected a non-empty string")
                }
                guard !found.contains(text) else { throw bad("\(field)[\(index)]", text, "listed twice") }
                found.append(text)
            }
            return found
        }
        let root = try object(document, "", allowed: Set(PolicyRule.allCases.map(\.rawValue) + ["mode"]))
        self.init()
        if let mode = root["mode"] {
            guard let text = mode.stringValue, let parsed = Mode(rawValue: text) else {
                throw bad("mode", mode.shortText, "expected enforce or audit")
            }
            self.mode = parsed
        }
        if let value = root["repositories"] {
            let patterns = try strings(value, "repositories")
            guard !patterns.isEmpty else { throw bad("repositories", nil, "an empty list would refuse every image; leave the rule out to allow any") }
            for (index, pattern) in patterns.enumerated() {
                if let reason = Self.neverMatches(pattern) { throw bad("repositories[\(index)]", pattern, reason) }
            }
            repositories = patterns.map(Glob.init)
        }
        if let value = root["signatures"] {
            let rule = try object(value, "signatures", allowed: ["min", "keys"])
            let keys = try rule["keys"].map { value throws(InvalidInput) in try strings(value, "signatures.keys") } ?? []
            var min = 1
            if let given = rule["min"] {
                guard case let .integer(count) = given else { throw bad("signatures.min", given.shortText, "expected a whole number") }
                guard count >= 1 else { throw bad("signatures.min", String(count), "at least one signature; leave the rule out to require none") }
                guard keys.isEmpty || count <= Int64(keys.count) else {
                    throw bad("signatures.min", String(count), "more signatures than the \(keys.count) keys listed could ever give")
                }
                guard count <= 100 else { throw bad("signatures.min", String(count), "at most 100") }
                min = Int(count)
            }
            signatures = SignatureRule(min: min, keys: keys)
        }
        if let value = root["attestations"] {
            guard case let .array(items) = value, !items.isEmpty else {
                throw bad("attestations", value.shortText, "expected a non-empty array of attestation rules")
            }
            for (index, item) in items.enumerated() {
                let field = "attestations[\(index)]"
                let rule = try object(item, field, allowed: ["type", "keys", "match"])
                guard let typeText = rule["type"]?.stringValue else { throw bad("\(field).type", rule["type"]?.shortText, "required: a predicate type") }
                let type: String
                do { type = try PredicateType.resolve(typeText) } catch { throw error.at("\(field).type", in: source) }
                let keys = try rule["keys"].map { value throws(InvalidInput) in try strings(value, "\(field).keys") } ?? []
                var matches: [PredicateMatch] = []
                if let given = rule["match"], given.objectValue == nil {
                    throw bad("\(field).match", given.shortText, "expected an object of predicate paths and values")
                }
                if case let .object(conditions)? = rule["match"] {
                    for path in conditions.keys.sorted() {
                        let place = "\(field).match.\(path)"
                        let match: PredicateMatch
                        do { match = try PredicateMatch(path: path, expected: conditions[path] ?? .null) } catch { throw error.at(place, in: source) }
                        if let reason = PredicateMatch.checkShape(match.segments, predicateType: type) { throw bad(place, nil, reason) }
                        matches.append(match)
                    }
                }
                attestations.append(AttestationRule(type: type, keys: keys, match: matches))
            }
        }
        if let value = root["checks"] {
            checks = try strings(value, "checks")
            // As `deploy check --name` records names: a name no check could be recorded under would never pass.
            for (index, name) in checks.enumerated() {
                do { try InputLimits.check(name, .name, atMost: InputLimits.checkName) } catch { throw error.at("checks[\(index)]", in: source) }
            }
        }
        if let value = root["soak"] {
            let rule = try object(value, "soak", allowed: ["environment", "duration"])
            guard let environment = rule["environment"]?.stringValue, !environment.isEmpty else {
                throw bad("soak.environment", rule["environment"]?.shortText, "required: the environment the digest soaks in")
            }
            guard let text = rule["duration"]?.stringValue else {
                throw bad("soak.duration", rule["duration"]?.shortText, "required: how long, as 1h or 30m")
            }
            do { soak = Soak(environment: environment, duration: try PolicyDuration(parsing: text)) } catch {
                throw error.at("soak.duration", in: source)
            }
        }
    }

    /// Why a repository glob can never match a repository name, or nil. Paths are lowercase letters, digits and
    /// `._-/`; only the registry host before the first `/` may hold capitals and a numeric `:port`. So a space,
    /// an `@`, a capital in the path or a `:tag` rules every image out.
    static func neverMatches(_ pattern: String) -> String? {
        let wildcards: Set<Character> = ["*", "?"]
        if let bad = pattern.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "._-/:[]*?".contains($0))) }) {
            return "no repository name contains \(CanonicalJSON.string(String(bad))), so this never matches"
        }
        if pattern.count(where: { $0 != "*" }) > 255 {
            return "a repository name has at most 255 characters, so this never matches"
        }
        if pattern.hasPrefix("/") || pattern.hasSuffix("/") || pattern.contains("//") {
            return "a repository name never starts or ends with / nor holds //, so this never matches"
        }
        let host = pattern.prefix { $0 != "/" }
        let path = pattern.dropFirst(host.count)
        if path.contains(":") {
            return "a repository is matched without a tag (REPO:TAG names an image), so this never matches"
        }
        if path.contains(where: \.isUppercase) {
            return "repository paths are lowercase, so this never matches"
        }
        if let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].contains(where: { !$0.isNumber && !wildcards.contains($0) && $0 != "]" }) {
            return "a registry's :port is digits, so this never matches"
        }
        return nil
    }
}
