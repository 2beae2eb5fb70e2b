import Foundation
import ShiplogCore

/// A FILE argument, where `-` means standard input.
package enum InputFile {
    /// The largest input read by default: larger than any real report, far below what would exhaust memory.
    package static let defaultLimit = 256 << 20

    /// The whole file (or standard input), refused as soon as it is larger than `limit` bytes: the limit is
    /// enforced while reading, so an endless stream stops there instead of growing without bound.
    package static func read(_ path: String, limit: Int = defaultLimit) throws(LedgerError) -> Data {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .invalidInput(InvalidInput(source: path, reason: "no such file"))
            }
            guard !isDirectory.boolValue, let opened = FileHandle(forReadingAtPath: path) else {
                throw .invalidInput(InvalidInput(source: path, reason: isDirectory.boolValue ? "is a directory" : "cannot be read"))
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        var data = Data()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw .invalidInput(InvalidInput(source: path, reason: "cannot be read (\(error.localizedDescription))"))
            }
            if chunk.isEmpty { return data }
            guard data.count + chunk.count <= limit else {
                throw .invalidInput(InvalidInput(source: path, reason: "is larger than \(limit) bytes; a larger input needs --max-input-bytes"))
            }
            data.append(chunk)
        }
    }
}
