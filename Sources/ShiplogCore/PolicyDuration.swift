/// A soak time as Kargo and Go write durations: one or more `<n><unit>` with units d, h, m, s (`1h`, `1h30m`,
/// `2d`). `1 hour`, `90`, `-1h` and `0s` are refused: a soak that cannot be read must never pass as zero.
package struct PolicyDuration: Sendable, Hashable, CustomStringConvertible {
    package let seconds: Int64
    package let description: String

    /// Thirty years: longer is a typo, and keeps every sum far from overflowing.
    static let longest: Int64 = 30 * 365 * 86_400

    package init(parsing text: String) throws(ValueError) {
        let reason = "a duration is one or more <number><unit>, units d, h, m, s (1h, 1h30m, 2d)"
        var total: Int64 = 0
        var number: Int64?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let next = (number ?? 0) * 10 + Int64(digit)
                guard next <= Self.longest else { throw ValueError(value: text, reason: "longer than thirty years") }
                number = next
                continue
            }
            let unit: Int64
            switch character {
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: throw ValueError(value: text, reason: reason)
            }
            guard let value = number else { throw ValueError(value: text, reason: reason) }
            total += value * unit
            guard total <= Self.longest else { throw ValueError(value: text, reason: "longer than thirty years") }
            number = nil
        }
        guard number == nil, !text.isEmpty else { throw ValueError(value: text, reason: reason) }
        guard total > 0 else { throw ValueError(value: text, reason: "a soak time must be longer than zero") }
        seconds = total
        description = text
    }
}
