import Foundation

/// A signed statement of the log's size and root hash, in the signed-note format:
/// origin line, tree size, base64 root hash, a blank line, then `— <origin> <base64(key hash ‖ signature)>`.
package struct Checkpoint: Sendable, Hashable, Encodable {
    package var origin: String
    package var treeSize: Int64
    @Base64Encoded package var rootHash: [UInt8]
    /// The whole signed note.
    package var note: String
    package var createdAt: Timestamp

    package init(origin: String, treeSize: Int64, rootHash: [UInt8], note: String, createdAt: Timestamp) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.note = note
        self.createdAt = createdAt
    }

    /// The signed part of the note: the three body lines, each ending in a newline.
    package static func body(origin: String, treeSize: Int64, rootHash: [UInt8]) -> String {
        "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n"
    }

    /// The note: body, blank line, signature line (the em dash is part of the format).
    package static func note(body: String, origin: String, keyHash: [UInt8], signature: [UInt8]) -> String {
        body + "\n\u{2014} \(origin) \(Data(keyHash + signature).base64EncodedString())\n"
    }

    /// When it was signed is the ledger's bookkeeping, not part of the document.
    enum CodingKeys: String, CodingKey { case origin, treeSize, rootHash, note }
}

/// One leaf of the transparency log, as stored.
package struct LogEntry: Sendable, Hashable {
    package var index: Int64
    package var kind: String
    package var data: [UInt8]
    package var leafHash: [UInt8]

    package init(index: Int64, kind: String, data: [UInt8], leafHash: [UInt8]) {
        self.index = index
        self.kind = kind
        self.data = data
        self.leafHash = leafHash
    }
}
