import Foundation

/// What `gc plan` keeps by rule (docs/gc.md): the newest N pushed, anything pushed within D days, the newest K good
/// deploys of every (environment, service), tags matching a glob; live, LKG and in-progress images always.
package struct RetentionRules: Sendable, Hashable, Codable {
    /// A glob over full repository names; `*` is every repository.
    package var repository: String
    package var keepLast: Int
    package var keepDays: Int
    package var keepGood: Int
    package var keepTags: [String]

    enum CodingKeys: String, CodingKey {
        case repository
        case keepLast = "keep_last", keepDays = "keep_days", keepGood = "keep_good", keepTags = "keep_tags"
    }

    package init(repository: String = "*", keepLast: Int = 10, keepDays: Int = 14, keepGood: Int = 3, keepTags: [String] = []) {
        self.repository = repository
        self.keepLast = keepLast
        self.keepDays = keepDays
        self.keepGood = keepGood
        self.keepTags = keepTags
    }

    package func check() throws(InvalidInput) {
        for (field, value, most) in [("keep_last", keepLast, 100_000), ("keep_days", keepDays, 36_500), ("keep_good", keepGood, 1_000)] {
            guard (0 ... most).contains(value) else {
                throw InvalidInput(field: field, value: String(value), reason: "expected a whole number from 0 to \(most)")
            }
        }
        for glob in keepTags where glob.isEmpty || glob.utf8.count > 128 {
            throw InvalidInput(field: "keep_tags", value: glob, reason: "a tag glob has 1 to 128 characters")
        }
    }
}

/// One manifest of a repository as the plan's source knows it.
package struct RetainedManifest: Sendable, Hashable {
    package var digest: String
    package var tags: [String]
    /// When it was pushed: the ledger's record of its tag, else what the registry says (`created`, `updated_at`).
    package var pushedAt: Timestamp?
    /// An index's child manifests: kept or deleted with it.
    package var children: [String]

    package init(digest: String, tags: [String], pushedAt: Timestamp?, children: [String] = []) {
        self.digest = digest
        self.tags = tags
        self.pushedAt = pushedAt
        self.children = children
    }
}

/// `gc plan`'s answer: per repository, what to keep (with every reason) and what to delete (with why it may go).
package struct RetentionPlan: Sendable, Hashable, Codable {
    package struct Kept: Sendable, Hashable, Codable {
        package var digest: String
        package var tags: [String]
        package var pushedAt: Timestamp?
        package var reasons: [String]

        enum CodingKeys: String, CodingKey { case digest, tags, pushedAt = "pushed_at", reasons }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(digest, forKey: .digest)
            try container.encode(tags, forKey: .tags)
            try container.encode(pushedAt, forKey: .pushedAt)  // null, never left out
            try container.encode(reasons, forKey: .reasons)
        }
    }

    package struct Deleted: Sendable, Hashable, Codable {
        package var digest: String
        package var tags: [String]
        package var pushedAt: Timestamp?
        package var reason: String

        enum CodingKeys: String, CodingKey { case digest, tags, pushedAt = "pushed_at", reason }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(digest, forKey: .digest)
            try container.encode(tags, forKey: .tags)
            try container.encode(pushedAt, forKey: .pushedAt)
            try container.encode(reason, forKey: .reason)
        }
    }

    /// The manifests the plan lists (kept and deleted), as a source would list them again.
    package var manifests: [String: [RetainedManifest]] {
        // A plan edited by hand may list a repository twice: its entries are merged, never a crash.
        Dictionary(repositories.map { plan in
            (plan.repository, plan.keep.map { RetainedManifest(digest: $0.digest, tags: $0.tags, pushedAt: $0.pushedAt) }
                + plan.delete.map { RetainedManifest(digest: $0.digest, tags: $0.tags, pushedAt: $0.pushedAt) })
        }, uniquingKeysWith: +)
    }

    package struct Repository: Sendable, Hashable, Codable {
        package var repository: String
        package var keep: [Kept]
        package var delete: [Deleted]
    }

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", source, rules, repositories, kept, deleted
    }

    package var generatedAt: Timestamp
    /// `ledger`, `registry` or `digitalocean`: where the manifests were listed from (apply lists them again there).
    package var source: String
    package var rules: RetentionRules
    package var repositories: [Repository]
    package var kept: Int
    package var deleted: Int
}

