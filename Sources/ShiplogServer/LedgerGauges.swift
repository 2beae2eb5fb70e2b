import ShiplogApp
import ShiplogCore
import Synchronization

/// The ledger's own series on /metrics (row counts, `shiplog_live_info`), kept until the ledger changes:
/// reading what is live in every environment costs a few milliseconds on a large ledger, every scrape.
/// Tagged with the change counter read before computing, as `ReadCache` does, so never older than the
/// last commit.
final class LedgerGauges: Sendable {
    private let ledger: ReleaseLedger
    private let kept = Mutex<(counter: Int64, text: String)?>(nil)

    init(ledger: ReleaseLedger) { self.ledger = ledger }

    func text() throws(LedgerError) -> String {
        let counter = try ledger.store.changeCounter()
        if let kept = kept.withLock({ $0 }), kept.counter == counter { return kept.text }
        let text = try ServerMetrics.ledgerSeries(ledger)
        kept.withLock { $0 = (counter, text) }
        return text
    }
}
