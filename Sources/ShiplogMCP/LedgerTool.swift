import MCP
import ShiplogApp
import ShiplogCore

/// One read-only tool of `shiplog mcp`: what a model is told about it, its arguments, and the LedgerAPI
/// call it makes. Its structured result is the document the CLI prints with `--json`.
struct LedgerTool: Sendable {
    let name: String
    let title: String
    let description: String
    let arguments: [ToolArgument]
    let call: @Sendable (ToolArguments, any LedgerAPI) async throws(LedgerError) -> Document
    let summary: @Sendable (JSONValue) -> String
    /// Polled reads (live, lkg, plans) whose answers may be kept until the ledger changes.
    var cached = false

    /// Its `tools/list` entry: a JSON Schema of its input, and hints that it only reads.
    var definition: Tool {
        let properties = Dictionary(uniqueKeysWithValues: arguments.map { ($0.name, $0.schema) })
        let required = arguments.filter(\.required).map { Value.string($0.name) }
        return Tool(name: name, title: title, description: description,
                    inputSchema: .object(["type": "object", "properties": .object(properties), "required": .array(required),
                                          "additionalProperties": false]),
                    annotations: .init(title: title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false))
    }
}

extension LedgerTool {
    /// Every tool, in the order `tools/list` gives them.
    static let all: [LedgerTool] = [live, lkg, rollbackPlan, image, verify, builds, costReport, dora, policyCheck]

    static func named(_ name: String) -> LedgerTool? { all.first { $0.name == name } }

    static let environment = ToolArgument.required("environment", "The environment, e.g. prod or staging.")

    static let live = LedgerTool(
        name: "live", title: "What is live",
        description: """
            What is live in an environment now: per service the image (repository, tag, digest) of the newest deploy in the \
            active slot, its state, and whether it is good (succeeded, no failed check, not marked bad, signed by a trusted key \
            where the environment requires it, and passing its policy), with the reasons when it is not. Use it to learn which \
            image a service runs before acting on it.
            """,
        arguments: [environment, .optional("service", "Only this service."), .optional("slot", "Another slot than the active one (blue/green).")],
        call: { arguments, api throws(LedgerError) in
            try await api.live(environment: arguments.required("environment"), slot: arguments.string("slot"), service: arguments.string("service"))
        },
        summary: ToolSummary.live, cached: true)

    static let lkg = LedgerTool(
        name: "lkg", title: "Last-known-good image",
        description: """
            The last-known-good deploy of one service in an environment: its newest deploy that is good now. This is the image \
            to roll back to. A tool error when the service has no good deploy there.
            """,
        arguments: [environment, .required("service", "The service.")],
        call: { arguments, api throws(LedgerError) in
            try await api.lastKnownGood(environment: arguments.required("environment"), service: arguments.required("service"))
        },
        summary: ToolSummary.lkg, cached: true)

    static let rollbackPlan = LedgerTool(
        name: "rollback_plan", title: "Rollback plan",
        description: """
            For every live service of an environment that is not good: what to do (redeploy its last-known-good image, switch \
            back to the previous slot, or none when nothing good exists), with the image and the reason. Read-only: it plans, \
            it does not deploy. With to_previous (and service), the newest good deploy whose digest differs from the live one.
            """,
        arguments: [environment, .optional("service", "Only this service."),
                    .optional("to_previous", "With service: roll back to the newest good deploy of another digest.", kind: .boolean)],
        call: { arguments, api throws(LedgerError) in
            try await api.rollbackPlan(environment: arguments.required("environment"), service: arguments.string("service"),
                                       toPrevious: arguments.flag("to_previous"))
        },
        summary: ToolSummary.rollbackPlan, cached: true)

    static let image = LedgerTool(
        name: "image", title: "Everything about an image",
        description: """
            Everything the ledger knows about one image: its builds (commit, CI run), tag history, signatures, attestations, \
            deploys, pulls and whether it was marked bad. image is REPO@DIGEST for one repository, or a bare sha256 digest for \
            every repository holding it.
            """,
        arguments: [.required("image", "REPO@DIGEST (e.g. registry.digitalocean.com/team/gateway@sha256:…) or a bare sha256:… digest.")],
        call: { arguments, api throws(LedgerError) in
            let text = arguments.required("image")
            if !text.contains("@"), !text.contains("/") {
                let digest: Digest
                do throws(ValueError) { digest = try Digest(parsing: text) } catch { throw .invalidInput(error.at("image")) }
                return try await api.image(digest: digest, repository: nil)
            }
            let (repository, digest) = try ToolImage.pinned(text)
            return try await api.image(digest: digest, repository: repository)
        },
        summary: ToolSummary.image)

