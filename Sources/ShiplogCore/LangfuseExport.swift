import Foundation

/// Langfuse usage, as files: `GET /api/public/metrics/daily` responses (one service's days, by model), and
/// exports of observations (`GET /api/public/observations`, or an array of them), whose GENERATION
/// observations become one sample each. Amounts are read as decimals, so cents are never approximated.
package enum LangfuseExport {
    /// Which service an observation's usage belongs to.
    package enum ServiceMapping: Sendable, Hashable {
        case traceName
        case metadata(key: String)
        case tagPrefix(String)

        /// `trace-name`, `metadata:KEY` or `tag:PREFIX` (e.g. `tag:agent:` for traces tagged `agent:orders`).
        package init(parsing text: String) throws(ValueError) {
            if text == "trace-name" {
                self = .traceName
            } else if text.hasPrefix("metadata:"), text.count > "metadata:".count {
                self = .metadata(key: String(text.dropFirst("metadata:".count)))
            } else if text.hasPrefix("tag:"), text.count > "tag:".count {
                self = .tagPrefix(String(text.dropFirst("tag:".count)))
            } else {
                throw ValueError(value: text, reason: "expected trace-name, metadata:KEY or tag:PREFIX")
            }
        }
    }

    package struct Parsed: Sendable {
        package var samples: [TokenCostSample]
        /// Daily metrics replace whole (service, day)s; the days the file covers.
        package var days: [String]
        /// Observations that are not generations (spans, events).
        package var ignored: Int
        /// `meta.totalPages`, for paging through the API.
        package var totalPages: Int?
    }

    package static func parse(_ data: Data, source: String, service: String?, mapping: ServiceMapping?) throws(InvalidInput) -> Parsed {
        let document = try JSONInput.value(from: data, source: source)
        let items: [JSONValue]
        switch document {
        case let .array(values): items = values
        case let .object(members):
            guard case let .array(values)? = members["data"] else {
                throw InvalidInput(source: source, reason: "unknown Langfuse export: expected {\"data\": [...]} or an array of observations")
            }
            items = values
        default:
            throw InvalidInput(source: source, value: document.typeName, reason: "unknown Langfuse export: expected a JSON object")
        }
        let pages: Int? = {
            if case let .integer(count)? = document["meta"]?["totalPages"] { return Int(count) }
            return nil
        }()
        let isDaily = items.first.map { $0["date"] != nil && $0["usage"] != nil } ?? false
        if isDaily {
            guard let service else {
                // About the request, not the file: no source, so the CLI names its flag.
                throw InvalidInput(field: "service", reason: "daily metrics name no service; pass --service for the agent they belong to")
            }
            let page = try JSONInput.decode(DailyPage.self, from: data, source: source)
            return try daily(page.data, service: service, source: source, pages: pages)
        }
        let page: ObservationPage
        if case .array = document {
            page = ObservationPage(data: try JSONInput.decode([Observation].self, from: data, source: source))
        } else {
            page = try JSONInput.decode(ObservationPage.self, from: data, source: source)
        }
        return try observations(page.data, service: service, mapping: mapping, source: source, pages: pages)
    }

    static func tokens(_ value: Decimal?, field: String, source: String) throws(InvalidInput) -> Int64 {
        guard let value else { return 0 }
        // Bounded so that sums over millions of samples stay within 64 bits.
        var given = value
        var whole = Decimal()
        NSDecimalRound(&whole, &given, 0, .plain)
        // A fraction would be cut off when stored: refused rather than changed.
        guard value >= 0, value <= 1e12, whole == value else {
            throw InvalidInput(source: source, field: field, value: "\(value)", reason: "a token count is a whole number from 0 to 10^12")
        }
        return NSDecimalNumber(decimal: value).int64Value
    }

    static func money(_ value: Decimal?, field: String, source: String) throws(InvalidInput) -> MicroDollars {
        guard let value else { return MicroDollars(0) }
        guard value >= 0, value <= 1_000_000 else {
            throw InvalidInput(source: source, field: field, value: "\(value)", reason: "a cost is a number of dollars from 0 to 1,000,000")
        }
        return MicroDollars(dollars: value)
    }

    static func daily(_ days: [DailyPage.Day], service: String, source: String, pages: Int?) throws(InvalidInput) -> Parsed {
        var samples: [TokenCostSample] = []
        var covered: [String] = []
        // One sample per (day, model): a second would replace the first, and the summary would count both.
        var seen: [String: String] = [:]
        for (dayIndex, day) in days.enumerated() {
            let path = "data[\(dayIndex)]"
            let date: Timestamp
            do { date = try Timestamp(rfc3339: day.date) } catch { throw error.at("\(path).date", in: source) }
            covered.append(date.date)
            for (index, usage) in day.usage.enumerated() {
                let field = "\(path).usage[\(index)]"
                let sourceID = "\(service)/\(date.date)/\(usage.model ?? "")"
                if let first = seen.updateValue(field, forKey: sourceID) {
                    throw InvalidInput(source: source, field: field, value: usage.model ?? date.date,
                                       reason: "the same day and model as \(first): one file gives each day's usage once")
                }
                let input = try tokens(usage.inputUsage, field: "\(field).inputUsage", source: source)
                let output = try tokens(usage.outputUsage, field: "\(field).outputUsage", source: source)
                samples.append(TokenCostSample(
                    source: "langfuse-daily", sourceID: sourceID, service: service, day: date.date,
                    time: nil, model: usage.model, inputTokens: input, outputTokens: output,
                    totalTokens: usage.totalUsage == nil ? input + output : try tokens(usage.totalUsage, field: "\(field).totalUsage", source: source),
                    cost: try money(usage.totalCost, field: "\(field).totalCost", source: source)))
            }
        }
        return Parsed(samples: samples, days: covered, ignored: 0, totalPages: pages)
    }

    static func observations(_ items: [Observation], service fallback: String?, mapping: ServiceMapping?, source: String,
                             pages: Int?) throws(InvalidInput) -> Parsed {
        var samples: [TokenCostSample] = []
        var ignored = 0
        var seen: [String: String] = [:]
        for (index, item) in items.enumerated() {
            let path = "data[\(index)]"
            // The same observation twice would be stored once and counted twice.
            if let first = seen.updateValue(path, forKey: item.id) {
                throw InvalidInput(source: source, field: "\(path).id", value: item.id, reason: "the same observation as \(first).id")
            }
            guard item.type == nil || item.type == "GENERATION" else {
                ignored += 1
                continue
            }
            guard let started = item.startTime else {
                throw InvalidInput(source: source, field: "\(path).startTime", reason: "required field is missing")
            }
            let time: Timestamp
            do { time = try Timestamp(rfc3339: started) } catch { throw error.at("\(path).startTime", in: source) }
            let mapped: String? = switch mapping {
            case .traceName: item.traceName
            case let .metadata(key)?: item.metadata?[key]?.stringValue
            case let .tagPrefix(prefix)?:
                (item.traceTags ?? item.tags ?? []).first { $0.hasPrefix(prefix) && $0.count > prefix.count }.map { String($0.dropFirst(prefix.count)) }
            case nil: nil
            }
            guard let serviceText = mapped ?? fallback else {
                throw InvalidInput(source: source, field: path, value: item.id,
                                   reason: "no service for this generation (pass --service-from or --service)")
            }
            let service: String
            do { service = try ServiceName.validate(serviceText) } catch { throw error.at("\(path) (service)", in: source) }
            // usageDetails (Langfuse v3) or the older usage object; costDetails or calculatedTotalCost.
            let input = try tokens(item.usageDetails?["input"] ?? item.usage?.input, field: "\(path).usageDetails.input", source: source)
            let output = try tokens(item.usageDetails?["output"] ?? item.usage?.output, field: "\(path).usageDetails.output", source: source)
            let total = item.usageDetails?["total"] ?? item.usage?.total
            let costValue = item.costDetails?["total"] ?? item.calculatedTotalCost ?? item.totalCost ?? item.usage?.totalCost
                ?? item.costDetails.map { $0.values.reduce(Decimal(0), +) }
            samples.append(TokenCostSample(
                source: "langfuse-observation", sourceID: item.id, service: service, day: time.date, time: time, model: item.model,
                inputTokens: input, outputTokens: output,
                totalTokens: total == nil ? input + output : try tokens(total, field: "\(path).usageDetails.total", source: source),
                cost: try money(costValue, field: "\(path).costDetails.total", source: source)))
        }
        return Parsed(samples: samples, days: [], ignored: ignored, totalPages: pages)
    }

    struct DailyPage: Decodable {
        struct Day: Decodable {
            var date: String
            var usage: [Usage]
        }

        struct Usage: Decodable {
            var model: String?
            var inputUsage: Decimal?
            var outputUsage: Decimal?
            var totalUsage: Decimal?
            var totalCost: Decimal?
        }

        var data: [Day]
    }

    struct ObservationPage: Decodable {
        var data: [Observation]
    }

    struct Observation: Decodable {
        struct Usage: Decodable {
            var input: Decimal?
            var output: Decimal?
            var total: Decimal?
            var totalCost: Decimal?
        }

        var id: String
        var type: String?
        var traceId: String?
        var traceName: String?
        var traceTags: [String]?
        var tags: [String]?
        var startTime: String?
        var model: String?
        var usageDetails: [String: Decimal]?
        var usage: Usage?
        var costDetails: [String: Decimal]?
        var calculatedTotalCost: Decimal?
        var totalCost: Decimal?
        var metadata: JSONValue?
    }
}
