import ShiplogCore

// The JSON bodies of the /v1 write routes (schemas/openapi.yaml describes each), defined once: the server
// decodes them and the CLI's remote mode encodes them. Field types that carry a domain rule (Repository,
// Digest, ImageReference) validate while decoding, so a bad value is a 400 naming its field. Absent
// optionals are left out. Multi-word keys are named for decoding, which has no key strategy (ContractJSON).

/// `POST /v1/images/{digest}/bad`.
package struct MarkBadBody: Codable, Sendable {
    package var repository: Repository
    package var reason: String

    package init(repository: Repository, reason: String) {
        self.repository = repository
        self.reason = reason
    }
}

/// `POST /v1/keys`.
package struct KeyBody: Codable, Sendable {
    package var name: String
    /// PEM text, or base64 of DER bytes.
    package var publicKey: String

    package init(name: String, publicKey: String) {
        self.name = name
        self.publicKey = publicKey
    }

    enum CodingKeys: String, CodingKey { case name, publicKey = "public_key" }
}

/// `POST /v1/keys/{key_id}/revoke`.
package struct RevokeBody: Codable, Sendable {
    package var reason: String?

    package init(reason: String?) { self.reason = reason }
}

/// `POST /v1/images/{digest}/signatures`.
/// A listing as the API carries it: per repository, its manifests.
package struct RetentionListingBody: Codable, Sendable {
    package struct Manifest: Codable, Sendable {
        package var digest: Digest
        package var tags: [String]
        package var pushedAt: Timestamp?
        package var children: [Digest]?

        enum CodingKeys: String, CodingKey { case digest, tags, pushedAt = "pushed_at", children }
    }

    package var source: String
    package var repositories: [String: [Manifest]]

    package init(_ listing: RetentionListing) {
        source = listing.source
        repositories = listing.manifests.mapValues { manifests in
            manifests.map { Manifest(digest: Digest(validated: $0.digest), tags: $0.tags, pushedAt: $0.pushedAt,
                                     children: $0.children.map(Digest.init(validated:))) }
        }
    }

    package var listing: RetentionListing {
        RetentionListing(source: source, manifests: repositories.mapValues { manifests in
            manifests.map { RetainedManifest(digest: $0.digest.description, tags: $0.tags, pushedAt: $0.pushedAt,
                                             children: ($0.children ?? []).map(\.description)) }
        })
    }
}

/// `POST /v1/gc/plan`.
package struct RetentionPlanBody: Codable, Sendable {
    package var rules: RetentionRules
    package var listing: RetentionListingBody?

    package init(rules: RetentionRules, listing: RetentionListingBody?) {
        self.rules = rules
        self.listing = listing
    }
}

/// `POST /v1/gc/apply`.
package struct RetentionApplyBody: Codable, Sendable {
    package var plan: RetentionPlan
    package var listing: RetentionListingBody?
    package var dryRun: Bool?

    enum CodingKeys: String, CodingKey { case plan, listing, dryRun = "dry_run" }

    package init(plan: RetentionPlan, listing: RetentionListingBody?, dryRun: Bool) {
        self.plan = plan
        self.listing = listing
        self.dryRun = dryRun
    }
}

/// `POST /v1/images/{digest}/signatures/fetched`: the signatures a registry holds for the image, recorded together.
package struct SignatureBatchBody: Codable, Sendable {
    package var signatures: [SignatureBody]

    package init(signatures: [SignatureBody]) { self.signatures = signatures }
}

package struct SignatureBody: Codable, Sendable {
    package enum Origin: String, Codable, Sendable {
        case sign, `import`
    }

    package var repository: Repository
    /// Base64 of the exact payload bytes that were signed.
    package var payload: String
    /// Base64 of the signature bytes.
    package var signature: String
    package var publicKey: String?
    package var source: Origin?

    package init(repository: Repository, payload: String, signature: String, publicKey: String?, source: Origin?) {
        self.repository = repository
        self.payload = payload
        self.signature = signature
        self.publicKey = publicKey
        self.source = source
    }

    enum CodingKeys: String, CodingKey { case repository, payload, signature, source, publicKey = "public_key" }
}

/// `POST /v1/environments`.
package struct EnvironmentBody: Codable, Sendable {
    package var name: String
    package var slots: [String]?
    package var requireSignature: Bool?

    package init(name: String, slots: [String]?, requireSignature: Bool?) {
        self.name = name
        self.slots = slots
        self.requireSignature = requireSignature
    }

    enum CodingKeys: String, CodingKey { case name, slots, requireSignature = "require_signature" }
}

/// `POST /v1/environments/{env}/switch`.
package struct SwitchBody: Codable, Sendable {
    package var slot: String
    package var actor: String?

    package init(slot: String, actor: String?) {
        self.slot = slot
        self.actor = actor
    }
}

/// `POST /v1/deploys/{id}/checks`.
package struct CheckBody: Codable, Sendable {
    package var name: String
    package var status: CheckStatus
    package var detail: String?

    package init(name: String, status: CheckStatus, detail: String?) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// `POST /v1/deploys/{id}/finish`.
package struct FinishBody: Codable, Sendable {
    package var status: DeployState

    package init(status: DeployState) { self.status = status }
}

/// `POST /v1/tokens`.
/// `POST /v1/oidc/rules`: a trust rule as `oidc trust` gives it.
package struct TrustRuleBody: Codable, Sendable {
    package var repository: String
    package var repositoryID: String?
    package var ref: String?
    package var environment: String?
    package var workflow: String?
    package var scopes: [Scope]

    enum CodingKeys: String, CodingKey {
        case repository, ref, environment, workflow, scopes
        case repositoryID = "repository_id"
    }

    package init(_ rule: NewTrustRule) {
        (repository, repositoryID, ref, environment, workflow) = (rule.repository, rule.repositoryID, rule.ref, rule.environment, rule.workflow)
        scopes = rule.scopes.sorted()
    }

    package func rule() throws(InvalidInput) -> NewTrustRule {
        try NewTrustRule(repository: repository, repositoryID: repositoryID, ref: ref, environment: environment, workflow: workflow,
                         scopes: Set(scopes))
    }
}

/// `oidc list`.
package struct TrustRuleList: Sendable, Encodable {
    package var rules: [TrustRule]
}

package struct TokenBody: Codable, Sendable {
    package var name: String
    package var scopes: [Scope]

    package init(name: String, scopes: [Scope]) {
        self.name = name
        self.scopes = scopes
    }
}

/// `POST /v1/environments/{env}/policy/check`: the image to judge, by digest or by tag.
package struct PolicyCheckBody: Codable, Sendable {
    package var image: ImageReference

    package init(image: ImageReference) { self.image = image }
}
