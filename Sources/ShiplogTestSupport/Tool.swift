import Foundation

/// Runs a tool shiplog did not write (openssl, python3) and collects its combined output.
package enum Tool {
    package static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = ChildPipe.make()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// SHA-256 of a file in hex, as `openssl dgst -sha256` computes it.
    package static func sha256Hex(of path: String) throws -> String {
        String(try run("/usr/bin/openssl", ["dgst", "-sha256", "-r", path]).output.prefix(64))
    }
}
