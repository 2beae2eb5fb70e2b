import Foundation
import ShiplogTestSupport
import Testing

/// examples/github: every workflow valid against GitHub's workflow schema (check-jsonschema's vendored copy), and the
/// shell of each shiplog step run as a runner would (Tests/Stubs/workflow_steps.py) against a local shiplog server, a
/// real registry, and a stand-in for GitHub's job token endpoint: build and push, deploy with the three phases, rollback.
@Suite("examples/github workflows")
struct WorkflowExampleTests {
    static let folder = Fixtures.packageRoot.appending(path: "examples/github")
    static let services = ["gateway", "orchestrator", "feature-dev", "code-review", "infrastructure", "cicd", "documentation", "rag", "state"]
    static let sha = "a3f1c0de5b7e2d9f4c1a8b6e0d3f7a2c9e5b1d40"

    @Test("each workflow file is valid against GitHub's workflow schema")
    func schema() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".yml") }.sorted()
        #expect(files == ["build-push.yml", "deploy.yml", "rollback.yml"])
        let checked = try Tool.run("/usr/bin/env", ["python3", "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
                                   + files.map { Self.folder.appending(path: $0).path })
        #expect(checked.status == 0, "python3 -m pip install check-jsonschema? \(checked.output)")
        // The schema check can fail: a workflow without `on` is refused.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "jobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n".write(toFile: directory.path("bad.yml"), atomically: true, encoding: .utf8)
        #expect(try Tool.run("/usr/bin/env", ["python3", "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                                              directory.path("bad.yml")]).status != 0)
    }

    /// Runs one job's shiplog steps in `work` (one working directory, as a job's checkout), each with bash -e.
    static func runJob(_ workflow: String, _ job: String, context: [String: String], environment: [String: String], in work: String) throws -> String {
        let steps = try Tool.run("/usr/bin/env", ["python3", Fixtures.packageRoot.appending(path: "Tests/Stubs/workflow_steps.py").path,
                                                  folder.appending(path: workflow).path, job,
                                                  String(decoding: try JSONSerialization.data(withJSONObject: context), as: UTF8.self)])
        try #require(steps.status == 0, "\(steps.output)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(steps.output.utf8)) as? [[String: Any]])
        try #require(!list.isEmpty)
        var transcript = ""
        let githubEnv = work + "/github.env"
        for step in list {
            // GITHUB_ENV: what earlier steps exported (the OIDC login's SHIPLOG_TOKEN) is in the next step's environment.
            var exported: [String: String] = [:]
            for line in ((try? String(contentsOfFile: githubEnv, encoding: .utf8)) ?? "").split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { exported[String(parts[0])] = String(parts[1]) }
            }
            let variables = ((step["env"] as? [String: String]) ?? [:]).merging(environment) { $1 }.merging(exported) { $1 }
                .merging(["GITHUB_ENV": githubEnv]) { $1 }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-eo", "pipefail", "-c", try #require(step["run"] as? String)]
            process.currentDirectoryURL = URL(fileURLWithPath: work)
            process.environment = variables
            let output = ChildPipe.make()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            transcript += "== \(step["name"] ?? "")\n\(text)"
            try #require(process.terminationStatus == 0, "\(workflow) \(job): step \(step["name"] ?? "") failed:\n\(text)")
        }
        return transcript
    }

    @Test("the shiplog steps of build-push, deploy and rollback run against a local server, registry and token endpoint")
    func steps() throws {
        let missing = RegistryEndToEndTests.missingTools
        try #require(missing.isEmpty, "scripts/ensure-system-packages docker-registry skopeo umoci")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // The registry, with one image pushed to each service's repository (the build's `docker push`).
        try "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: \(directory.path("registry"))\nhttp:\n  addr: 127.0.0.1:0\n"
            .write(toFile: directory.path("registry.yml"), atomically: true, encoding: .utf8)
        let registry = try RegistryEndToEndTests.Registry(configuration: directory.path("registry.yml"), log: directory.path("registry.log"))
        defer { registry.stop() }
        try #require(!registry.host.isEmpty, "\(registry.log)")
        let layout = try RegistryEndToEndTests.makeLayout(in: directory)
        let prefix = "\(registry.host)/the-shop-infra"
        var digests: [String: String] = [:]
        for service in Self.services {
            let pushed = try Tool.run("/usr/bin/skopeo", ["copy", "--dest-tls-verify=false", "--digestfile", directory.path("digest-\(service)"),
                                                          "oci:\(layout):v1", "docker://\(prefix)/\(service):\(Self.sha)"])
            try #require(pushed.status == 0, "\(pushed.output)")
            digests[service] = try String(contentsOfFile: directory.path("digest-\(service)"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        // The shiplog server: prod under a policy wanting the release key's signature, a rule per workflow file.
        _ = try OIDCEndToEndTests.python(["keys", directory.url.path])
        let database = directory.path("ledger.sqlite")
        let admin = ShiplogBinary(database: database)
        try #require(try admin.run(["keys", "generate", "--algorithm", "ecdsa-p256", "--out", directory.path("release.key"), "--name", "ci-release"]).status == 0)
        try #require(try admin.run(["env", "create", "prod", "--require-signature"]).status == 0)
        for (workflow, environment, scopes) in [("build-push.yml", nil, ["builds:write", "sign"]), ("deploy.yml", "prod", ["deploys:write", "read"]),
                                                ("rollback.yml", "prod", ["deploys:write", "read"])] as [(String, String?, [String])] {
            let rule = try admin.run(["oidc", "trust", "--repository", "the-shop/infra", "--workflow", ".github/workflows/\(workflow)"]
                                     + (environment.map { ["--environment", $0] } ?? []) + scopes.flatMap { ["--scope", $0] })
            try #require(rule.status == 0, "\(rule)")
        }
        let server = try ServerProcess(database: database, arguments: [
            "--oidc-issuer", OIDCEndToEndTests.issuer, "--oidc-audience", "shiplog", "--oidc-jwks", directory.path("jwks.json")])
        defer { _ = server.stop() }
        // Read to the end of its line: one read may return half of it.
        let (issuer, port) = try OIDCEndToEndTests.startIssuer(in: directory)
        defer { issuer.terminate() }

        let binaries = ShiplogBinary.executable.deletingLastPathComponent().path
        let path = "\(binaries):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        func runner(_ workflow: String, environment: String?) -> [String: String] {
            // What a runner gives a job, and the local stand-ins: the registry and shiplog server, GitHub's token endpoint.
            ["PATH": path, "HOME": directory.url.path, "RUNNER_TEMP": directory.path("tmp"), "GITHUB_SHA": Self.sha,
             "GITHUB_REF": "refs/heads/main", "GITHUB_RUN_ID": "9876543210", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_REPOSITORY": "the-shop/infra",
             "REGISTRY": prefix, "SHIPLOG_SERVER": server.url, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
             "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:\(port)/token?workflow=\(workflow)&sha=\(Self.sha)"
                + (environment.map { "&environment=\($0)" } ?? "")]
        }
        try FileManager.default.createDirectory(atPath: directory.path("tmp"), withIntermediateDirectories: true)
        let signingKey = try String(contentsOfFile: directory.path("release.key"), encoding: .utf8)

        // build-push, once per matrix entry.
        for service in Self.services {
            let work = directory.path("build-\(service)")
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            _ = try Self.runJob("build-push.yml", "build", context: [
                "matrix.service": service, "steps.push.outputs.digest": try #require(digests[service]),
                "secrets.SHIPLOG_SIGNING_KEY": signingKey,
            ], environment: runner("build-push.yml", environment: nil), in: work)
            let build = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/build.json"))) as? [String: Any])
            #expect(build["commit"] as? String == Self.sha && (build["written_by"] as? [String: Any])?["rule"] as? Int == 1, "\(build)")
        }
        // Each signature is in the registry where cosign looks (sha256-<hex>.sig) and in the ledger.
        let gateway = try #require(digests["gateway"])
        let tags = try Tool.run("/usr/bin/skopeo", ["list-tags", "--tls-verify=false", "docker://\(prefix)/gateway"])
        #expect(tags.output.contains(gateway.replacingOccurrences(of: ":", with: "-") + ".sig"), "\(tags.output)")
        #expect(try admin.run(["verify", "\(prefix)/gateway@\(gateway)"]).status == 0)

        // deploy: the gate, the droplet (not run here), the three phases with code-review's e2e failing.
        let deployWork = directory.path("deploy")
        try FileManager.default.createDirectory(atPath: deployWork + "/scripts", withIntermediateDirectories: true)
        try """
            import argparse, sys
            arguments = argparse.ArgumentParser()
            arguments.add_argument("--phase"); arguments.add_argument("--service")
            given = arguments.parse_args()
            if given.phase == "e2e" and given.service == "code-review":
                print("review workflow timed out after 120 s"); sys.exit(1)
            print("ok")
            """.write(toFile: deployWork + "/scripts/validate-tracing.py", atomically: true, encoding: .utf8)
        let deployed = try Self.runJob("deploy.yml", "deploy", context: [
            "github.event.workflow_run.head_sha": Self.sha, "secrets.DROPLET_HOST": "droplet.example",
        ], environment: runner("deploy.yml", environment: "prod"), in: deployWork)
        #expect(deployed.contains("code-review"), "\(deployed)")
        let live = try #require(try admin.json(["live", "prod"]) as? [String: Any])
        let notGood = (live["services"] as? [[String: Any]] ?? []).filter { $0["good"] as? Bool != true }.compactMap { $0["service"] as? String }
        #expect(notGood == ["code-review"], "\(live)")

        // rollback: code-review has no earlier good deploy in this fresh prod, so the plan says so; the job still runs clean.
        let rollbackWork = directory.path("rollback")
        try FileManager.default.createDirectory(atPath: rollbackWork, withIntermediateDirectories: true)
        _ = try Self.runJob("rollback.yml", "rollback", context: ["secrets.DROPLET_HOST": "droplet.example"],
                            environment: runner("rollback.yml", environment: "prod"), in: rollbackWork)
        let override = try String(contentsOfFile: rollbackWork + "/rollback.yml", encoding: .utf8)
        #expect(override.contains("code-review"), "\(override)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: rollbackWork + "/plan.json"))) as? [String: Any])
        // The override names every service (the good ones keep their image); only code-review has nothing good to go to.
        let actions = (plan["actions"] as? [[String: Any]]) ?? []
        #expect(actions.filter { $0["action"] as? String != "none" }.map { "\($0["service"] ?? "") \($0["action"] ?? "")" } == ["code-review no-good-deploy"],
                "\(plan)")
        #expect(try admin.run(["log", "verify"]).status == 0)
    }
}
