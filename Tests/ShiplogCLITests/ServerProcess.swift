import Foundation
import ShiplogTestSupport

/// `shiplog serve` as a real process on a free loopback port, for end-to-end tests of the remote mode.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let url: String
    private let output = ChildPipe.make()
    private let errors = ChildPipe.make()

    init(database: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        process.executableURL = ShiplogBinary.executable
        process.arguments = ["serve", "--db", database, "--port", "0"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // The server prints one line once it listens: "shiplog listening on http://127.0.0.1:PORT (...)".
        var line = Data()
        let reader = output.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let start = text.range(of: "http://"), let end = text[start.lowerBound...].firstIndex(of: " ") else {
            process.terminate()
            throw ShiplogBinary.Failure(result: .init(status: -1, stdout: text, stderr: "server did not start"))
        }
        url = String(text[start.lowerBound..<end])
    }

    /// SIGTERM, then the exit status and what the server logged.
    func stop() -> (status: Int32, log: String) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, log)
    }

    deinit { if process.isRunning { process.terminate() } }
}