/// Turns manifests and the ledger's protections into a plan. Pure: the same input gives the same plan.
package enum RetentionPlanner {
    /// `sha256-<64 hex>.sig` / `.att`: cosign's artifact tags, naming the image they belong to.
    package static func cosignArtifact(_ tag: String) -> (kind: String, digest: String)? {
        guard tag.hasPrefix("sha256-"), tag.utf8.count == 7 + 64 + 4 else { return nil }
        let hex = String(tag.dropFirst(7).prefix(64))
        guard hex.utf8.allSatisfy(Digest.isLowerHex) else { return nil }
        switch tag.suffix(4) {
        case ".sig": return ("signature-of", "sha256:" + hex)
        case ".att": return ("attestation-of", "sha256:" + hex)
        default: return nil
        }
    }

    /// `protected`: per repository, per digest, the reasons the deploys give (`live:prod`, `lkg:staging`, …).
    package static func plan(
        _ manifests: [String: [RetainedManifest]], protected: [String: [String: [String]]], rules: RetentionRules, source: String,
        now: Timestamp
    ) -> RetentionPlan {
        let recentSince = now.millisecondsSinceEpoch - Int64(rules.keepDays) * 86_400_000
        let globs = rules.keepTags.map(Glob.init)
        let deleteReason = deleteReason(rules)
        var repositories: [RetentionPlan.Repository] = []
        for repository in manifests.keys.sorted() {
            let all = manifests[repository] ?? []
            let guarded = protected[repository] ?? [:]
            // Cosign's artifacts follow their image; every other manifest is judged on its own.
            var artifacts: [(manifest: RetainedManifest, kind: String, of: String)] = []
            var images: [RetainedManifest] = []
            // An index's children follow it (kept or deleted together); they are not ranked on their own.
            var parentOf: [String: String] = [:]
            for manifest in all { for child in manifest.children where child != manifest.digest { parentOf[child] = manifest.digest } }
            var children: [RetainedManifest] = []
            for manifest in all {
                if parentOf[manifest.digest] != nil, manifest.tags.isEmpty {
                    children.append(manifest)
                    continue
                }
                if !manifest.tags.isEmpty, let artifact = manifest.tags.compactMap(cosignArtifact).first,
                   manifest.tags.allSatisfy({ cosignArtifact($0) != nil }) {
                    artifacts.append((manifest, artifact.kind, artifact.digest))
                } else {
                    images.append(manifest)
                }
            }
            // Newest first; unknown push times last; the digest breaks ties so the plan is stable.
            images.sort { a, b in
                switch (a.pushedAt, b.pushedAt) {
                case let (x?, y?) where x != y: x > y
                case (.some, nil): true
                case (nil, .some): false
                default: a.digest < b.digest
                }
            }
            var reasons: [String: [String]] = [:]
            for (rank, image) in images.enumerated() {
                var why = guarded[image.digest] ?? []
                if rank < rules.keepLast { why.append("newest") }
                if let pushed = image.pushedAt, pushed.millisecondsSinceEpoch >= recentSince { why.append("recent") }
                if image.tags.contains(where: { tag in globs.contains { $0.matches(tag) } }) { why.append("keep-tag") }
                reasons[image.digest] = why
            }
            // A child the deploys name keeps its index, and with it every sibling.
            for child in children {
                guard let parent = parentOf[child.digest], let why = guarded[child.digest] else { continue }
                for reason in why where !(reasons[parent] ?? []).contains(reason) { reasons[parent, default: []].append(reason) }
            }
            var plan = RetentionPlan.Repository(repository: repository, keep: [], delete: [])
            for child in children.sorted(by: { $0.digest < $1.digest }) {
                let parent = parentOf[child.digest] ?? ""
                if let why = reasons[parent], !why.isEmpty {
                    plan.keep.append(.init(digest: child.digest, tags: [], pushedAt: child.pushedAt, reasons: why))
                } else if let own = guarded[child.digest] {
                    plan.keep.append(.init(digest: child.digest, tags: [], pushedAt: child.pushedAt, reasons: own))
                } else {
                    plan.delete.append(.init(digest: child.digest, tags: [], pushedAt: child.pushedAt,
                                             reason: "a manifest of the index \(parent), which is deleted"))
                }
            }
            for image in images {
                let why = reasons[image.digest] ?? []
                if why.isEmpty {
                    plan.delete.append(.init(digest: image.digest, tags: image.tags.sorted(), pushedAt: image.pushedAt, reason: deleteReason))
                } else {
                    plan.keep.append(.init(digest: image.digest, tags: image.tags.sorted(), pushedAt: image.pushedAt, reasons: why))
                }
            }
            for (manifest, kind, of) in artifacts.sorted(by: { $0.manifest.digest < $1.manifest.digest }) {
                if let imageReasons = reasons[of], !imageReasons.isEmpty {
                    plan.keep.append(.init(digest: manifest.digest, tags: manifest.tags.sorted(), pushedAt: manifest.pushedAt, reasons: ["\(kind):\(of)"]))
                } else if reasons[of] == nil, guarded[of] != nil {
                    // The image is not listed but the deploys still name it: its signature stays.
                    plan.keep.append(.init(digest: manifest.digest, tags: manifest.tags.sorted(), pushedAt: manifest.pushedAt, reasons: ["\(kind):\(of)"]))
                } else {
                    let what = kind == "signature-of" ? "signatures" : "attestations"
                    let why = reasons[of] == nil ? "\(what) of \(of), which is not in the repository" : "\(what) of \(of), which is deleted"
                    plan.delete.append(.init(digest: manifest.digest, tags: manifest.tags.sorted(), pushedAt: manifest.pushedAt, reason: why))
                }
            }
            repositories.append(plan)
        }
        return RetentionPlan(generatedAt: now, source: source, rules: rules, repositories: repositories,
                             kept: repositories.reduce(0) { $0 + $1.keep.count }, deleted: repositories.reduce(0) { $0 + $1.delete.count })
    }

    static func deleteReason(_ rules: RetentionRules) -> String {
        "not live, not an LKG, not among the newest \(rules.keepGood) good deploys, not in progress; older than the newest "
            + "\(rules.keepLast) and than \(rules.keepDays) days" + (rules.keepTags.isEmpty ? "" : "; no tag matches \(rules.keepTags.joined(separator: ", "))")
    }
}
