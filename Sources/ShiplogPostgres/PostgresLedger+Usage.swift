import ShiplogCore

extension PostgresLedger: UsageStore {
    /// Pushes move tags, deletes close them, pulls are counted (by the schema's trigger). Returns, per event in the order
    /// given, whether it was new (false: the registry retried an event already recorded).
    package func record(_ events: [RegistryEvent], at time: Timestamp) throws(LedgerError) -> [Bool] {
        let now = time.description
        // One envelope batches events in no guaranteed order: apply them as they happened.
        let order = events.indices.sorted { (events[$0].occurredAt, $0) < (events[$1].occurredAt, $1) }
        return try write { session, log throws(LedgerError) in
            var services: [String: String] = [:]
            var isNew = [Bool](repeating: false, count: events.count)
            for index in order {
                let event = events[index]
                let repository = event.repository.name
                let digest = event.digest?.description
                let service: String
                if let known = services[repository] {
                    service = known
                } else {
                    // The service of the latest build of this repository, else the repository's last path segment.
                    service = try session.row("SELECT service FROM build WHERE repository = $1 ORDER BY id DESC LIMIT 1", [.text(repository)])?
                        .text("service") ?? event.repository.lastComponent
                    services[repository] = service
                }
                guard try session.execute("""
                    INSERT INTO registry_event (event_id, action, repository, digest, tag, bytes, service, format, occurred_at, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING
                    """, [.text(event.eventID), .text(event.action.rawValue), .text(repository), .text(digest), .text(event.tag),
                          .integer(event.bytes.map { Int64($0) }), .text(service), .text(event.format), .text(event.occurredAt.description),
                          .text(now)]) == 1 else { continue }
                isNew[index] = true
                switch event.action {
                case .pull:
                    break
                case .push:
                    if let tag = event.tag, let digest, try PostgresTagHistory.point(session, repository: repository, tag: tag, at: digest, time: now) {
                        try log?.append(.tag(repository: repository, tag: tag, digest: digest, since: now), at: time)
                    }
                case .delete:
                    for removed in try PostgresTagHistory.remove(session, repository: repository, tag: event.tag, digest: digest, time: now) {
                        try log?.append(.tagRemoved(repository: repository, tag: removed.tag, digest: removed.digest, at: now), at: time)
                    }
                }
            }
            return isNew
        }
    }

    package func record(_ samples: [TokenCostSample], replacingDays: [(service: String, day: String)], at time: Timestamp) throws(LedgerError) -> Int {
        let now = time.description
        return try write { session, _ throws(LedgerError) in
            var replaced = 0
            for (service, day) in replacingDays {
                replaced += try session.execute("DELETE FROM token_cost_sample WHERE source = 'langfuse-daily' AND service = $1 AND day = $2",
                                                [.text(service), .text(day)])
            }
            for sample in samples {
                // xmax is non-zero on a row the upsert updated rather than inserted.
                let row = try session.row("""
                    INSERT INTO token_cost_sample (source, source_id, service, day, time, model, input_tokens, output_tokens,
                                                   total_tokens, cost_micros, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                    ON CONFLICT (source, source_id) DO UPDATE SET service = excluded.service, day = excluded.day, time = excluded.time,
                        model = excluded.model, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                        total_tokens = excluded.total_tokens, cost_micros = excluded.cost_micros, recorded_at = excluded.recorded_at
                    RETURNING (xmax <> 0) AS replaced
                    """, [.text(sample.source), .text(sample.sourceID), .text(sample.service), .text(sample.day), .text(sample.time?.description),
                          .text(sample.model), .integer(Int64(sample.inputTokens)), .integer(Int64(sample.outputTokens)),
                          .integer(Int64(sample.totalTokens)), .integer(Int64(sample.cost.value)), .text(now)])
                if try row?.bool("replaced") == true { replaced += 1 }
            }
            return replaced
        }
    }

    package func dailyUsage(from: String, through: String) throws(LedgerError) -> [DailyUsage] {
        try read { session throws(LedgerError) in
            var days: [String: DailyUsage] = [:]
            func usage(_ service: String, _ day: String) -> String {
                let key = service + "\u{0}" + day
                if days[key] == nil { days[key] = DailyUsage(service: service, day: day) }
                return key
            }
            for row in try session.rows("""
                SELECT service, day, input_tokens, output_tokens, total_tokens, cost_micros FROM token_daily
                WHERE day BETWEEN $1 AND $2 AND samples > 0
                """, [.text(from), .text(through)]) {
                let key = usage(try row.text("service"), try row.text("day"))
                days[key]?.figures.inputTokens = try row.integer("input_tokens")
                days[key]?.figures.outputTokens = try row.integer("output_tokens")
                days[key]?.figures.totalTokens = try row.integer("total_tokens")
                days[key]?.figures.cost = MicroDollars(try row.integer("cost_micros"))
            }
            for row in try session.rows("SELECT service, day, pulls, bytes, sized_pulls FROM pull_daily WHERE day BETWEEN $1 AND $2",
                                        [.text(from), .text(through)]) {
                let key = usage(try row.text("service"), try row.text("day"))
                days[key]?.figures.pulls = try row.integer("pulls")
                days[key]?.figures.bytesPulled = try row.integer("bytes")
                days[key]?.figures.sizedPulls = try row.integer("sized_pulls")
            }
            // started_at is RFC 3339 UTC: a day's deploys start with its date.
            for row in try session.rows("""
                SELECT service, substr(started_at, 1, 10) AS day, count(*) AS deploys, count(*) FILTER (WHERE state = 'failed') AS failed FROM deploy
                WHERE started_at >= $1 AND started_at < $2 GROUP BY service, substr(started_at, 1, 10)
                """, [.text(from), .text(through + "T99")]) {
                let key = usage(try row.text("service"), try row.text("day"))
                days[key]?.figures.deploys = try row.integer("deploys")
                days[key]?.figures.failedDeploys = try row.integer("failed")
            }
            return Array(days.values)
        }
    }
}
