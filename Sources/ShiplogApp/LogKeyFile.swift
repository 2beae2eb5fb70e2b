import Foundation
import ShiplogCore
import ShiplogCrypto

/// The transparency log's Ed25519 checkpoint key: a file beside the database (or where SHIPLOG_LOG_KEY
/// points), mode 0600, created on first use. Never in the database.
public enum LogKeyFile {
    public static func path(database: String) -> String {
        ProcessInfo.processInfo.environment["SHIPLOG_LOG_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? database + ".log-key.pem"
    }

    public static func signer(database: String, create: Bool) throws(LedgerError) -> LogSigner? {
        let file = path(database: database)
        let origin = ProcessInfo.processInfo.environment["SHIPLOG_LOG_ORIGIN"].flatMap { $0.isEmpty ? nil : $0 }
        if !FileManager.default.fileExists(atPath: file) {
            guard create else { return nil }
            do {
                let key = try PrivateKey.generate(.ed25519)
                try KeyFile.writeSecret(try key.pem(passphrase: nil), to: file)
            } catch let error as CryptoError {
                throw .storage("creating the log key failed: \(error)")
            } catch let error as LedgerError {
                // Another process created it first: use theirs.
                guard FileManager.default.fileExists(atPath: file) else { throw error }
            } catch {
                throw .storage("\(error)")
            }
        }
        let bytes = try InputFile.read(file)
        do { return try LogSigner(privateKey: try PrivateKey(encoded: Array(bytes), passphrase: nil), origin: origin) } catch {
            throw .invalidInput(InvalidInput(source: file, reason: error.description))
        }
    }
}
