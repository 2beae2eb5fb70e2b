import Foundation
import ShiplogCore

/// A FILE argument, where `-` means standard input.
package enum InputFile {
    package static func read(_ path: String) throws(LedgerError) -> Data {
        if path == "-" {
            return FileHandle.standardInput.readDataToEndOfFile()
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let reason = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                ? "no such file" : isDirectory.boolValue ? "is a directory" : "cannot be read"
            throw .invalidInput(InvalidInput(source: path, reason: reason))
        }
        return data
    }
}
