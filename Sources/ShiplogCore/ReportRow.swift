/// One row of a per-service, per-period report (`cost report`, `report dora`): the service and the
/// period's first day, then the report's figures as members of the same object.
package struct ReportRow<Figures: Sendable & Hashable & Encodable>: Sendable, Hashable, Encodable {
    package var service: String
    package var period: String
    package var figures: Figures

    package init(service: String, period: String, figures: Figures) {
        self.service = service
        self.period = period
        self.figures = figures
    }

    enum CodingKeys: String, CodingKey { case service, period }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(service, forKey: .service)
        try container.encode(period, forKey: .period)
        try figures.encode(to: encoder)
    }
}
