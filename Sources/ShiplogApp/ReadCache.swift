import ShiplogCore
import Synchronization

/// Answers to the hot reads (live, lkg, rollback plan) kept until the ledger changes: the server keeps encoded
/// bytes, `shiplog mcp` its tool results.
///
/// Each answer is tagged with the ledger's change counter read *before* it was computed; it is served
/// again only while the counter still has that value. A write that lands during the computation moves
/// the counter, so the next request recomputes: a cached answer is never older than the last commit,
/// whether that commit came through this server or another process writing the same file.
package final class ReadCache<Answer: Sendable>: Sendable {
    private struct Entry {
        var counter: Int64
        var body: Answer
    }

    private let store: any LedgerStatistics
    private let entries = Mutex<[String: Entry]>([:])
    private let capacity = 4096

    package init(store: any LedgerStatistics) { self.store = store }

    package func answer(_ key: String, compute: () async throws -> Answer) async throws -> Answer {
        let counter = try store.changeCounter()
        if let entry = entries.withLock({ $0[key] }), entry.counter == counter { return entry.body }
        let body = try await compute()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(counter: counter, body: body)
        }
        return body
    }
}
