import Foundation
import HTTPTypes
import Hummingbird
import ShiplogApp
import ShiplogCore

/// Every /v1 endpoint, as the table the router is built from and the OpenAPI test reads.
enum Routes {
    /// `authenticator` forgets a revoked token at once (it remembers tokens for a few seconds otherwise).
    static func all(_ api: LocalLedger, authenticator: Authenticator? = nil, deleter: (any ManifestDeleter)? = nil,
                    verifications: LastVerification? = nil) -> [Route] {
        builds(api) + images(api) + trust(api) + deploys(api, ResponseCache(store: api.ledger.store)) + log(api, verifications)
            + tokens(api, authenticator) + identityTrust(api, authenticator)
            + retention(api, deleter)
    }

    static func retention(_ api: LocalLedger, _ deleter: (any ManifestDeleter)?) -> [Route] {
        [
            Route(.post, "/v1/gc/plan", .admin) { call in
                let body = try await call.json(RetentionPlanBody.self)
                return try call.answer(try await api.planRetention(rules: body.rules, listing: body.listing?.listing))
            },
            Route(.post, "/v1/gc/apply", .admin) { call in
                let body = try await call.json(RetentionApplyBody.self)
                guard body.dryRun == true || deleter != nil else {
                    throw Problem(.conflict, detail: "this server was not started with --registry-deletes; ask with dry_run, or run gc apply locally")
                }
                return try call.answer(try await api.applyRetention(body.plan, listing: body.listing?.listing,
                                                                    deleter: body.dryRun == true ? nil : deleter))
            },
        ]
    }

    /// `oidc trust|list|revoke` through a server: people manage which CI jobs may write (admin).
    static func identityTrust(_ api: LocalLedger, _ authenticator: Authenticator?) -> [Route] {
        [
            Route(.post, "/v1/oidc/rules", .admin) { call in
                let body = try await call.json(TrustRuleBody.self)
                let rule: NewTrustRule
                do throws(InvalidInput) { rule = try body.rule() } catch { throw Problem.invalidInput(error) }
                return try call.answer(try await api.trustIdentity(rule), status: .created)
            },
            Route(.get, "/v1/oidc/rules", .admin) { call in try call.answer(try await api.identityTrustRules()) },
            Route(.delete, "/v1/oidc/rules/{id}", .admin) { call in
                let id = try call.parsed("id", try call.parameter("id"), Self.ruleID)
                let revoked = try await api.revokeIdentityTrust(id: id)
                authenticator?.forget(rule: id)
                return try call.answer(revoked)
            },
        ]
    }

    static func tokens(_ api: LocalLedger, _ authenticator: Authenticator?) -> [Route] {
        [
            Route(.post, "/v1/tokens", .admin) { call in
                let body = try await call.json(TokenBody.self)
                return try call.answer(try await api.createToken(name: body.name, scopes: Set(body.scopes)), status: .created)
            },
            Route(.get, "/v1/tokens", .admin) { call in try call.answer(try await api.listTokens()) },
            Route(.delete, "/v1/tokens/{name}", .admin) { call in
                let name = try call.parameter("name")
                let revoked = try await api.revokeToken(name: name)
                authenticator?.forget(name: name)
                return try call.answer(revoked)
            },
        ]
    }

    /// `type`: a predicate-type URI or one of cosign's shorthands.
    static func attestationType(_ call: Call) throws(Problem) -> String? {
        try call.query("type").map { text throws(Problem) in try call.parsed("type", text, PredicateType.resolve) }
    }

    /// `source=attest` when shiplog's own `attest` made the envelope; anything else arrived as an import.
    static func attestationOrigin(_ call: Call) throws(Problem) -> String {
        switch call.query("source") {
        case nil, "import": "import"
        case "attest": "attest"
        case let other?: throw Problem.invalidInput(InvalidInput(field: "source", value: other, reason: "expected attest or import"))
        }
    }

