import Foundation

/// Who wrote a build or deploy with a CI job's OIDC token: the rule that let the job in, the token's subject, and
/// the claims that bound the record (its commit, ref, run id and attempt come from them, never from the body).
package struct WorkloadIdentity: Sendable, Hashable, Codable {
    package var rule: Int64
    package var issuer: String
    package var subject: String
    package var repository: String
    package var repositoryID: String?
    package var sha: String?
    package var ref: String?
    package var runID: String?
    package var runAttempt: Int?
    package var workflowRef: String?
    package var actor: String?

    package init(rule: Int64, token: IdentityToken) {
        self.rule = rule
        issuer = token.text("iss") ?? ""
        subject = token.text("sub") ?? ""
        repository = token.text("repository") ?? ""
        repositoryID = token.text("repository_id")
        sha = token.text("sha")
        ref = token.text("ref")
        runID = token.text("run_id")
        runAttempt = token.text("run_attempt").flatMap { Int($0) }
        workflowRef = token.text("job_workflow_ref")
        actor = token.text("actor")
    }

    enum CodingKeys: String, CodingKey {
        case rule, issuer, subject, repository, sha, ref, actor
        case repositoryID = "repository_id", runID = "run_id", runAttempt = "run_attempt", workflowRef = "job_workflow_ref"
    }

    /// The principal's name where a token's name would be shown (`oidc:RULE:SUBJECT`).
    package var name: String { "oidc:\(rule):\(subject)" }

    /// As the ledger stores it and the log carries it: canonical JSON, absent claims left out.
    package var canonicalJSON: String {
        var fields: [String: String] = ["issuer": issuer, "subject": subject, "repository": repository]
        fields["repository_id"] = repositoryID
        fields["sha"] = sha
        fields["ref"] = ref
        fields["run_id"] = runID
        fields["run_attempt"] = runAttempt.map(String.init)
        fields["job_workflow_ref"] = workflowRef
        fields["actor"] = actor
        fields["rule"] = String(rule)
        return CanonicalJSON.object(fields)
    }

    /// Reads what `canonicalJSON` wrote (every value a string there).
    package init?(canonical text: String) {
        guard let object = try? JSONInput.value(from: Data(text.utf8), source: "written_by").objectValue,
              let rule = object["rule"]?.stringValue.flatMap({ Int64($0) }) else { return nil }
        self.rule = rule
        issuer = object["issuer"]?.stringValue ?? ""
        subject = object["subject"]?.stringValue ?? ""
        repository = object["repository"]?.stringValue ?? ""
        repositoryID = object["repository_id"]?.stringValue
        sha = object["sha"]?.stringValue
        ref = object["ref"]?.stringValue
        runID = object["run_id"]?.stringValue
        runAttempt = object["run_attempt"]?.stringValue.flatMap { Int($0) }
        workflowRef = object["job_workflow_ref"]?.stringValue
        actor = object["actor"]?.stringValue
    }

    /// The build as the job's claims say it was made: each of commit, ref, run id and attempt taken from the
    /// token; a body value that differs is refused naming the claim. The run's URL follows when the body has none.
    package func bind(_ build: NewBuild) throws(IdentityMismatch) -> NewBuild {
        var bound = build
        bound.commit = try Self.bind(build.commit, "commit", claim: sha, "sha")
        bound.ref = try Self.bind(build.ref, "ref", claim: ref, "ref")
        bound.runID = try Self.bind(build.runID, "run_id", claim: runID, "run_id")
        bound.runAttempt = try Self.bind(build.runAttempt.map(String.init), "run_attempt", claim: runAttempt.map(String.init), "run_attempt")
            .flatMap { Int($0) }
        if bound.runURL == nil { bound.runURL = runURL }
        bound.writtenBy = self
        return bound
    }

    /// A CI run's attribution (buildx metadata's query) bound the same way as a build's fields.
    package func bind(_ run: GitHubActionsEnvironment) throws(IdentityMismatch) -> GitHubActionsEnvironment {
        var bound = run
        bound.commit = try Self.bind(run.commit, "commit", claim: sha, "sha")
        bound.ref = try Self.bind(run.ref, "ref", claim: ref, "ref")
        bound.runID = try Self.bind(run.runID, "run_id", claim: runID, "run_id")
        bound.runAttempt = try Self.bind(run.runAttempt, "run_attempt", claim: runAttempt.map(String.init), "run_attempt")
        if bound.runURL == nil { bound.runURL = runURL }
        return bound
    }

    /// A deploy's actor is the job's `actor` claim; a body naming another is refused.
    package func bindActor(_ actor: String?) throws(IdentityMismatch) -> String? {
        try Self.bind(actor, "actor", claim: self.actor ?? name, "actor")
    }

    /// The run's page, for GitHub's issuer (other issuers' runs have no known address).
    var runURL: String? {
        guard let runID, !repository.isEmpty, issuer == Self.githubIssuer else { return nil }
        return "https://github.com/\(repository)/actions/runs/\(runID)" + (runAttempt.map { "/attempts/\($0)" } ?? "")
    }

    package static let githubIssuer = "https://token.actions.githubusercontent.com"

    private static func bind(_ given: String?, _ field: String, claim: String?, _ claimName: String) throws(IdentityMismatch) -> String? {
        guard let claim else { return given }
        if let given, !given.isEmpty, given != claim { throw IdentityMismatch(field: field, given: given, claim: claimName, claimed: claim) }
        return claim
    }
}

/// A write whose body disagrees with the token's claims: 403, naming the claim.
package struct IdentityMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    package var field: String
    package var given: String
    package var claim: String
    package var claimed: String

    package init(field: String, given: String, claim: String, claimed: String) {
        self.field = field
        self.given = given
        self.claim = claim
        self.claimed = claimed
    }

    package var description: String {
        "\(field) \(InvalidInput.quote(given)) disagrees with the OIDC token's \(claim) claim \(InvalidInput.quote(claimed))"
    }
}
