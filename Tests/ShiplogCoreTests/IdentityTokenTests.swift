import Foundation
import ShiplogCore
import Testing

/// The parts of CI login that need no key: a JWT's shape, its claims' checks, and which rule a job's claims match.
@Suite("OIDC tokens and trust rules")
struct IdentityTokenTests {
    static func part(_ object: [String: Any]) throws -> String {
        try JSONSerialization.data(withJSONObject: object).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    static func token(_ claims: [String: Any?] = [:], header: [String: Any] = ["alg": "RS256", "kid": "k1"]) throws -> String {
        var body: [String: Any] = ["iss": "https://token.actions.githubusercontent.com", "aud": "shiplog", "exp": 1_800_000_300,
                                   "iat": 1_799_999_990, "nbf": 1_799_999_990, "repository": "the-shop/infra", "repository_id": "42",
                                   "ref": "refs/heads/main", "environment": "prod", "sha": "abc",
                                   "job_workflow_ref": "the-shop/infra/.github/workflows/release.yml@refs/heads/main"]
        for (name, value) in claims { body[name] = value }
        return "\(try part(header)).\(try part(body)).c2lnbmF0dXJl"
    }

    @Test("shape: three parts, a JSON header naming RS256 or ES256 and a kid")
    func shape() throws {
        let cases: [(String, IdentityTokenError)] = [
            ("a.b", .malformed("a JWT has three dot-separated parts, this has 2")),
            ("!!.e30.c2ln", .malformed("the header is not base64url JSON")),
            (try Self.token(header: ["alg": "none", "kid": "k1"]), .algorithm("none")),
            (try Self.token(header: ["alg": "HS256", "kid": "k1"]), .algorithm("HS256")),
            (try Self.token(header: ["alg": "PS256", "kid": "k1"]), .algorithm("PS256")),
            (try Self.token(header: ["alg": "RS256"]), .malformed("the header has no kid")),
            (try Self.part(["alg": "ES256", "kid": "k"]) + ".e30.", .malformed("the signature is not base64url")),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try IdentityToken(compact: text) }
        }
        let parsed = try IdentityToken(compact: try Self.token())
        #expect(parsed.algorithm == .rs256 && parsed.keyID == "k1" && parsed.signature == Array("signature".utf8))
        #expect(IdentityToken.looksLikeJWT(try Self.token()) && !IdentityToken.looksLikeJWT("shiplog_0123"))
    }

    @Test("claims: issuer, audience, and the times with 60 s of leeway")
    func claims() throws {
        let issuer = "https://token.actions.githubusercontent.com"
        let cases: [([String: Any?], IdentityTokenError?)] = [
            ([:], nil),
            (["aud": ["other", "shiplog"]], nil),
            (["iss": "https://evil.example"], .issuer(given: "https://evil.example", expected: issuer)),
            (["iss": nil], .issuer(given: nil, expected: issuer)),
            (["aud": "pypi"], .audience(given: ["pypi"], expected: "shiplog")),
            (["exp": 1_799_999_940], .expired(at: 1_799_999_940)),
            (["exp": 1_799_999_941], nil),
            (["exp": nil], .missingClaim("exp")),
            (["nbf": 1_800_000_061], .notYetValid(from: 1_800_000_061)),
            (["nbf": 1_800_000_060], nil),
            (["iat": 1_800_000_061], .issuedInFuture(at: 1_800_000_061)),
            (["iat": nil], .missingClaim("iat")),
            // Times no clock reaches must not overflow the leeway's arithmetic: they count as absent.
            (["exp": Int64.max], .missingClaim("exp")),
            (["nbf": Int64.min, "exp": 1_800_000_100], nil),
            (["exp": 1e300], .missingClaim("exp")),
        ]
        for (claims, expected) in cases {
            let token = try IdentityToken(compact: try Self.token(claims))
            if let expected {
                #expect(throws: expected, "\(claims)") { try token.validate(issuer: issuer, audience: "shiplog", at: Self.now) }
            } else {
                #expect(throws: Never.self, "\(claims)") { try token.validate(issuer: issuer, audience: "shiplog", at: Self.now) }
            }
        }
    }

    @Test("rules: every constraint must equal its claim; the repository by name without case, and by id once pinned")
    func rules() throws {
        func rule(_ repositoryID: String? = nil, ref: String? = nil, environment: String? = nil, workflow: String? = nil) -> TrustRule {
            TrustRule(id: 1, repository: "The-Shop/Infra", repositoryID: repositoryID, ref: ref, environment: environment, workflow: workflow,
                      scopes: [.buildsWrite], createdAt: Self.now, revokedAt: nil)
        }
        let token = try IdentityToken(compact: try Self.token())
        #expect(rule().mismatch(token) == nil)
        #expect(rule("42", ref: "refs/heads/main", environment: "prod", workflow: ".github/workflows/release.yml").mismatch(token) == nil)
        #expect(rule("43").mismatch(token)?.hasPrefix("repository_id 42") == true)
        #expect(rule(ref: "refs/tags/v1").mismatch(token) == "ref refs/heads/main")
        #expect(rule(environment: "staging").mismatch(token) == "environment prod")
        #expect(rule(workflow: ".github/workflows/other.yml").mismatch(token)?.hasPrefix("job_workflow_ref") == true)
        #expect(rule().mismatch(try IdentityToken(compact: try Self.token(["repository": "the-shop/other"]))) == "repository the-shop/other")
        #expect(rule(ref: "refs/heads/main", environment: "prod").specificity == 2)
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop/infra", scopes: [.admin]) }
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop/infra", scopes: []) }
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop/infra", ref: "main", scopes: [.read]) }
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop/infra", workflow: "release.yml", scopes: [.read]) }
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop", scopes: [.read]) }
        // An environment is a name: a control character (NUL, which PostgreSQL cannot store) is refused.
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop/infra", environment: "pr\u{0}od", scopes: [.read]) }
        #expect(throws: InvalidInput.self) { try NewTrustRule(repository: "the-shop/infra", environment: "prod\n", scopes: [.read]) }
        #expect(throws: Never.self) { try NewTrustRule(repository: "the-shop/infra", environment: "prod eu", scopes: [.read]) }
    }

    @Test("a build written with a job's token takes its run from the claims; a body that disagrees names the claim")
    func binding() throws {
        let identity = WorkloadIdentity(rule: 3, token: try IdentityToken(compact: try Self.token(["run_id": "77", "run_attempt": "2", "actor": "octocat"])))
        let build = NewBuild(service: "api", repository: try Repository(parsing: "ghcr.io/acme/api"), tag: "v1",
                             digest: try Digest(parsing: "sha256:" + String(repeating: "a", count: 64)))
        let bound = try identity.bind(build)
        #expect(bound.commit == "abc" && bound.ref == "refs/heads/main" && bound.runID == "77" && bound.runAttempt == 2 && bound.writtenBy == identity)
        var lying = build
        lying.runAttempt = 1
        #expect(throws: IdentityMismatch(field: "run_attempt", given: "1", claim: "run_attempt", claimed: "2")) { try identity.bind(lying) }
        #expect(try identity.bindActor(nil) == "octocat")
        #expect(throws: IdentityMismatch.self) { try identity.bindActor("mallory") }
        #expect(WorkloadIdentity(canonical: identity.canonicalJSON) == identity)
    }
}
