/// What retention reads of the ledger, and the one write it makes.
package protocol RetentionReading: Sendable {
    /// Every manifest the ledger knows per repository (from builds, tags and their history) that `gc apply` has not
    /// deleted since it was last tagged, with its current tags and the last time it was pushed or tagged.
    func retainedManifests() throws(LedgerError) -> [String: [RetainedManifest]]
    /// Deploys still rolling out, in any environment.
    func inProgressDeploys() throws(LedgerError) -> [Deploy]
    /// Every recorded deletion, oldest first (for `log verify`).
    func manifestDeletions() throws(LedgerError) -> [ManifestDeletion]
}

package protocol RetentionStore: RetentionReading {
    /// Records manifests deleted from their registry, in one transaction: each deletion, and its tags closed.
    func record(_ deletions: [ManifestDeletion], at time: Timestamp) throws(LedgerError)
}

/// A manifest `gc apply` deleted.
package struct ManifestDeletion: Sendable, Hashable {
    package var repository: Repository
    package var digest: Digest
    package var reason: String
    package var deletedAt: Timestamp?

    package init(repository: Repository, digest: Digest, reason: String, deletedAt: Timestamp? = nil) {
        self.repository = repository
        self.digest = digest
        self.reason = reason
        self.deletedAt = deletedAt
    }
}
