/// A plain, left-aligned table for terminals: a header row and columns separated by two spaces.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    var rendered: String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// `sha256:0123456789ab`: enough of a digest to tell images apart in a table.
    static func short(_ digest: String) -> String {
        guard let colon = digest.firstIndex(of: ":") else { return digest }
        return String(digest[...colon]) + String(digest[digest.index(after: colon)...].prefix(12))
    }
}
