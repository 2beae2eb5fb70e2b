/// Builds, the tags they move, and what is known of each image.
package protocol BuildReading: Sendable {
    /// One build by id.
    func build(id: Int64) throws(LedgerError) -> Build
    /// Builds, newest first.
    func builds(matching query: BuildQuery) throws(LedgerError) -> [Build]
    /// Everything known about the images with this digest, in one repository or in all of them.
    func images(digest: Digest, repository: Repository?) throws(LedgerError) -> [ImageHistory]
    /// The digest `repository:tag` names now.
    func currentDigest(repository: Repository, tag: String) throws(LedgerError) -> Digest?
    /// The log events of builds after `afterID`, by id, regenerated from what the tables hold now: what
    /// `log verify` compares the log's build entries with; `moved` is the tag the build moved, if it did.
    func buildEvents(afterID: Int64, limit: Int) throws(LedgerError) -> [(id: Int64, event: [UInt8], moved: TagPointer?)]
    /// Where every tag points now, and since when (for comparing the tables with the log).
    func currentTags() throws(LedgerError) -> [TagPointer]
    /// Every closed interval of tag history, in the order the moves closed them.
    func closedTagIntervals() throws(LedgerError) -> [ClosedTagInterval]
}

/// `repository:tag` names `digest` from `since` on (for a build's move: the time the move was asked for).
package typealias TagPointer = (repository: String, tag: String, digest: String, since: String)

/// `repository:tag` named `digest` from `validFrom` to `validTo`.
package typealias ClosedTagInterval = (repository: String, tag: String, digest: String, validFrom: String, validTo: String)

package protocol BuildStore: BuildReading {
    /// Records builds in one transaction, moving tags whose digest changed. A build already in the ledger
    /// (same repository, digest, tag and run) is not recorded twice: its existing id comes back.
    func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild]
}
