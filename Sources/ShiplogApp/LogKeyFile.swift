import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ShiplogCore
import ShiplogCrypto

/// The transparency log's Ed25519 checkpoint key: a file (mode 0600, created on first use), never in the
/// database. Where it is and the log's origin line are the executable's to say (`SHIPLOG_LOG_KEY`,
/// `SHIPLOG_LOG_ORIGIN`); by default it sits beside the database.
package struct LogKeyFile: Sendable {
    package var path: String
    /// The checkpoints' origin line; nil derives one from the key.
    package var origin: String?

    package init(path: String, origin: String? = nil) {
        self.path = path
        self.origin = origin
    }

    /// The default place: beside the database file.
    package init(beside database: String, origin: String? = nil) {
        self.init(path: database + ".log-key.pem", origin: origin)
    }

    /// The key's signer; nil when the file does not exist and `create` is false.
    package func signer(create: Bool) throws(LedgerError) -> LogSigner? {
        if !FileManager.default.fileExists(atPath: path) {
            guard create else { return nil }
            try createKey()
        }
        let bytes = try InputFile.read(path)
        do { return try LogSigner(privateKey: try PrivateKey(encoded: Array(bytes), passphrase: nil), origin: origin) } catch {
            throw .invalidInput(InvalidInput(source: path, reason: error.description))
        }
    }
}

extension LogKeyFile {
    /// Writes a new key to a file of its own beside `path` (0600, synced) and links it into place: the key
    /// file appears whole or not at all. Processes creating a new ledger at once never read a half-written
    /// key, a crash leaves no empty one behind, and when another process linked its key first, that one is
    /// kept (link never replaces a file).
    private func createKey() throws(LedgerError) {
        let pem: String
        do { pem = try PrivateKey.generate(.ed25519).pem(passphrase: nil) } catch {
            throw .storage("creating the log key failed: \(error)")
        }
        let staging = path + ".new-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try KeyFile.writeSecret(pem, to: staging)
        defer { unlink(staging) }
        guard link(staging, path) == 0 || errno == EEXIST else {
            throw .storage("\(path): \(String(cString: strerror(errno)))")
        }
        // The new name is durable once its directory is.
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

/// Where the operations get the log's checkpoint key: a file read when needed (the CLI; created on first
/// use), or a key loaded once when the server started, so that no request reads the file or names it.
package enum LogKey: Sendable {
    case file(LogKeyFile)
    case loaded(LogSigner)
    /// No key was named (why, in words a user acts on): nothing to check with, and none may be created.
    case missing(String)

    /// The signer; nil when it is a file that does not exist, or no key was named, and `create` is false.
    package func signer(create: Bool) throws(LedgerError) -> LogSigner? {
        switch self {
        case let .file(file): return try file.signer(create: create)
        case let .loaded(signer): return signer
        case let .missing(reason):
            guard create else { return nil }
            throw .invalidInput(InvalidInput(field: "SHIPLOG_LOG_KEY", reason: reason))
        }
    }

    var place: String {
        switch self {
        case let .file(file): file.path
        case .loaded: "loaded at start"
        case .missing: "SHIPLOG_LOG_KEY (unset)"
        }
    }
}
