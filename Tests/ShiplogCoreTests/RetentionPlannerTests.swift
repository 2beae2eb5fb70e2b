import Foundation
import ShiplogCore
import Testing

@Suite("the retention planner")
struct RetentionPlannerTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    static func digest(_ n: Int) -> String { "sha256:" + String(repeating: String(format: "%x", n % 16), count: 64) }
    static func day(_ ago: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - Int64(ago) * 86_400_000) }

    @Test("newest N and the last D days by push time; a keep-tag glob; deploy reasons come first; the rest is deleted")
    func rules() {
        let manifests = (1 ... 6).map { RetainedManifest(digest: Self.digest($0), tags: ["build-\($0)"], pushedAt: Self.day(30 - $0)) }
            + [RetainedManifest(digest: Self.digest(7), tags: ["v1.0.0"], pushedAt: Self.day(400))]
        let plan = RetentionPlanner.plan(["r/app": manifests], protected: ["r/app": [Self.digest(1): ["live:prod"]]],
                                         rules: RetentionRules(keepLast: 2, keepDays: 25, keepTags: ["v*"]), source: "ledger", now: Self.now)
        let repository = plan.repositories[0]
        func reasons(_ n: Int) -> [String]? { repository.keep.first { $0.digest == Self.digest(n) }?.reasons }
        #expect(reasons(6) == ["newest", "recent"] && reasons(5) == ["newest", "recent"])
        #expect(reasons(1) == ["live:prod"], "pushed 29 days ago: only the deploy keeps it")
        #expect(reasons(7) == ["keep-tag"])
        #expect(reasons(2) == nil && reasons(4) == nil, "day 28 and 26 are outside 25 days")
        #expect(Set(repository.delete.map(\.digest)) == [Self.digest(2), Self.digest(3), Self.digest(4)])
        #expect(plan.kept == 4 && plan.deleted == 3)
    }

    @Test("cosign's .sig and .att follow their image; an index and its children go together; a deployed child keeps its index")
    func artifactsAndIndexes() {
        let image = Self.digest(1), old = Self.digest(2)
        let sig = RetainedManifest(digest: Self.digest(3), tags: ["sha256-\(image.dropFirst(7)).sig"], pushedAt: Self.day(1))
        let oldAtt = RetainedManifest(digest: Self.digest(4), tags: ["sha256-\(old.dropFirst(7)).att"], pushedAt: Self.day(1))
        let index = RetainedManifest(digest: Self.digest(5), tags: ["multi"], pushedAt: Self.day(90), children: [Self.digest(6), Self.digest(7)])
        let children = [RetainedManifest(digest: Self.digest(6), tags: [], pushedAt: Self.day(90)),
                        RetainedManifest(digest: Self.digest(7), tags: [], pushedAt: Self.day(90))]
        let manifests = [RetainedManifest(digest: image, tags: ["v2"], pushedAt: Self.day(1)),
                         RetainedManifest(digest: old, tags: ["v1"], pushedAt: Self.day(100)), sig, oldAtt, index] + children
        let rules = RetentionRules(keepLast: 1, keepDays: 0)
        let plan = RetentionPlanner.plan(["r/app": manifests], protected: [:], rules: rules, source: "registry", now: Self.now)
        let repository = plan.repositories[0]
        #expect(repository.keep.first { $0.digest == sig.digest }?.reasons == ["signature-of:\(image)"])
        #expect(repository.delete.contains { $0.digest == oldAtt.digest && $0.reason.contains("which is deleted") })
        #expect(Set(repository.delete.map(\.digest)).isSuperset(of: [index.digest, Self.digest(6), Self.digest(7)]), "the index goes whole")
        // Deploying one platform's manifest keeps the whole index.
        let deployed = RetentionPlanner.plan(["r/app": manifests], protected: ["r/app": [Self.digest(6): ["live:prod"]]], rules: rules,
                                             source: "registry", now: Self.now).repositories[0]
        #expect(Set(deployed.keep.map(\.digest)).isSuperset(of: [index.digest, Self.digest(6), Self.digest(7)]))
        #expect(deployed.keep.first { $0.digest == Self.digest(7) }?.reasons == ["live:prod"])
    }

    @Test("globs: * crosses slashes, ? is one character")
    func globs() {
        #expect(Glob("registry.digitalocean.com/the-shop-infra/*").matches("registry.digitalocean.com/the-shop-infra/gateway"))
        #expect(Glob("*").matches("a/b/c") && Glob("v*").matches("v1.2") && !Glob("v*").matches("latest"))
        #expect(Glob("v?").matches("v1") && !Glob("v?").matches("v10"))
        #expect(Glob("*-rc*").matches("1.0-rc2") && !Glob("a*b*c").matches("acb"))
    }

    @Test("bad rules are refused naming the field")
    func badRules() {
        #expect(throws: InvalidInput.self) { try RetentionRules(keepLast: -1).check() }
        #expect { try RetentionRules(keepTags: [""]).check() } throws: { ($0 as? InvalidInput)?.field == "keep_tags" }
    }
}
