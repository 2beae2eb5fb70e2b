import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ShiplogCore
import ShiplogCrypto

/// Key files on disk: private keys are created 0600 and never overwritten.
package enum KeyFile {
    /// A private key; `passphrase` opens an encrypted PEM (the executable reads `SHIPLOG_KEY_PASSPHRASE`).
    package static func readPrivate(_ path: String, passphrase: String?) throws(LedgerError) -> PrivateKey {
        let bytes = try InputFile.read(path)
        do { return try PrivateKey(encoded: Array(bytes), passphrase: passphrase) } catch {
            throw .invalidInput(InvalidInput(source: path, reason: error.description))
        }
    }

    package static func readPublic(_ path: String) throws(LedgerError) -> PublicKey {
        let bytes = try InputFile.read(path)
        do { return try PublicKey(encoded: Array(bytes)) } catch {
            throw .invalidInput(InvalidInput(source: path, reason: error.description))
        }
    }

    /// Creates `path` with mode 0600 from the first byte on (O_EXCL: an existing file is never replaced).
    package static func writeSecret(_ text: String, to path: String) throws(LedgerError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "already exists; shiplog never overwrites a private key" : String(cString: strerror(errno))
            throw .invalidInput(InvalidInput(source: path, reason: reason))
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw .storage("\(path): \(String(cString: strerror(errno)))")
        }
    }

    package static func write(_ bytes: [UInt8], to path: String) throws(LedgerError) {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
            throw .invalidInput(InvalidInput(source: path, reason: "cannot be written (\(error.localizedDescription))"))
        }
    }
}
