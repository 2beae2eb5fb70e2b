import Foundation
import ShiplogCore

/// Reads usage from a Langfuse server's public API (basic auth with the project's key pair), page by page.
package struct LangfuseClient: Sendable {
    package enum Kind: String, Sendable, CaseIterable {
        case daily, observations
    }

    let host: URL
    let authorization: String

    package init(host: String, publicKey: String, secretKey: String) throws(LedgerError) {
        let trimmed = host.hasSuffix("/") ? String(host.dropLast()) : host
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw .invalidInput(InvalidInput(field: "--host", value: host, reason: "expected an http:// or https:// URL"))
        }
        self.host = url
        authorization = "Basic " + Data("\(publicKey):\(secretKey)".utf8).base64EncodedString()
    }

    /// Every page of daily metrics or generations from `from` through `to` (UTC dates, inclusive), in order;
    /// `page(number, body)` ingests each as it arrives, and returns the page count the response announced.
    package func fetch(_ kind: Kind, from: Timestamp, to: Timestamp, traceName: String?,
                      page handle: (Int, Data) async throws(LedgerError) -> Int?) async throws(LedgerError) {
        let end = Timestamp(millisecondsSinceEpoch: to.millisecondsSinceEpoch + 86_400_000)  // through the end of `to`
        var number = 1
        var total = 1
        repeat {
            var query: [(String, String)] = [("page", String(number)), ("limit", "100")]
            switch kind {
            case .daily:
                query += [("fromTimestamp", from.description), ("toTimestamp", end.description)]
                if let traceName { query.append(("traceName", traceName)) }
            case .observations:
                query += [("type", "GENERATION"), ("fromStartTime", from.description), ("toStartTime", end.description)]
                if let traceName { query.append(("name", traceName)) }
            }
            let path = kind == .daily ? "/api/public/metrics/daily" : "/api/public/observations"
            let data = try await get(path, query: query)
            total = try await handle(number, data) ?? number
            number += 1
        } while number <= total
    }

    private func get(_ path: String, query: [(String, String)]) async throws(LedgerError) -> Data {
        let text = query.map { "\($0)=\(RemoteLedger.percentEncoded($1))" }.joined(separator: "&")
        guard let url = URL(string: host.absoluteString + path + "?" + text) else {
            throw .invalidInput(InvalidInput(field: "--host", value: host.absoluteString, reason: "not a valid URL"))
        }
        let (status, data) = try await HTTPTransport.exchange(
            "GET", url.absoluteString, headers: [("Authorization", authorization), ("Accept", "application/json")], body: nil,
            timeout: 60, host: host.absoluteString)
        switch status {
        case 200..<300: return data
        case 401, 403: throw .denied("\(host.absoluteString) refused the key pair (HTTP \(status))")
        default: throw .storage("\(url.absoluteString) answered \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}
