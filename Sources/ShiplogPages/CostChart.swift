/// The cost page's chart, drawn on the server as SVG: one group of bars per period, one bar per service, scaled to
/// the largest cost. Only numbers and escaped text reach the SVG.
package struct CostChart {
    package struct Bar {
        package var service: String
        package var period: String
        package var cost: Double
    }

    package static let width = 900
    package static let height = 260
    static let plotTop = 10
    static let plotBottom = 200

    /// The template's `chart` context.
    package static func context(_ bars: [Bar]) -> [String: Any] {
        let services = Array(Set(bars.map(\.service))).sorted()
        let periods = Array(Set(bars.map(\.period))).sorted()
        let largest = max(bars.map(\.cost).max() ?? 0, 0.000_001)
        let groupWidth = Double(width - 40) / Double(max(periods.count, 1))
        let barWidth = max(1, groupWidth * 0.8 / Double(max(services.count, 1)))
        var rects: [[String: Any]] = []
        for bar in bars {
            guard let group = periods.firstIndex(of: bar.period), let index = services.firstIndex(of: bar.service) else { continue }
            let height = Double(plotBottom - plotTop) * bar.cost / largest
            let x = 30 + groupWidth * Double(group) + barWidth * Double(index)
            rects.append(["x": format(x), "y": format(Double(plotBottom) - height), "width": format(barWidth), "height": format(height),
                          "colour": String(index % 10), "service": bar.service, "period": bar.period,
                          "cost": "$" + format(bar.cost, digits: 2)])
        }
        // A period label under every group, as long as they fit (every other one, and so on, when they do not).
        let step = max(1, Int((Double(periods.count) * 80 / Double(width - 40)).rounded(.up)))
        let labels: [[String: Any]] = periods.enumerated().filter { $0.offset % step == 0 }.map { offset, period in
            ["x": format(30 + groupWidth * Double(offset)), "y": String(plotBottom + 14), "text": period]
        }
        let legend: [[String: Any]] = services.prefix(10).enumerated().map { index, service in
            let x = 30 + (index % 5) * 170
            let y = plotBottom + 26 + (index / 5) * 16
            return ["x": String(x), "y": String(y), "textX": String(x + 14), "textY": String(y + 9), "colour": String(index % 10), "service": service]
        }
        return ["width": String(width), "height": String(height), "bars": rects, "labels": labels, "legend": legend]
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        let scale = digits == 2 ? 100.0 : 10.0
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
