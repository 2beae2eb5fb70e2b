import Foundation
import ShiplogTestSupport

/// Runs the real `shiplog` executable that SwiftPM built next to the test bundle.
struct ShiplogBinary: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let database: String
    /// A clean environment: no GITHUB_* or SHIPLOG_* leaks in from the machine running the tests.
    var environment: [String: String]

    init(database: String, environment: [String: String] = [:]) {
        self.database = database
        self.environment = ["PATH": "/usr/bin:/bin", "SHIPLOG_DB": database].merging(environment) { $1 }
    }

    static let executable: URL = {
        let tests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = tests.deletingLastPathComponent()
        // The xctest bundle may be a directory (macOS) or a file (Linux); the binary is beside it.
        while !FileManager.default.isExecutableFile(atPath: folder.appending(path: "shiplog").path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appending(path: "shiplog")
    }()

    @discardableResult
    func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = environment
        let output = ChildPipe.make()
        let error = ChildPipe.make()
        let input = ChildPipe.make()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a large output cannot block the child.
        let collected = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        collected.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            collected.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        collected.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData, as: UTF8.self))
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        guard result.status == 0 else { throw Failure(result: result) }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    struct Failure: Error, CustomStringConvertible {
        var result: Result
        var description: String { "exit \(result.status): \(result.stderr)" }
    }
}
