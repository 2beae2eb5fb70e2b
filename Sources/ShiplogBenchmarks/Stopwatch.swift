import Foundation

/// Wall-clock timing with the monotonic clock, and the summary statistics the reports print.
enum Stopwatch {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func percentile(_ samples: [Double], _ fraction: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))
        return sorted[index]
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
    static func rate(_ perSecond: Double) -> String { String(format: "%.0f rows/s", perSecond) }
}

/// One line of the report: what was measured, the figure, the target, and whether it was met.
struct Finding {
    var name: String
    var figure: String
    var target: String
    var met: Bool

    var line: String { "\(met ? "PASS" : "MISS")  \(name): \(figure)  (target \(target))" }
}
