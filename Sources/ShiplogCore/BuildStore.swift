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
    /// Where every tag points now (for comparing the tables with the log).
    func currentTags() throws(LedgerError) -> [TagPointer]
}

/// `repository:tag` names `digest`.
package typealias TagPointer = (repository: String, tag: String, digest: String)

package protocol BuildStore: BuildReading {
    /// Records builds in one transaction, moving tags whose digest changed. A build already in the ledger
    /// (same repository, digest, tag and run) is not recorded twice: its existing id comes back.
    func record(_ builds: [NewBuild], at time: Timestamp) throws(LedgerError) -> [RecordedBuild]
}
