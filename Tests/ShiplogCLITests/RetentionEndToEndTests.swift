import Foundation
import ShiplogTestSupport
import Testing

/// `gc plan` and `gc apply` against Debian's `docker-registry` with deletes enabled: 30 tags of 3 services pushed
/// with umoci and skopeo, some deployed through shiplog; then distribution's own `garbage-collect`, and skopeo says
/// what still pulls.
@Suite("registry retention, end to end", .serialized)
struct RetentionEndToEndTests {
    static let services = ["gateway", "orchestrator", "rag"]

    struct Pushed {
        var registry: RegistryEndToEndTests.Registry
        var configuration: String
        var images: [String: [(tag: String, digest: String)]]
    }

    /// 10 distinct one-layer images per service, pushed as v1 … v10 (v10 newest).
    static func pushImages(_ directory: TemporaryDirectory, deletes: Bool = true) throws -> Pushed {
        let configuration = directory.path("registry.yml")
        try """
        version: 0.1
        log: {level: info}
        storage:
          filesystem: {rootdirectory: \(directory.path("data"))}
          delete: {enabled: \(deletes)}
        http: {addr: "127.0.0.1:0"}
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let registry = try RegistryEndToEndTests.Registry(configuration: configuration, log: directory.path("registry.log"))
        try #require(!registry.host.isEmpty, "registry did not start: \(registry.log)")
        let layout = directory.path("layout")
        try #require(try Tool.run("/usr/bin/umoci", ["init", "--layout", layout]).status == 0)
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: directory.path("policy.json"), atomically: true, encoding: .utf8)
        var images: [String: [(tag: String, digest: String)]] = [:]
        for service in services {
            for number in 1 ... 10 {
                let name = "\(service)-\(number)"
                let file = directory.path("\(name).txt")
                try "\(name)\n".write(toFile: file, atomically: true, encoding: .utf8)
                for arguments in [["new", "--image", "\(layout):\(name)"], ["insert", "--rootless", "--image", "\(layout):\(name)", file, "/\(name).txt"]] {
                    let result = try Tool.run("/usr/bin/umoci", arguments)
                    try #require(result.status == 0, "\(result.output)")
                }
                let copy = try Tool.run("/usr/bin/skopeo", ["--policy", directory.path("policy.json"), "copy", "-q", "--dest-tls-verify=false",
                                                            "oci:\(layout):\(name)", "docker://\(registry.host)/the-shop/\(service):v\(number)"])
                try #require(copy.status == 0, "\(copy.output)")
            }
            let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json"))) as? [String: Any]
            for entry in (index?["manifests"] as? [[String: Any]]) ?? [] {
                let name = ((entry["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"]) ?? ""
                guard name.hasPrefix("\(service)-"), let digest = entry["digest"] as? String else { continue }
                images[service, default: []].append((tag: "v" + name.dropFirst(service.count + 1), digest: digest))
            }
            images[service]?.sort { Int($0.tag.dropFirst()) ?? 0 < Int($1.tag.dropFirst()) ?? 0 }
        }
        return Pushed(registry: registry, configuration: configuration, images: images)
    }

    func pulls(_ reference: String, _ directory: TemporaryDirectory) throws -> Bool {
        try Tool.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(reference)"]).status == 0
    }

    @Test("plan keeps live, LKG, the rollback window, in-progress and signatures; apply deletes the rest; garbage-collect frees them")
    func planApplyCollect() throws {
        try #require(RegistryEndToEndTests.missingTools.isEmpty, "scripts/ensure-system-packages docker-registry skopeo umoci")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pushed = try Self.pushImages(directory)
        defer { pushed.registry.stop() }
        let host = pushed.registry.host
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"), environment: ["REGISTRY_AUTH_FILE": directory.path("none.json")])
        for service in Self.services {
            for image in pushed.images[service] ?? [] {
                try shiplog.run(["build", "record", "--service", service, "--image", "\(host)/the-shop/\(service):\(image.tag)", "--digest", image.digest])
            }
        }
        func image(_ service: String, _ number: Int) -> (reference: String, digest: String) {
            let found = pushed.images[service]?[number - 1]
            return ("\(host)/the-shop/\(service)@\(found?.digest ?? "")", found?.digest ?? "")
        }
        try shiplog.run(["env", "create", "prod"])
        try shiplog.run(["env", "create", "staging"])
        func deploy(_ env: String, _ service: String, _ number: Int, finish: String?, check: String? = "pass") throws {
            let started = try #require(try shiplog.json(["deploy", "start", "--env", env, "--service", service, "--digest", image(service, number).reference])
                as? [String: Any])
            let id = String(try #require(started["deploy_id"] as? Int))
            if let check { try shiplog.run(["deploy", "check", id, "--name", "health", "--status", check]) }
            if let finish { try shiplog.run(["deploy", "finish", id, "--status", finish]) }
        }
        // gateway: v2 and v3 good in prod (v3 live, the LKG; v2 the rollback window), v4 rolling out in staging.
        try deploy("prod", "gateway", 2, finish: "succeeded")
        try deploy("prod", "gateway", 3, finish: "succeeded")
        try deploy("staging", "gateway", 4, finish: nil, check: nil)
        // orchestrator: v1 good, then v5 failed its check and is live: v1 stays the LKG.
        try deploy("prod", "orchestrator", 1, finish: "succeeded")
        try deploy("prod", "orchestrator", 5, finish: "succeeded", check: "fail")
        // rag: never deployed. Its v1 is signed into the registry: the .sig follows v1.
        try shiplog.run(["keys", "generate", "--name", "ci", "--out", directory.path("ci.key")])
        try shiplog.run(["sign", image("rag", 1).reference, "--key", directory.path("ci.key"), "--upload"])

        let rules = ["--keep-last", "2", "--keep-days", "0", "--keep-good", "2", "--keep-tag", "v10"]
        let planned = try #require(try shiplog.json(["gc", "plan", "--from-registry"] + rules) as? [String: Any])
        try JSONSerialization.data(withJSONObject: planned).write(to: URL(fileURLWithPath: directory.path("plan.json")))
        func entry(_ service: String, _ digest: String) -> (kept: [String]?, deleted: String?) {
            let repository = (planned["repositories"] as? [[String: Any]])?.first { $0["repository"] as? String == "\(host)/the-shop/\(service)" }
            let kept = (repository?["keep"] as? [[String: Any]])?.first { $0["digest"] as? String == digest }
            let deleted = (repository?["delete"] as? [[String: Any]])?.first { $0["digest"] as? String == digest }
            return (kept?["reasons"] as? [String], deleted?["reason"] as? String)
        }
        #expect(entry("gateway", image("gateway", 3).digest).kept == ["live:prod", "lkg:prod", "rollback-window:prod"])
        #expect(entry("gateway", image("gateway", 2).digest).kept == ["rollback-window:prod"])
        #expect(entry("gateway", image("gateway", 4).digest).kept == ["live:staging", "in-progress:staging"])
        #expect(entry("gateway", image("gateway", 10).digest).kept == ["newest", "keep-tag"])
        #expect(entry("gateway", image("gateway", 9).digest).kept == ["newest"])
        #expect(entry("gateway", image("gateway", 1).digest).deleted != nil)
        #expect(entry("orchestrator", image("orchestrator", 5).digest).kept == ["live:prod"], "failed: live, but not good")
        #expect(entry("orchestrator", image("orchestrator", 1).digest).kept == ["lkg:prod", "rollback-window:prod"])
        #expect(entry("rag", image("rag", 1).digest).deleted != nil, "never deployed, old")
        let sigTag = "sha256-\(image("rag", 1).digest.dropFirst(7)).sig"
        let ragRepository = (planned["repositories"] as? [[String: Any]])?.first { $0["repository"] as? String == "\(host)/the-shop/rag" }
        let sigEntry = (ragRepository?["delete"] as? [[String: Any]])?.first { ($0["tags"] as? [String]) == [sigTag] }
        #expect(sigEntry?["reason"] as? String == "signatures of \(image("rag", 1).digest), which is deleted", "\(String(describing: ragRepository))")
        // 30 images + 1 signature: kept 2 newest (+keep-tag) each, plus gateway v2, v3, v4 and orchestrator v1, v5.
        #expect(planned["kept"] as? Int == 3 * 2 + 5 && planned["deleted"] as? Int == 31 - 11, "\(planned["kept"] ?? "") kept")

        // The ledger plan says the same about the deploys.
        let fromLedger = try #require(try shiplog.json(["gc", "plan"] + rules) as? [String: Any])
        #expect(fromLedger["source"] as? String == "ledger" && fromLedger["kept"] as? Int == 11)

        let applied = try shiplog.run(["gc", "apply", directory.path("plan.json"), "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any])
        #expect(result["deleted"] as? Int == 20 && result["failed"] as? Int == 0, "\(result)")

        // distribution frees the space only in its own collection, with the registry stopped.
        pushed.registry.stop()
        let collected = try Tool.run("/usr/bin/docker-registry", ["garbage-collect", pushed.configuration])
        try #require(collected.status == 0, "\(collected.output)")
        let restarted = try RegistryEndToEndTests.Registry(configuration: pushed.configuration,
                                                           log: directory.path("registry2.log"))
        defer { restarted.stop() }
        let newHost = restarted.host
        for service in Self.services {
            for (number, pushedImage) in (pushed.images[service] ?? []).enumerated() {
                let kept = entry(service, pushedImage.digest).kept != nil
                let reference = "\(newHost)/the-shop/\(service)@\(pushedImage.digest)"
                #expect(try pulls(reference, directory) == kept, "\(service) v\(number + 1): kept \(kept)")
            }
        }
        #expect(try !pulls("\(newHost)/the-shop/rag:\(sigTag)", directory), "the deleted image's signature went with it")
        // The ledger closed the deleted images' tags, logged every deletion, and plans without them now.
        #expect(try shiplog.run(["log", "verify"]).status == 0)
        let after = try #require(try shiplog.json(["gc", "plan"] + rules) as? [String: Any])
        #expect(after["deleted"] as? Int == 0, "nothing left to delete: \(after["deleted"] ?? "")")
        let gone = try #require(try shiplog.json(["image", image("gateway", 1).reference]) as? [String: Any])
        #expect((gone["tags"] as? [[String: Any]])?.allSatisfy { $0["current"] as? Bool == false } == true)
    }

    @Test("a hand-edited plan: a protected digest moved into delete is skipped, an unknown one refused, bad JSON exit 65; a registry refusing deletes records nothing")
    func editedPlansAndRefusingRegistry() throws {
        try #require(RegistryEndToEndTests.missingTools.isEmpty, "scripts/ensure-system-packages docker-registry skopeo umoci")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pushed = try Self.pushImages(directory, deletes: false)
        defer { pushed.registry.stop() }
        let host = pushed.registry.host
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"), environment: ["REGISTRY_AUTH_FILE": directory.path("none.json")])
        for image in pushed.images["gateway"] ?? [] {
            try shiplog.run(["build", "record", "--service", "gateway", "--image", "\(host)/the-shop/gateway:\(image.tag)", "--digest", image.digest])
        }
        try shiplog.run(["env", "create", "prod"])
        let live = pushed.images["gateway"]?[0].digest ?? ""
        let started = try #require(try shiplog.json(["deploy", "start", "--env", "prod", "--service", "gateway", "--digest", "\(host)/the-shop/gateway@\(live)"])
            as? [String: Any])
        try shiplog.run(["deploy", "finish", String(try #require(started["deploy_id"] as? Int)), "--status", "succeeded"])
        let plan = try #require(try shiplog.json(["gc", "plan", "--keep-last", "3", "--keep-days", "0"]) as? [String: Any])
        var repositories = try #require(plan["repositories"] as? [[String: Any]])
        var keep = try #require(repositories[0]["keep"] as? [[String: Any]])
        var delete = try #require(repositories[0]["delete"] as? [[String: Any]])
        #expect(delete.count == 6, "10 - 3 newest - the live one")
        // Edit: the live digest moved into delete; a digest nobody pushed added.
        let moved = try #require(keep.firstIndex { ($0["reasons"] as? [String])?.contains("live:prod") == true })
        delete.append(["digest": live, "tags": ["v1"], "pushed_at": NSNull(), "reason": "edited by hand"])
        keep.remove(at: moved)
        delete.append(["digest": "sha256:" + String(repeating: "e", count: 64), "tags": [], "pushed_at": NSNull(), "reason": "made up"])
        repositories[0]["keep"] = keep
        repositories[0]["delete"] = delete
        var edited = plan
        edited["repositories"] = repositories
        try JSONSerialization.data(withJSONObject: edited).write(to: URL(fileURLWithPath: directory.path("edited.json")))

        let before = try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite"))
        let applied = try shiplog.run(["gc", "apply", directory.path("edited.json"), "--json"])
        #expect(applied.status == 1, "refusals and failures exit 1: \(applied.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any])
        let results = try #require(result["results"] as? [[String: Any]])
        #expect(results.first { $0["digest"] as? String == live }?["action"] as? String == "skipped")
        #expect((results.first { $0["digest"] as? String == live }?["detail"] as? String)?.contains("live:prod") == true)
        #expect(results.first { ($0["digest"] as? String)?.hasSuffix("eeee") == true }?["action"] as? String == "refused")
        let failed = results.filter { $0["action"] as? String == "failed" }
        #expect(failed.count == 6 && (failed.first?["detail"] as? String)?.contains("405") == true, "deletes disabled: \(failed)")
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite")) == before, "no delete happened, none recorded")
        #expect(try pulls("\(host)/the-shop/gateway@\(live)", directory))

        try "{\"repositories\": [".write(toFile: directory.path("broken.json"), atomically: true, encoding: .utf8)
        let broken = try shiplog.run(["gc", "apply", directory.path("broken.json")])
        #expect(broken.status == 65 && broken.stderr.contains("broken.json"), "\(broken.stderr)")

        // The doctl commands for the same plan (not DigitalOcean repositories: said so, nothing to run for them).
        let doctl = try shiplog.run(["gc", "apply", directory.path("edited.json"), "--format", "doctl"])
        #expect(doctl.stdout.contains("# skipped: \(host)/the-shop/gateway@\(live)"), "\(doctl.stdout)")
        #expect(doctl.stdout.contains("not a DigitalOcean repository"))
        #expect(try BadInputCorpusEndToEndTests.dumpHash(directory.path("ledger.sqlite")) == before)

        // Through a server: it judges the same way; it deletes only when started with --registry-deletes.
        let admin = try #require(try shiplog.json(["tokens", "create", "--name", "gc", "--scope", "admin"]) as? [String: Any])
        for deletes in [false, true] {
            let server = try ServerProcess(database: directory.path("ledger.sqlite"), arguments: deletes ? ["--registry-deletes"] : [],
                                           environment: ["REGISTRY_AUTH_FILE": directory.path("none.json")])
            defer { _ = server.stop() }
            var remote = shiplog
            remote.environment["SHIPLOG_SERVER"] = server.url
            remote.environment["SHIPLOG_TOKEN"] = try #require(admin["token"] as? String)
            let dry = try remote.run(["gc", "apply", directory.path("edited.json"), "--dry-run", "--json"])
            let judged = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
            #expect(judged["dry_run"] as? Bool == true && judged["skipped"] as? Int == 1 && judged["refused"] as? Int == 1, "\(judged)")
            let real = try remote.run(["gc", "apply", directory.path("edited.json"), "--json"])
            if deletes {
                let done = try #require(try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any])
                #expect(real.status == 1 && done["failed"] as? Int == 6, "the server's registry refuses deletes too: \(done)")
            } else {
                #expect(real.status == 77 && real.stderr.contains("--registry-deletes"), "\(real.stderr)")
            }
        }
    }

    @Test("DigitalOcean's JSON: doctl's and the API's tags and manifests make a plan; --format doctl prints DOCR's commands")
    func digitalOcean() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let shiplog = ShiplogBinary(database: directory.path("ledger.sqlite"))
        for fixture in ["godo_registry_test_list_tags_response.rendered.json", "openapi_example_repository_tags.from_yaml.json",
                        "openapi_example_repository_manifests.from_yaml.json"] {
            let plan = try #require(try shiplog.json(["gc", "plan", "--tags", Fixtures.url("digitalocean/\(fixture)").path, "--keep-last", "0",
                                                      "--keep-days", "0"]) as? [String: Any])
            #expect(plan["source"] as? String == "digitalocean" && plan["deleted"] as? Int == 1, "\(fixture): \(plan)")
            let repository = (plan["repositories"] as? [[String: Any]])?.first?["repository"] as? String
            #expect(repository?.hasPrefix("registry.digitalocean.com/") == true, "\(repository ?? "")")
            try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: directory.path("do.json")))
            let doctl = try shiplog.run(["gc", "apply", directory.path("do.json"), "--format", "doctl"])
            #expect(doctl.status == 0, "\(doctl.stderr)")
            let name = repository.map { String($0.split(separator: "/").dropFirst(2).joined(separator: "/")) } ?? ""
            let registry = repository.map { String($0.split(separator: "/")[1]) } ?? ""
            #expect(doctl.stdout.contains("doctl registry repository delete-manifest \(name) sha256:"), "\(doctl.stdout)")
            #expect(doctl.stdout.contains("doctl registry garbage-collection start \(registry) --include-untagged-manifests --force"))
        }
        let bad = try shiplog.run(["gc", "plan", "--tags", Fixtures.url("oci/imagespec_manifest_ex0_Manifest.json").path])
        #expect(bad.status == 65 && bad.stderr.contains("DigitalOcean"), "\(bad.stderr)")
    }
}
