import ShiplogCore

/// What `report dora` and `GET /v1/reports/dora` ask: an environment, a range of UTC days (by default the
/// last 30 up to today), periods of a week or a month, and optionally one service.
package struct DeliveryReportRequest: Sendable {
    package var environment: String
    package var from: String?
    package var to: String?
    package var by: DeliveryReport.Period = .week
    package var service: String?

    package init(environment: String, from: String? = nil, to: String? = nil, by: DeliveryReport.Period = .week, service: String? = nil) {
        self.environment = environment
        self.from = from
        self.to = to
        self.by = by
        self.service = service
    }
}

extension ReleaseLedger {
    static let dayLength: Int64 = 86_400_000

    /// The UTC midnight that starts the day of `time`.
    static func midnight(of time: Timestamp) -> Timestamp {
        let since: Int64 = time.millisecondsSinceEpoch % dayLength
        let into: Int64 = since < 0 ? since + dayLength : since
        return Timestamp(millisecondsSinceEpoch: time.millisecondsSinceEpoch - into)
    }

    /// The four DORA keys of an environment from its recorded deploys (docs/dora.md).
    package func deliveryReport(_ request: DeliveryReportRequest) throws(LedgerError) -> DeliveryReport {
        let environment = try existingEnvironment(request.environment)
        let end: Timestamp
        do { end = try request.to.map { text throws(ValueError) in try Timestamp(rfc3339: text) } ?? clock() } catch {
            throw .invalidInput(error.at("to"))
        }
        let start: Timestamp
        do {
            start = try request.from.map { text throws(ValueError) in try Timestamp(rfc3339: text) }
                ?? Timestamp(millisecondsSinceEpoch: end.millisecondsSinceEpoch - 29 * Self.dayLength)
        } catch {
            throw .invalidInput(error.at("from"))
        }
        guard start.date <= end.date else {
            throw .invalidInput(InvalidInput(field: "to", value: end.date, reason: "the report ends before it starts (\(start.date))"))
        }
        if let service = request.service {
            do { _ = try ServiceName.validate(service) } catch { throw .invalidInput(error.at("service")) }
        }
        // Whole UTC days: from the first day's midnight to the midnight after the last.
        let first = Self.midnight(of: start)
        let afterLast = Timestamp(millisecondsSinceEpoch: Self.midnight(of: end).millisecondsSinceEpoch + Self.dayLength)
        let deploys = try store.deliveryDeploys(environment: environment.name, startedBefore: afterLast,
                                                  signatures: environment.requireSignature)
        let unfinished = try store.unfinishedDeploys(environment: environment.name, from: first, to: afterLast)
        do {
            return try DeliveryReport(environment: environment.name, protected: environment.requireSignature, from: start.date, to: end.date,
                                      by: request.by, service: request.service, deploys: deploys, unfinished: unfinished)
        } catch {
            throw .invalidInput(error.at("from"))
        }
    }
}
