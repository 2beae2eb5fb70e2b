import ShiplogCore

extension PostgresLedger: LedgerStatistics {
    package func sizes() throws(LedgerError) -> [(kind: String, count: Int64)] {
        try single { session throws(LedgerError) in
            // count(*), not max(id) as on SQLite: an identity column skips the values of rolled-back and conflicting inserts.
            guard let row = try session.row("""
                SELECT (SELECT count(*) FROM build) AS builds, (SELECT count(*) FROM deploy) AS deploys,
                       (SELECT count(*) FROM signature) AS signatures, (SELECT count(*) FROM attestation) AS attestations,
                       (SELECT coalesce(max(leaf_index) + 1, 0) FROM log_entry) AS log_entries, (SELECT count(*) FROM key) AS keys
                """) else { return [] }
            return try ["builds", "deploys", "signatures", "attestations", "log_entries", "keys"].map { kind throws(LedgerError) in
                (kind, try row.integer(kind))
            }
        }
    }

    /// Moves with every committed write of any server: notified to each server as it commits, or, while a server is not
    /// listening, the counter each write transaction moves in `ledger_head`.
    package func changeCounter() throws(LedgerError) -> Int64 {
        try changes.counter { () throws(LedgerError) in
            try single { session throws(LedgerError) in try session.row("SELECT changes FROM ledger_head WHERE id = 1")?.integer("changes") ?? 0 }
        }
    }
}
