import Foundation
import ShiplogApp
import ShiplogCore

/// The CLI's `--server` mode: every operation as a request to a shiplog server's /v1 API.
///
/// Answers come back as the same documents `LocalLedger` produces; problem+json errors come back as the
/// same `LedgerError`s (so the same exit codes), and a server that cannot be reached is `unreachable` (69).
package struct RemoteLedger: LedgerAPI {
    let base: URL
    let token: String?

    package init(server: String, token: String?) throws(LedgerError) {
        let trimmed = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw .invalidInput(InvalidInput(field: "--server", value: server, reason: "expected an http:// or https:// URL"))
        }
        base = url
        self.token = token
    }

    // MARK: - Builds

    package func recordBuild(_ build: NewBuild) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/builds", json: build)
    }

    package func ingestPushMetadata(_ data: Data, source: String) async throws(LedgerError) -> Document {
        naming(try await send("POST", "/v1/ingest/push-metadata", body: data, sources: ["request body": source]), source)
    }

    package func ingestBuildxMetadata(_ data: Data, source: String, context: BuildxMetadata.Context) async throws(LedgerError) -> Document {
        naming(try await send("POST", "/v1/ingest/buildx-metadata", query: [
            ("service", context.service), ("image", context.image?.description), ("commit", context.run?.commit),
            ("ref", context.run?.ref), ("run_id", context.run?.runID), ("run_attempt", context.run?.runAttempt),
            ("run_url", context.run?.runURL),
        ], body: data, sources: ["request body": source]), source)
    }

    /// The server's summary names its request body; the user knows it as the file they gave.
    private func naming(_ document: Document, _ source: String) -> Document {
        guard case var .object(members)? = try? document.json(), members["source"]?.stringValue == "request body" else { return document }
        members["source"] = .string(source)
        return Document(JSONValue.object(members))
    }

    package func ingestRegistryEvents(_ data: Data, source: String) async throws(LedgerError) -> Document {
        naming(try await send("POST", "/v1/registry/events", body: data, sources: ["request body": source]), source)
    }

    package func ingestLangfuse(_ data: Data, source: String, service: String?, mapping: LangfuseExport.ServiceMapping?) async throws(LedgerError) -> Document {
        let mappingText: String? = switch mapping {
        case .traceName?: "trace-name"
        case let .metadata(key)?: "metadata:\(key)"
        case let .tagPrefix(prefix)?: "tag:\(prefix)"
        case nil: nil
        }
        return naming(try await send("POST", "/v1/usage/langfuse", query: [("service", service), ("service_from", mappingText)],
                                     body: data, sources: ["request body": source]), source)
    }

    package func costReport(from: String, to: String, by: CostReport.Period) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/reports/cost", query: [("from", from), ("to", to), ("by", by.rawValue)])
    }

    package func deliveryReport(_ request: DeliveryReportRequest) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/reports/dora", query: [("environment", request.environment), ("from", request.from), ("to", request.to),
                                                          ("by", request.by.rawValue), ("service", request.service)])
    }

    package func builds(_ query: BuildQuery) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/builds", query: [("service", query.service), ("since", query.since?.description), ("limit", String(query.limit))])
    }

    package func image(digest: Digest, repository: Repository?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/images/\(segment(digest.description))", query: [("repository", repository?.name)])
    }

    package func markBad(repository: Repository, digest: Digest, reason: String) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/images/\(segment(digest.description))/bad", json: MarkBadBody(repository: repository, reason: reason))
    }

    // MARK: - Content trust

    package func addKey(encoded: [UInt8], source: String, name: String) async throws(LedgerError) -> Document {
        // PEM travels as text; a DER key travels as base64 of its bytes.
        let text = String(bytes: encoded, encoding: .utf8).flatMap { $0.contains("-----BEGIN") ? $0 : nil }
            ?? Data(encoded).base64EncodedString()
        return try await send("POST", "/v1/keys", json: KeyBody(name: name, publicKey: text), sources: ["public_key": source])
    }

    package func keys() async throws(LedgerError) -> Document { try await send("GET", "/v1/keys") }

    package func revokeKey(id: String, reason: String?) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/keys/\(segment(id))/revoke", json: RevokeBody(reason: reason))
    }

    package func importSignature(_ upload: SignatureUpload) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/images/\(segment(upload.digest.description))/signatures", json: SignatureBody(
            repository: upload.repository, payload: Data(upload.payload).base64EncodedString(),
            signature: Data(upload.signature).base64EncodedString(), publicKey: upload.signerPEM,
            source: SignatureBody.Origin(rawValue: upload.origin)
        ), sources: ["payload": upload.payloadSource, "signature": upload.signatureSource])
    }

    package func verify(repository: Repository, digest: Digest, keyID: String?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/images/\(segment(digest.description))/verification",
                       query: [("repository", repository.name), ("key_id", keyID)])
    }

    package func importSignatures(_ uploads: [SignatureUpload], source: String) async throws(LedgerError) -> Document {
        let digest = uploads.first?.digest.description ?? "sha256:"
        return naming(try await send("POST", "/v1/images/\(segment(digest))/signatures/fetched", json: SignatureBatchBody(signatures: uploads.map {
            SignatureBody(repository: $0.repository, payload: Data($0.payload).base64EncodedString(),
                          signature: Data($0.signature).base64EncodedString(), publicKey: $0.signerPEM, source: .import)
        }), sources: ["request body": source]), source)
    }

    // MARK: - Retention

    package func planRetention(rules: RetentionRules, listing: RetentionListing?) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/gc/plan", json: RetentionPlanBody(rules: rules, listing: listing.map(RetentionListingBody.init)))
    }

    /// The server deletes with its own registry login; `deleter` is not used (nil asks for a dry run).
    package func applyRetention(
        _ plan: RetentionPlan, listing: RetentionListing?, deleter: (any ManifestDeleter)?
    ) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/gc/apply", json: RetentionApplyBody(plan: plan, listing: listing.map(RetentionListingBody.init),
                                                                         dryRun: deleter == nil))
    }

    // MARK: - Attestations

    package func importAttestations(
        _ data: Data, source: String, target: ReleaseLedger.AttestationTarget, origin: String
    ) async throws(LedgerError) -> Document {
        switch target {
        case let .image(repository, digest):
            naming(try await send("POST", "/v1/images/\(segment(digest.description))/attestations",
                                  query: [("repository", repository.name), ("source", origin)], body: data, sources: ["request body": source]),
                   source)
        case .subjects:
            naming(try await send("POST", "/v1/attestations", query: [("source", origin)], body: data, sources: ["request body": source]), source)
        }
    }

    package func attestations(repository: Repository?, digest: Digest, type: String?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/images/\(segment(digest.description))/attestations", query: [("repository", repository?.name), ("type", type)])
    }

    package func verifyAttestation(repository: Repository, digest: Digest, type: String?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/images/\(segment(digest.description))/attestations/verification",
                       query: [("repository", repository.name), ("type", type)])
    }

    // MARK: - Environments and deploys

    package func createEnvironment(name: String, slots: [String], requireSignature: Bool) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/environments", json: EnvironmentBody(name: name, slots: slots, requireSignature: requireSignature))
    }

    package func switchSlot(environment: String, to slot: String, actor: String?) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/environments/\(segment(environment))/switch", json: SwitchBody(slot: slot, actor: actor))
    }

    package func startDeploy(_ request: DeployRequest) async throws(LedgerError) -> DeployAnswer {
        let (status, document) = try await exchange("POST", "/v1/deploys", query: [], body: try encode(request))
        if status == 409, let verification = document["verification"] {
            return .refused(try DeployRefusal(environment: request.environment, verification: Document(verification),
                                              decision: document["decision"].map { Document($0) }))
        }
        return .started(try answer(status, document, sources: [:]))
    }

    package func checkDeploy(id: Int64, name: String, status: CheckStatus, detail: String?) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/deploys/\(id)/checks", json: CheckBody(name: name, status: status, detail: detail))
    }

    package func finishDeploy(id: Int64, state: DeployState) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/deploys/\(id)/finish", json: FinishBody(status: state))
    }

    package func live(environment: String, slot: String?, service: String?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/environments/\(segment(environment))/live", query: [("slot", slot), ("service", service)])
    }

    package func lastKnownGood(environment: String, service: String) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/environments/\(segment(environment))/services/\(segment(service))/lkg")
    }

    package func rollbackPlan(environment: String, service: String?, toPrevious: Bool) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/environments/\(segment(environment))/rollback-plan",
                       query: [("service", service), ("to_previous", toPrevious ? "true" : nil)])
    }

    // MARK: - Pages' answers

    package func overview() async throws(LedgerError) -> Document {
        try await send("GET", "/v1/overview")
    }

    package func serviceHistory(service: String, limit: Int) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/services/\(segment(service))/deploys", query: [("limit", String(limit))])
    }

    // MARK: - Policy and promotion

    package func setPolicy(environment: String, document: JSONValue, source: String, actor: String?) async throws(LedgerError) -> Document {
        // The server records the caller's token as who set it.
        try await send("PUT", "/v1/environments/\(segment(environment))/policy", json: document, sources: ["request body": source])
    }

    package func policy(environment: String) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/environments/\(segment(environment))/policy")
    }

    package func checkPolicy(environment: String, image: ImageReference) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/environments/\(segment(environment))/policy/check", json: PolicyCheckBody(image: image))
    }

    package func auditPolicy(environment: String, since: Timestamp?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/environments/\(segment(environment))/policy/audit", query: [("since", since?.description)])
    }

    package func promote(from: String, to: String, service: String?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/promotions", query: [("from", from), ("to", to), ("service", service)])
    }

    // MARK: - Transparency log

    /// The server signs a new one when the token may write, else answers with its latest.
    package func checkpoint() async throws(LedgerError) -> Document { try await send("GET", "/v1/log/checkpoint") }

    package func proveInclusion(index: Int64, size: Int64?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/log/entries/\(index)/proof", query: [("tree_size", size.map(String.init))])
    }

    package func proveConsistency(from: Int64, to: Int64?) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/log/consistency", query: [("from", String(from)), ("to", to.map(String.init))])
    }

    package func verifyLog(_ request: LogVerificationRequest) async throws(LedgerError) -> Document {
        try await send("GET", "/v1/log/verification", query: [
            ("skip_tables", request.auditTables ? nil : "true"), ("no_signatures", request.requireSignatures ? nil : "true"),
            ("public_key", request.publicKey.map { Data($0).base64EncodedString() }), ("checkpoint", request.checkpoint),
        ])
    }

    package func logPublicKey() async throws(LedgerError) -> Document { try await send("GET", "/v1/log/public-key") }

    package func trustIdentity(_ rule: NewTrustRule) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/oidc/rules", json: TrustRuleBody(rule))
    }

    package func identityTrustRules() async throws(LedgerError) -> Document { try await send("GET", "/v1/oidc/rules") }

    package func revokeIdentityTrust(id: Int64) async throws(LedgerError) -> Document {
        try await send("DELETE", "/v1/oidc/rules/\(id)")
    }

    package func createToken(name: String, scopes: Set<Scope>) async throws(LedgerError) -> Document {
        try await send("POST", "/v1/tokens", json: TokenBody(name: name, scopes: scopes.sorted()))
    }

    package func listTokens() async throws(LedgerError) -> Document { try await send("GET", "/v1/tokens") }

    package func revokeToken(name: String) async throws(LedgerError) -> Document {
        try await send("DELETE", "/v1/tokens/\(segment(name))")
    }

    // MARK: - HTTP

    private func send(_ method: String, _ path: String, query: [(String, String?)] = [], json: some Encodable,
                      sources: [String: String] = [:]) async throws(LedgerError) -> Document {
        try await send(method, path, query: query, body: try encode(json), sources: sources)
    }

    private func send(_ method: String, _ path: String, query: [(String, String?)] = [], body: Data? = nil,
                      sources: [String: String] = [:]) async throws(LedgerError) -> Document {
        let (status, document) = try await exchange(method, path, query: query, body: body)
        return try answer(status, document, sources: sources)
    }

    private func encode(_ value: some Encodable) throws(LedgerError) -> Data {
        do { return try ContractJSON.compact.encode(value) } catch { throw .storage("could not encode the request: \(error)") }
    }

    private func exchange(_ method: String, _ path: String, query: [(String, String?)], body: Data?) async throws(LedgerError) -> (Int, JSONValue) {
        let pairs = query.compactMap { name, value in value.map { "\(name)=\(Self.percentEncoded($0))" } }
        let target = base.absoluteString + path + (pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&"))
        guard let url = URL(string: target) else {
            throw .invalidInput(InvalidInput(field: "--server", value: target, reason: "not a valid URL"))
        }
        var headers = [("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let (status, data) = try await HTTPTransport.exchange(method, url.absoluteString, headers: headers, body: body, timeout: 120,
                                                              host: base.absoluteString)
        guard !data.isEmpty else { return (status, .null) }
        do { return (status, try JSONDecoder().decode(JSONValue.self, from: data)) } catch {
            guard (200..<300).contains(status) else { return (status, .null) }
            throw .storage("\(url.absoluteString) answered \(status) with a body that is not JSON")
        }
    }

    /// A 2xx document, or the `LedgerError` the problem+json describes.
    private func answer(_ status: Int, _ document: JSONValue, sources: [String: String]) throws(LedgerError) -> Document {
        if (200..<300).contains(status) { return Document(document) }
        let detail = document["detail"]?.stringValue ?? document["title"]?.stringValue ?? "HTTP \(status)"
        switch status {
        case 400, 413, 415, 422:
            // The server names the part of the request; the user knows it as the file they gave.
            let source = document["source"]?.stringValue.map { sources[$0] ?? $0 }
            guard let reason = document["reason"]?.stringValue else {
                throw .invalidInput(InvalidInput(source: source, reason: detail))
            }
            throw .invalidInput(InvalidInput(source: source, field: document["field"]?.stringValue,
                                             value: document["value"]?.stringValue, reason: reason))
        // 409 outside a deploy refusal: the server may not do this (gc apply without --registry-deletes).
        case 401, 403, 409: throw .denied("\(base.absoluteString): \(detail)")
        case 404:
            // A 404 naming a field is input that names what the ledger does not have (as locally).
            guard let field = document["field"]?.stringValue, let reason = document["reason"]?.stringValue else { throw .notFound(detail) }
            throw .unknown(InvalidInput(field: field, value: document["value"]?.stringValue, reason: reason))
        default: throw .storage("\(base.absoluteString) answered \(status): \(detail)")
        }
    }

    /// A path segment: `:` and `@` may stay (digests read as themselves in logs); `/` and the rest are escaped.
    private func segment(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: Self.pathSegment) ?? text }

    /// A query value: RFC 3986 unreserved characters stay; everything else (`+`, `&`, `:`…) is escaped.
    static func percentEncoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    private static let pathSegment = unreserved.union(CharacterSet(charactersIn: ":@"))
}
