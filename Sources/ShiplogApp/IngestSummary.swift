import ShiplogCore

/// What ingesting one file did, build by build.
public struct IngestSummary: Sendable, Hashable, Encodable {
    public struct Entry: Sendable, Hashable, Encodable {
        public var id: Int64
        public var service: String
        public var repository: String
        public var tag: String
        public var digest: String
        /// False when the ledger already had this build (re-ingesting changes nothing).
        public var new: Bool
    }

    public var source: String
    public var recorded: Int
    public var alreadyRecorded: Int
    public var builds: [Entry]

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
