import Foundation
import ShiplogCore
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("parses RFC 3339 forms to the instant Foundation computes", arguments: [
        "2026-11-29T01:50:00Z", "2026-11-29T01:50:00.123Z", "2026-11-29t01:50:00.123456z",
        "2026-11-29T03:50:00+02:00", "2026-11-28T20:20:00-05:30", "1969-07-20T20:17:40Z", "2024-02-29T23:59:59.999Z",
    ])
    func matchesFoundation(_ text: String) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let normalized = text.replacingOccurrences(of: "t", with: "T").replacingOccurrences(of: "z", with: "Z")
        let truncated = normalized.replacingOccurrences(of: ".123456", with: ".123")
        let date = try #require(formatter.date(from: truncated) ?? plain.date(from: truncated))
        let parsed = try Timestamp(rfc3339: text)
        #expect(parsed.millisecondsSinceEpoch == Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    @Test("formats as fixed-width UTC and round-trips")
    func formats() throws {
        let time = try Timestamp(rfc3339: "2026-11-29T03:50:00.5+02:00")
        #expect(time.description == "2026-11-29T01:50:00.500Z")
        #expect(try Timestamp(rfc3339: time.description) == time)
        #expect(Timestamp(millisecondsSinceEpoch: 0).description == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(try Timestamp(rfc3339: "2026-11-29").description == "2026-11-29T00:00:00.000Z")
    }

    @Test("rejects", arguments: ["2026-13-01T00:00:00Z", "2026-02-30", "2026-11-29T25:00:00Z", "2026-11-29T01:50:00",
                                 "yesterday", "2026-11-29T01:50:00+2", "2026-11-29T01:50:00.Z"])
    func rejects(_ text: String) {
        #expect(throws: ValueError.self) { _ = try Timestamp(rfc3339: text) }
    }
}