    static let verify = LedgerTool(
        name: "verify", title: "Is this image signed",
        description: """
            Is this digest signed by a trusted, unrevoked key in the ledger's trust store? verified true only then; otherwise \
            reason says why (no-signature, signature-invalid, key-unknown, key-revoked, payload-names-another-digest). A \
            negative answer is a result, not an error.
            """,
        arguments: [.required("image", "REPO@DIGEST."), .optional("key", "Only this key counts: its key id (sha256:…) from the trust store.")],
        call: { arguments, api throws(LedgerError) in
            let (repository, digest) = try ToolImage.pinned(arguments.required("image"))
            return try await api.verify(repository: repository, digest: digest, keyID: arguments.string("key"))
        },
        summary: ToolSummary.verify)

    static let builds = LedgerTool(
        name: "builds", title: "Recorded builds",
        description: """
            Recorded builds, newest first: service, image, digest, commit, CI run and time. Structured result: {"builds": […]}, \
            each entry as `shiplog builds --json` prints it.
            """,
        arguments: [.optional("service", "Only this service's builds."),
                    .optional("since", "Only builds at or after this time (RFC 3339 or YYYY-MM-DD)."),
                    .optional("limit", "At most this many (default 100).", kind: .integer)],
        call: { arguments, api throws(LedgerError) in
            var query = BuildQuery(limit: arguments.integer("limit") ?? 100)
            if let service = arguments.string("service") {
                do throws(ValueError) { query.service = try ServiceName.validate(service) } catch { throw .invalidInput(error.at("service")) }
            }
            if let since = arguments.string("since") {
                do throws(ValueError) { query.since = try Timestamp(rfc3339: since) } catch { throw .invalidInput(error.at("since")) }
            }
            return try await api.builds(query)
        },
        summary: ToolSummary.builds)

    static let costReport = LedgerTool(
        name: "cost_report", title: "LLM cost against pulls",
        description: """
            What each service's LLM agent cost (tokens and USD, from Langfuse's daily metrics) against how often its images \
            were pulled and deployed, per day, week or month between two UTC dates (inclusive).
            """,
        arguments: [.required("from", "First day, YYYY-MM-DD (UTC)."), .required("to", "Last day, YYYY-MM-DD (UTC), inclusive."),
                    .optional("by", "day (default), week (ISO, from Monday) or month.", choices: CostReport.Period.allCases.map(\.rawValue))],
        call: { arguments, api throws(LedgerError) in
            let by = arguments.string("by").flatMap(CostReport.Period.init(rawValue:)) ?? .day
            return try await api.costReport(from: arguments.required("from"), to: arguments.required("to"), by: by)
        },
        summary: ToolSummary.costReport)

    static let dora = LedgerTool(
        name: "dora", title: "DORA metrics",
        description: """
            The four DORA keys of an environment per service and period: deploys (frequency), lead time from commit to deploy, \
            change failure rate, and time to restore, with their bands (elite, high, medium, low). Default: the 30 days to today.
            """,
        arguments: [environment, .optional("from", "First day, YYYY-MM-DD (UTC); default 29 days before to."),
                    .optional("to", "Last day, YYYY-MM-DD (UTC), inclusive; default today."),
                    .optional("by", "week (default, ISO) or month.", choices: DeliveryReport.Period.allCases.map(\.rawValue)),
                    .optional("service", "Only this service.")],
        call: { arguments, api throws(LedgerError) in
            let by = arguments.string("by").flatMap(DeliveryReport.Period.init(rawValue:)) ?? .week
            return try await api.deliveryReport(DeliveryReportRequest(environment: arguments.required("environment"), from: arguments.string("from"),
                                                                      to: arguments.string("to"), by: by, service: arguments.string("service")))
        },
        summary: ToolSummary.dora)

    static let policyCheck = LedgerTool(
        name: "policy_check", title: "May this image go there",
        description: """
            Would the environment's policy let this image in now? allowed, and every violated rule with what it wanted (allowed \
            with violations means the policy is in audit mode). image is REPO@DIGEST, or REPO:TAG resolved to the digest the \
            ledger last recorded for that tag. Ask before starting a deploy.
            """,
        arguments: [environment, .required("image", "REPO@DIGEST or REPO:TAG.")],
        call: { arguments, api throws(LedgerError) in
            let reference: ImageReference
            do throws(ValueError) { reference = try ImageReference(parsing: arguments.required("image")) } catch { throw .invalidInput(error.at("image")) }
            return try await api.checkPolicy(environment: arguments.required("environment"), image: reference)
        },
        summary: ToolSummary.policyCheck)
}

/// `REPO@DIGEST` from a tool's `image` argument.
enum ToolImage {
    static func pinned(_ text: String) throws(LedgerError) -> (Repository, Digest) {
        let reference: ImageReference
        do throws(ValueError) { reference = try ImageReference(parsing: text) } catch { throw .invalidInput(error.at("image")) }
        guard let digest = reference.digest else {
            throw .invalidInput(InvalidInput(field: "image", value: text, reason: "expected REPO@DIGEST"))
        }
        return (reference.repository, digest)
    }
}
