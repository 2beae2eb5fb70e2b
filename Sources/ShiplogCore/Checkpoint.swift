import Foundation

/// A signed statement of the log's size and root hash, in the signed-note format:
/// origin line, tree size, base64 root hash, a blank line, then `— <origin> <base64(key hash ‖ signature)>`.
public struct Checkpoint: Sendable, Hashable, Encodable {
    public var origin: String
    public var treeSize: Int64
    @Base64Encoded public var rootHash: [UInt8]
    /// The whole signed note.
    public var note: String
    public var createdAt: Timestamp

    public init(origin: String, treeSize: Int64, rootHash: [UInt8], note: String, createdAt: Timestamp) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.note = note
        self.createdAt = createdAt
    }

    /// The signed part of the note: the three body lines, each ending in a newline.
    public static func body(origin: String, treeSize: Int64, rootHash: [UInt8]) -> String {
        "\(origin)\n\(treeSize)\n\(Data(rootHash).base64EncodedString())\n"
    }

    /// The note: body, blank line, signature line (the em dash is part of the format).
    public static func note(body: String, origin: String, keyHash: [UInt8], signature: [UInt8]) -> String {
        body + "\n\u{2014} \(origin) \(Data(keyHash + signature).base64EncodedString())\n"
    }

    /// When it was signed is the ledger's bookkeeping, not part of the document.
    enum CodingKeys: String, CodingKey { case origin, treeSize, rootHash, note }
}

/// One leaf of the transparency log, as stored.
public struct LogEntry: Sendable, Hashable {
    public var index: Int64
    public var kind: String
    public var data: [UInt8]
    public var leafHash: [UInt8]

    public init(index: Int64, kind: String, data: [UInt8], leafHash: [UInt8]) {
        self.index = index
        self.kind = kind
        self.data = data
        self.leafHash = leafHash
    }
}