    /// A signature from a request body; `at` prefixes the fields it names (an item of a list).
    static func signatureUpload(_ body: SignatureBody, digest: Digest, at path: String) throws(Problem) -> SignatureUpload {
        guard let payload = Data(base64Encoded: body.payload) else {
            throw Problem.invalidInput(InvalidInput(field: path + "payload", value: body.payload, reason: "not base64"))
        }
        guard let signature = Data(base64Encoded: body.signature), !signature.isEmpty else {
            throw Problem.invalidInput(InvalidInput(field: path + "signature", value: body.signature, reason: "not base64"))
        }
        return SignatureUpload(repository: body.repository, digest: digest, payload: Array(payload), payloadSource: path + "payload",
                               signature: Array(signature), signatureSource: path + "signature", signerPEM: body.publicKey,
                               origin: body.source?.rawValue ?? "import")
    }

    static func builds(_ api: LocalLedger) -> [Route] {
        [
            Route(.post, "/v1/builds", .buildsWrite) { call in
                try call.answer(try await api.recordBuild(try call.bound(try await call.json(NewBuild.self))), status: .created)
            },
            Route(.get, "/v1/builds", .read) { call in
                var query = BuildQuery(limit: Int(try call.integerQuery("limit", range: 1...10_000) ?? 100))
                if let service = call.query("service") { query.service = try call.parsed("service", service, ServiceName.validate) }
                if let since = call.query("since") { query.since = try call.parsed("since", since, Timestamp.init(rfc3339:)) }
                return try call.answer(try await api.builds(query))
            },
            Route(.post, "/v1/ingest/push-metadata", .buildsWrite) { call in
                // A report lists many builds, each with its own commit: one job's claims cannot vouch for all of them.
                guard call.identity == nil else {
                    throw Problem(.forbidden, detail: "a CI job's OIDC token records builds through POST /v1/builds or buildx metadata, "
                                  + "whose commit and run its claims bind; push metadata reports need a shiplog token")
                }
                return try call.answer(try await api.ingestPushMetadata(try await call.body(), source: "request body"))
            },
            // Registries post here; they retry on anything but 2xx, so duplicates are expected and skipped.
            Route(.post, "/v1/registry/events", .usageWrite) { call in
                try call.answer(try await api.ingestRegistryEvents(try await call.body(), source: "request body"))
            },
            Route(.post, "/v1/usage/langfuse", .usageWrite) { call in
                let mapping = try call.query("service_from").map { text throws(Problem) in
                    try call.parsed("service_from", text, LangfuseExport.ServiceMapping.init(parsing:))
                }
                return try call.answer(try await api.ingestLangfuse(try await call.body(), source: "request body",
                                                                    service: call.query("service"), mapping: mapping))
            },
            Route(.get, "/v1/reports/cost", .read) { call in
                guard let from = call.query("from"), let to = call.query("to") else {
                    throw Problem.invalidInput(InvalidInput(field: call.query("from") == nil ? "from" : "to", reason: "name the report's first and last day"))
                }
                let by = try call.query("by").map { text throws(Problem) in
                    try call.parsed("by", text) { (value: String) throws(ValueError) in
                        guard let period = CostReport.Period(rawValue: value) else { throw ValueError(value: value, reason: "expected day, week or month") }
                        return period
                    }
                } ?? .day
                return try call.answer(try await api.costReport(from: from, to: to, by: by))
            },
            Route(.get, "/v1/reports/dora", .read) { call in
                guard let environment = call.query("environment") else {
                    throw Problem.invalidInput(InvalidInput(field: "environment", reason: "name the environment to report on"))
                }
                let by = try call.query("by").map { text throws(Problem) in
                    try call.parsed("by", text) { (value: String) throws(ValueError) in
                        guard let period = DeliveryReport.Period(rawValue: value) else {
                            throw ValueError(value: value, reason: "expected week or month")
                        }
                        return period
                    }
                } ?? .week
                return try call.answer(try await api.deliveryReport(DeliveryReportRequest(
                    environment: environment, from: call.query("from"), to: call.query("to"), by: by, service: call.query("service"))))
            },
            Route(.post, "/v1/ingest/buildx-metadata", .buildsWrite) { call in
                var context = BuildxMetadata.Context(run: try call.bound(GitHubActionsEnvironment(
                    commit: call.query("commit"), ref: call.query("ref"), runID: call.query("run_id"),
                    runAttempt: call.query("run_attempt"), runURL: call.query("run_url"), commitTime: call.query("committed_at"))))
                context.writtenBy = call.identity
                if let service = call.query("service") { context.service = try call.parsed("service", service, ServiceName.validate) }
                if let image = call.query("image") { context.image = try call.parsed("image", image, ImageReference.init(parsing:)) }
                return try call.answer(try await api.ingestBuildxMetadata(try await call.body(), source: "request body", context: context))
            },
        ]
    }

