import Foundation

// shiplog-bench: the speed targets of the issues, each against its reference measured in the same run.
// Build with `swift build -c release` first (scripts/bench does both); numbers from a debug build mean nothing.
let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
let shiplog = executable.deletingLastPathComponent().appending(path: "shiplog")
let folder = FileManager.default.temporaryDirectory.appending(path: "shiplog-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

#if DEBUG
print("warning: this is a debug build; run scripts/bench for release figures")
#endif

var findings: [Finding] = []
findings += try BuildRecordBenchmark.run(in: folder, shiplog: shiplog)
findings += try IngestBenchmark.run(in: folder)
findings += try CryptoBenchmark.run()
findings += try DeployQueryBenchmark.run(in: folder)
findings += try TransparencyLogBenchmark.run(in: folder)
for finding in findings { print(finding.line) }
