import Logging
import ServiceLifecycle
import ShiplogApp

/// Signs a checkpoint every `interval` while the log grows, and once more as the server stops: entries
/// past the last checkpoint are covered by no signature, so this bounds how long they stay so
/// (docs/transparency-log.md, threat model).
struct CheckpointTimer: Service {
    let ledger: ReleaseLedger
    let signer: LogSigner
    let interval: Duration?
    let logger: Logger

    func run() async throws {
        if let interval {
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    sign()
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        sign()
    }

    private func sign() {
        do {
            if let checkpoint = try ledger.checkpointIfGrown(signer: signer) {
                logger.debug("checkpoint signed", metadata: ["tree_size": "\(checkpoint.treeSize)"])
            }
        } catch {
            // The next tick tries again; a reader meanwhile gets the previous checkpoint.
            logger.warning("signing a checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
