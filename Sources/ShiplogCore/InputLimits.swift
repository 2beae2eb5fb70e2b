/// The limits on the text a ledger field holds, in one place (docs/input-limits.md lists them).
///
/// Names, ids and refs hold no control character at all; free text (a check's detail, a reason) may hold
/// line breaks and tabs but never NUL, which SQLite's C interface would cut the value at. Lengths count
/// characters as SQLite's `length()` does: Unicode scalars.
package enum InputLimits {
    package enum Kind: Sendable {
        /// A name, id, ref or URL: printable characters only.
        case name
        /// Free text: anything but NUL and the other C0 controls besides tab, line feed and carriage return.
        case text
    }

    package static let commit = 128
    package static let ref = 255
    package static let runID = 128
    package static let runURL = 2048
    package static let builder = 255
    package static let labelKey = 255
    package static let labelValue = 4096
    package static let checkName = 128
    package static let detail = 4096
    package static let actor = 255
    package static let reason = 1024

    /// `text` as given, or why it cannot be stored.
    package static func check(_ text: String, _ kind: Kind, atMost limit: Int) throws(ValueError) {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            let value = scalar.value
            let allowedControl = kind == .text && (value == 0x09 || value == 0x0A || value == 0x0D)
            if (value < 0x20 || value == 0x7F) && !allowedControl {
                let hex = String(value, radix: 16, uppercase: true)
                throw ValueError(value: text, reason: "holds a control character (U+\(String(repeating: "0", count: 4 - hex.count))\(hex))")
            }
        }
        guard count <= limit else { throw ValueError(value: text, reason: "is longer than \(limit) characters (\(count))") }
    }
}

extension NewBuild {
    /// The build's free-form fields held to `InputLimits`; the error names the field as the contract does.
    package func checkLimits() throws(InvalidInput) {
        func check(_ value: String?, _ field: String, _ limit: Int, _ kind: InputLimits.Kind = .name) throws(InvalidInput) {
            guard let value else { return }
            do { try InputLimits.check(value, kind, atMost: limit) } catch { throw error.at(field) }
        }
        try check(commit, "commit", InputLimits.commit)
        try check(ref, "ref", InputLimits.ref)
        try check(runID, "run_id", InputLimits.runID)
        try check(runURL, "run_url", InputLimits.runURL)
        try check(builder, "builder", InputLimits.builder)
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            try check(key, "labels", InputLimits.labelKey)
            try check(value, "labels.\(key)", InputLimits.labelValue, .text)
        }
    }
}
