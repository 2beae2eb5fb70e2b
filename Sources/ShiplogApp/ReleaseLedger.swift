import Foundation
import ShiplogCore

/// The operations both doors share: the CLI calls them on a local file, the server on its database.
///
/// Each operation validates its whole input before it writes, and writes in one transaction.
package struct ReleaseLedger: Sendable {
    package let store: any LedgerStore
    let clock: @Sendable () -> Timestamp
    /// The key id of the log's checkpoint key, which the trust store refuses.
    package var logKeyID: String?
    /// Told how far long work got (the CLI on a terminal); nil says nothing.
    package var progress: ProgressReport?

    package init(store: any LedgerStore, clock: @escaping @Sendable () -> Timestamp = ReleaseLedger.systemClock, logKeyID: String? = nil) {
        self.store = store
        self.clock = clock
        self.logKeyID = logKeyID
    }

    /// The ledger's time now (what its writes would record).
    package var clockNow: Timestamp { clock() }

    package static let systemClock: @Sendable () -> Timestamp = {
        Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
    }

    // MARK: - Builds

    /// Records one build; recording the same (repository, digest, tag, run) again returns the same build.
    package func recordBuild(_ build: NewBuild) throws(LedgerError) -> Build {
        do { try build.checkLimits() } catch { throw .invalidInput(error) }
        let time = clock()
        let recorded = try store.record([build], at: time)[0]
        return recorded.isNew ? build.recorded(id: recorded.id, at: time) : try store.build(id: recorded.id)
    }

    package func ingestPushMetadata(_ data: Data, source: String) throws(LedgerError) -> IngestSummary {
        let report: PushMetadataReport
        do { report = try PushMetadataReport.parse(data, source: source) } catch { throw .invalidInput(error) }
        return try ingest(report.builds, source: source)
    }

    package func ingestBuildxMetadata(
        _ data: Data, source: String, context: BuildxMetadata.Context
    ) throws(LedgerError) -> IngestSummary {
        let read: (builds: [NewBuild], provenance: [BuildxMetadata.Provenance])
        do { read = try BuildxMetadata.read(from: data, source: source, context: context) } catch {
            throw .invalidInput(error)
        }
        let summary = try ingest(read.builds, source: source)
        // After the builds (a second transaction): the provenance was read and checked with them, and only adds to them.
        try recordProvenance(read.provenance)
        return summary
    }

    func ingest(_ builds: [NewBuild], source: String) throws(LedgerError) -> IngestSummary {
        for build in builds {
            do { try build.checkLimits() } catch {
                var located = error
                located.source = source
                throw .invalidInput(located)
            }
        }
        if builds.count >= 1_000 { progress?("\(source): \(builds.count) builds read; recording them in one transaction") }
        let results = try store.record(builds, at: clock())
        return IngestSummary(source: source, builds: builds, results: results)
    }

    package func builds(_ query: BuildQuery) throws(LedgerError) -> [Build] {
        try store.builds(matching: query)
    }

    // MARK: - Images

    /// Everything known about an image; `notFound` when the ledger has never seen the digest there.
    package func image(digest: Digest, repository: Repository?) throws(LedgerError) -> [ImageHistory] {
        let found = try store.images(digest: digest, repository: repository)
        guard !found.isEmpty else {
            let place = repository.map { "\($0.name)@" } ?? ""
            throw .notFound("nothing recorded for \(place)\(digest)")
        }
        let trusted = try trustedKeys()
        return try found.map { image throws(LedgerError) in
            var image = image
            image.attestations = try store.attestations(repository: Repository(validated: image.repository), digest: digest)
                .map { judge($0, trusted: trusted) }
            return image
        }
    }
}