    static func images(_ api: LocalLedger) -> [Route] {
        [
            Route(.get, "/v1/images/{digest}", .read) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let repository = try call.query("repository").map { text throws(Problem) in try call.parsed("repository", text, Repository.init(parsing:)) }
                return try call.answer(try await api.image(digest: digest, repository: repository))
            },
            Route(.post, "/v1/images/{digest}/bad", .deploysWrite) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let body = try await call.json(MarkBadBody.self)
                return try call.answer(try await api.markBad(repository: body.repository, digest: digest, reason: body.reason), status: .created)
            },
            Route(.get, "/v1/images/{digest}/verification", .read) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let repository = try call.requiredRepository()
                return try call.answer(try await api.verify(repository: repository, digest: digest, keyID: call.query("key_id")))
            },
            Route(.get, "/v1/images/{digest}/attestations", .read) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let repository = try call.query("repository").map { text throws(Problem) in try call.parsed("repository", text, Repository.init(parsing:)) }
                return try call.answer(try await api.attestations(repository: repository, digest: digest, type: try attestationType(call)))
            },
            Route(.get, "/v1/images/{digest}/attestations/verification", .read) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let repository = try call.requiredRepository()
                return try call.answer(try await api.verifyAttestation(repository: repository, digest: digest, type: try attestationType(call)))
            },
            Route(.post, "/v1/images/{digest}/attestations", .sign) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let repository = try call.requiredRepository()
                let body = try await call.body()
                return try call.answer(try await api.importAttestations(body, source: "request body", target: .image(repository, digest),
                                                                        origin: try attestationOrigin(call)), status: .created)
            },
            Route(.post, "/v1/attestations", .sign) { call in
                let body = try await call.body()
                return try call.answer(try await api.importAttestations(body, source: "request body", target: .subjects,
                                                                        origin: try attestationOrigin(call)), status: .created)
            },
            Route(.post, "/v1/images/{digest}/signatures", .sign) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let upload = try signatureUpload(try await call.json(SignatureBody.self), digest: digest, at: "")
                return try call.answer(try await api.importSignature(upload), status: .created)
            },
            Route(.post, "/v1/images/{digest}/signatures/fetched", .sign) { call in
                let digest = try call.parsed("digest", try call.parameter("digest"), Digest.init(parsing:))
                let body = try await call.json(SignatureBatchBody.self)
                let uploads = try body.signatures.enumerated().map { index, item throws(Problem) in
                    try signatureUpload(item, digest: digest, at: "signatures[\(index)].")
                }
                return try call.answer(try await api.importSignatures(uploads, source: "request body"), status: .created)
            },
        ]
    }

    static func trust(_ api: LocalLedger) -> [Route] {
        [
            Route(.get, "/v1/keys", .read) { call in try call.answer(try await api.keys()) },
            Route(.post, "/v1/keys", .admin) { call in
                let body = try await call.json(KeyBody.self)
                let bytes = body.publicKey.contains("-----BEGIN") ? Array(body.publicKey.utf8)
                    : Data(base64Encoded: body.publicKey).map(Array.init) ?? Array(body.publicKey.utf8)
                return try call.answer(try await api.addKey(encoded: bytes, source: "public_key", name: body.name), status: .created)
            },
            Route(.post, "/v1/keys/{key_id}/revoke", .admin) { call in
                let body = try await call.json(RevokeBody.self)
                return try call.answer(try await api.revokeKey(id: try call.parameter("key_id"), reason: body.reason))
            },
        ]
    }

    /// Live, LKG and rollback plans are what rollback jobs and dashboards poll: answered from `cache`.
    static func deploys(_ api: LocalLedger, _ cache: ResponseCache) -> [Route] {
        [
            Route(.post, "/v1/environments", .deploysWrite) { call in
                let body = try await call.json(EnvironmentBody.self)
                return try call.answer(try await api.createEnvironment(name: body.name, slots: body.slots ?? [],
                                                                       requireSignature: body.requireSignature ?? false), status: .created)
            },
            Route(.post, "/v1/environments/{env}/switch", .deploysWrite) { call in
                let body = try await call.json(SwitchBody.self)
                return try call.answer(try await api.switchSlot(environment: try call.parameter("env"), to: body.slot, actor: body.actor))
            },
            Route(.get, "/v1/environments/{env}/live", .read) { call in
                try await call.cached(cache) {
                    try await api.live(environment: try call.parameter("env"), slot: call.query("slot"), service: call.query("service"))
                }
            },
            Route(.get, "/v1/environments/{env}/services/{service}/lkg", .read) { call in
                try await call.cached(cache) {
                    try await api.lastKnownGood(environment: try call.parameter("env"), service: try call.parameter("service"))
                }
            },
            Route(.get, "/v1/environments/{env}/rollback-plan", .read) { call in
                try await call.cached(cache) {
                    try await api.rollbackPlan(environment: try call.parameter("env"), service: call.query("service"),
                                               toPrevious: try call.booleanQuery("to_previous"))
                }
            },
            // The web pages' JSON twins.
            Route(.get, "/v1/overview", .read) { call in try await call.cached(cache) { try await api.overview() } },
            Route(.get, "/v1/services/{service}/deploys", .read) { call in
                let limit = try call.integerQuery("limit", range: 1 ... 1_000) ?? 100
                return try await call.cached(cache) { try await api.serviceHistory(service: try call.parameter("service"), limit: Int(limit)) }
            },
            // Policies: admins set them, readers ask them (a check or an audit writes nothing).
            Route(.put, "/v1/environments/{env}/policy", .admin) { call in
                let document = try await call.json(JSONValue.self)
                return try call.answer(try await api.setPolicy(environment: try call.parameter("env"), document: document,
                                                               source: "request body", actor: call.token?.name))
            },
            Route(.get, "/v1/environments/{env}/policy", .read) { call in
                try call.answer(try await api.policy(environment: try call.parameter("env")))
            },
            Route(.post, "/v1/environments/{env}/policy/check", .read) { call in
                let body = try await call.json(PolicyCheckBody.self)
                return try call.answer(try await api.checkPolicy(environment: try call.parameter("env"), image: body.image))
            },
            Route(.get, "/v1/environments/{env}/policy/audit", .read) { call in
                let since = try call.query("since").map { text throws(Problem) in try call.parsed("since", text, Timestamp.init(rfc3339:)) }
                return try call.answer(try await api.auditPolicy(environment: try call.parameter("env"), since: since))
            },
            Route(.get, "/v1/promotions", .read) { call in
                guard let from = call.query("from"), let to = call.query("to") else {
                    throw Problem.invalidInput(InvalidInput(field: call.query("from") == nil ? "from" : "to", reason: "name both environments"))
                }
                return try await call.cached(cache) { try await api.promote(from: from, to: to, service: call.query("service")) }
            },
            Route(.post, "/v1/deploys", .deploysWrite) { call in
                var request = try await call.json(DeployRequest.self)
                if let identity = call.identity {
                    request.actor = try call.bound { () throws(IdentityMismatch) in try identity.bindActor(request.actor) }
                    request.writtenBy = identity
                }
                switch try await api.startDeploy(request) {
                case let .started(deploy):
                    return try call.answer(deploy, status: .created)
                case let .refused(refusal):
                    // The gate said no (and the refusal is recorded): a conflict with the environment's rule, not bad input.
                    var extensions = ["verification": try refusal.verification.json()]
                    if let decision = refusal.decision { extensions["decision"] = try decision.json() }
                    throw Problem(.conflict, type: "urn:shiplog:problem:deploy-refused", detail: refusal.message, extensions: extensions)
                }
            },
            Route(.post, "/v1/deploys/{id}/checks", .deploysWrite) { call in
                let id = try call.parsed("id", try call.parameter("id"), Self.deployID)
                let body = try await call.json(CheckBody.self)
                return try call.answer(try await api.checkDeploy(id: id, name: body.name, status: body.status, detail: body.detail), status: .created)
            },
            Route(.post, "/v1/deploys/{id}/finish", .deploysWrite) { call in
                let id = try call.parsed("id", try call.parameter("id"), Self.deployID)
                let body = try await call.json(FinishBody.self)
                return try call.answer(try await api.finishDeploy(id: id, state: body.status))
            },
        ]
    }

    static func log(_ api: LocalLedger, _ verifications: LastVerification?) -> [Route] {
        [
            // Signing writes a row: only a caller who may write signs a new checkpoint; a reader gets the latest.
            Route(.get, "/v1/log/checkpoint", .read) { call in
                try call.answer(call.canWrite ? try await api.checkpoint() : try await api.latestCheckpoint())
            },
            Route(.get, "/v1/log/entries/{index}/proof", .read) { call in
                let index = try call.parsed("index", try call.parameter("index"), Self.logIndex)
                return try call.answer(try await api.proveInclusion(index: index, size: try call.integerQuery("tree_size")))
            },
            Route(.get, "/v1/log/consistency", .read) { call in
                guard let from = try call.integerQuery("from") else {
                    throw Problem.invalidInput(InvalidInput(field: "from", reason: "name the older tree size"))
                }
                return try call.answer(try await api.proveConsistency(from: from, to: try call.integerQuery("to")))
            },
            // Replays the whole log: admin only, as it is the one read that costs seconds.
            Route(.get, "/v1/log/verification", .admin) { call in
                let publicKey = try call.query("public_key").map { text throws(Problem) in
                    guard let bytes = Data(base64Encoded: text) else {
                        throw Problem.invalidInput(InvalidInput(field: "public_key", value: text, reason: "not base64"))
                    }
                    return Array(bytes)
                }
                let result = try await api.verifyLog(LogVerificationRequest(
                    auditTables: !(try call.booleanQuery("skip_tables")), publicKey: publicKey,
                    requireSignatures: !(try call.booleanQuery("no_signatures")), checkpoint: call.query("checkpoint")))
                verifications?.record(try result.json(), at: api.ledger.clockNow)
                return try call.answer(result)
            },
            Route(.get, "/v1/log/public-key", nil) { call in try call.answer(try await api.logPublicKey()) },
        ]
    }

    static func deployID(_ text: String) throws(ValueError) -> Int64 {
        guard let id = Int64(text), id >= 1 else { throw ValueError(value: text, reason: "a deploy id is a whole number from 1") }
        return id
    }

    static func ruleID(_ text: String) throws(ValueError) -> Int64 {
        guard let id = Int64(text), id >= 1 else { throw ValueError(value: text, reason: "a trust rule id is a whole number from 1") }
        return id
    }

    static func logIndex(_ text: String) throws(ValueError) -> Int64 {
        guard let index = Int64(text), index >= 0 else { throw ValueError(value: text, reason: "an entry index is a whole number from 0") }
        return index
    }
}
