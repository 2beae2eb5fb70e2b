import Foundation
import GRDB
import ShiplogCore

extension SQLiteLedger {
    package func record(_ samples: [TokenCostSample], replacingDays: [(service: String, day: String)], at time: Timestamp) throws(LedgerError) -> Int {
        let now = time.description
        return try write { db in
            var replaced = 0
            for (service, day) in replacingDays {
                try db.execute(sql: "DELETE FROM token_cost_sample WHERE source = 'langfuse-daily' AND service = ? AND day = ?",
                               arguments: [service, day])
                replaced += db.changesCount
            }
            let exists = try BulkStatement(db, sql: "SELECT 1 FROM token_cost_sample WHERE source = ? AND source_id = ?")
            let upsert = try BulkStatement(db, sql: """
                INSERT INTO token_cost_sample (source, source_id, service, day, time, model, input_tokens, output_tokens,
                                               total_tokens, cost_micros, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, source_id) DO UPDATE SET service = excluded.service, day = excluded.day, time = excluded.time,
                    model = excluded.model, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                    total_tokens = excluded.total_tokens, cost_micros = excluded.cost_micros, recorded_at = excluded.recorded_at
                """)
            for sample in samples {
                exists.bind(1, sample.source)
                exists.bind(2, sample.sourceID)
                if try exists.firstInteger() != nil { replaced += 1 }
                for (index, text) in [sample.source, sample.sourceID, sample.service, sample.day, sample.time?.description, sample.model].enumerated() {
                    upsert.bind(Int32(index + 1), text)
                }
                upsert.bind(7, Int(sample.inputTokens))
                upsert.bind(8, Int(sample.outputTokens))
                upsert.bind(9, Int(sample.totalTokens))
                upsert.bind(10, Int(sample.cost.value))
                upsert.bind(11, now)
                _ = try upsert.execute()
            }
            return replaced
        }
    }

    package func dailyUsage(from: String, through: String) throws(LedgerError) -> [DailyUsage] {
        try read { db in
            var days: [String: DailyUsage] = [:]
            func usage(_ service: String, _ day: String) -> String {
                let key = service + "\u{0}" + day
                if days[key] == nil { days[key] = DailyUsage(service: service, day: day) }
                return key
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT service, day, input_tokens, output_tokens, total_tokens, cost_micros FROM token_daily
                WHERE day BETWEEN ? AND ? AND samples > 0
                """, arguments: [from, through]) {
                let key = usage(row[0], row[1])
                days[key]?.figures.inputTokens = row[2]
                days[key]?.figures.outputTokens = row[3]
                days[key]?.figures.totalTokens = row[4]
                days[key]?.figures.cost = MicroDollars(row[5])
            }
            for row in try Row.fetchAll(db, sql: "SELECT service, day, pulls, bytes, sized_pulls FROM pull_daily WHERE day BETWEEN ? AND ?",
                                           arguments: [from, through]) {
                let key = usage(row[0], row[1])
                days[key]?.figures.pulls = row[2]
                days[key]?.figures.bytesPulled = row[3]
                days[key]?.figures.sizedPulls = row[4]
            }
            // started_at is RFC 3339 UTC: a day's deploys start with its date.
            for row in try Row.fetchAll(db, sql: """
                SELECT service, substr(started_at, 1, 10) AS day, count(*), sum(state = 'failed') FROM deploy
                WHERE started_at >= ? AND started_at < ? GROUP BY service, day
                """, arguments: [from, through + "T99"]) {
                let key = usage(row[0], row[1])
                days[key]?.figures.deploys = row[2]
                days[key]?.figures.failedDeploys = row[3]
            }
            return Array(days.values)
        }
    }
}
