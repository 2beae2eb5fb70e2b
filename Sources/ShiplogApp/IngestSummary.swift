import ShiplogCore

/// What ingesting one file did, build by build.
package struct IngestSummary: Sendable, Hashable, Encodable {
    package struct Entry: Sendable, Hashable, Encodable {
        package var id: Int64
        package var service: String
        package var repository: String
        package var tag: String
        package var digest: String
        /// False when the ledger already had this build (re-ingesting changes nothing).
        package var new: Bool
    }

    package var source: String
    package var recorded: Int
    package var alreadyRecorded: Int
    package var builds: [Entry]

    init(source: String, builds: [NewBuild], results: [RecordedBuild]) {
        self.source = source
        self.builds = zip(builds, results).map { build, result in
            Entry(id: result.id, service: build.service, repository: build.repository.name, tag: build.tag,
                  digest: build.digest.description, new: result.isNew)
        }
        recorded = results.count(where: \.isNew)
        alreadyRecorded = results.count - recorded
    }
}
