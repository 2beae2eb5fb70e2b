import Foundation

// shiplog-bench [GROUP...]: the speed targets of the issues, each against its reference measured in the
// same run. Groups: record, ingest, crypto, deploys, log, server, usage, dora, registry, gc, policy, pages, mcp, oidc, postgres (default: all).
// Build with `swift build -c release` first (scripts/bench does both); numbers from a debug build mean nothing.
let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
let shiplog = executable.deletingLastPathComponent().appending(path: "shiplog")
// SHIPLOG_BENCH_DIR keeps the seeded ledgers there, to look into a figure afterwards.
let kept = ProcessInfo.processInfo.environment["SHIPLOG_BENCH_DIR"].map { URL(fileURLWithPath: $0) }
let folder = kept ?? FileManager.default.temporaryDirectory.appending(path: "shiplog-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { if kept == nil { try? FileManager.default.removeItem(at: folder) } }

#if DEBUG
print("warning: this is a debug build; run scripts/bench for release figures")
#endif

let groups: [(name: String, run: () throws -> [Finding])] = [
    ("record", { try BuildRecordBenchmark.run(in: folder, shiplog: shiplog) }),
    ("ingest", { try IngestBenchmark.run(in: folder) }),
    ("crypto", { try CryptoBenchmark.run() }),
    ("deploys", { try DeployQueryBenchmark.run(in: folder) }),
    ("log", { try TransparencyLogBenchmark.run(in: folder) }),
    ("server", { try ServerBenchmark.run(in: folder, shiplog: shiplog) }),
    ("usage", { try UsageBenchmark.run(in: folder, shiplog: shiplog) }),
    ("dora", { try DeliveryBenchmark.run(in: folder, shiplog: shiplog) }),
    ("registry", { try RegistryBenchmark.run(in: folder, shiplog: shiplog) }),
    ("gc", { try RetentionBenchmark.run(in: folder) }),
    ("policy", { try PolicyBenchmark.run(in: folder) }),
    ("pages", { try PagesBenchmark.run(in: folder, shiplog: shiplog) }),
    ("mcp", { try MCPBenchmark.run(in: folder, shiplog: shiplog) }),
    ("oidc", { try OIDCBenchmark.run(in: folder) }),
    ("postgres", { try PostgresBenchmark.run(in: folder, shiplog: shiplog) }),
]
let wanted = Set(CommandLine.arguments.dropFirst())
if let unknown = wanted.first(where: { name in !groups.contains { $0.name == name } }) {
    print("unknown group \(unknown); groups: \(groups.map(\.name).joined(separator: " "))")
    exit(64)
}
var findings: [Finding] = []
for group in groups where wanted.isEmpty || wanted.contains(group.name) {
    let found = try group.run()
    // Written unbuffered: a full run takes minutes, and each group's figures should show when they are known.
    for finding in found { FileHandle.standardOutput.write(Data((finding.line + "\n").utf8)) }
    findings += found
}
print("\(findings.filter(\.met).count) of \(findings.count) targets met")
