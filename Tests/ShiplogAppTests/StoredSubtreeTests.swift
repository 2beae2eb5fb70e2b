import ShiplogApp
import ShiplogCore
import ShiplogCrypto
import Testing

/// `log verify` holds the subtree hashes a store keeps to what the leaves make, whichever it keeps.
@Suite("kept subtree hashes against the leaves")
struct StoredSubtreeTests {
    /// Every level of a tree of `size` leaves, computed from the leaves.
    static func levels(size: Int) -> [[[UInt8]]] {
        var levels = [(0 ..< size).map { MerkleTree.leafHash(Array("entry \($0)".utf8)) }]
        while let below = levels.last, below.count > 1 {
            levels.append(stride(from: 0, to: below.count - 1, by: 2).map { MerkleTree.nodeHash(below[$0], below[$0 + 1]) })
        }
        return levels
    }

    /// What a store keeping levels 4 and up holds for that tree.
    static func kept(_ levels: [[[UInt8]]], from lowest: Int = 4) -> [SubtreeHash] {
        (lowest ..< max(lowest, levels.count)).flatMap { level in
            levels[level].enumerated().map { (level: level, index: Int64($0.offset), hash: $0.element) }
        }
    }

    @Test("a faithful store passes, whichever levels it keeps", arguments: [1, 15, 16, 17, 64, 100])
    func faithful(size: Int) {
        let levels = Self.levels(size: size)
        #expect(ReleaseLedger.firstStoredSubtreeMismatch(Self.kept(levels), levels: levels) == nil)
        #expect(ReleaseLedger.firstStoredSubtreeMismatch(Self.kept(levels, from: 1), levels: levels) == nil)
        #expect(ReleaseLedger.firstStoredSubtreeMismatch([], levels: levels) == nil)
    }

    @Test("a changed, missing or extra kept hash names the first entry under it", arguments: [
        ("a hash changed", 1),
        ("a hash removed", 2),
        ("a whole level removed", 3),
        ("a hash of entries the log no longer has", 4),
        ("a row naming a level below zero", 5),
    ])
    func mismatch(_ what: String, _ kind: Int) throws {
        let levels = Self.levels(size: 100)
        var kept = Self.kept(levels)
        var expectedFirst: Int64
        switch kind {
        case 1:
            let position = try #require(kept.firstIndex { $0.level == 4 && $0.index == 3 })
            kept[position].hash = [UInt8](repeating: 0, count: 32)
            expectedFirst = 48
        case 2:
            kept.removeAll { $0.level == 4 && $0.index == 2 }
            expectedFirst = 32
        case 3:
            kept.removeAll { $0.level == 5 }
            expectedFirst = 0
        case 5:
            // A kept hash rewritten in the file to an impossible place: reported, never a crash.
            kept.insert((level: -1, index: 0, hash: [UInt8](repeating: 0, count: 32)), at: 0)
            let result = ReleaseLedger.firstStoredSubtreeMismatch(kept, levels: levels)
            #expect(result != nil, "\(what)")
            return
        default:
            // The log was cut to 80 entries; the store still holds the hash over entries 80-95.
            let truncated = Self.levels(size: 80)
            kept = Self.kept(levels).filter { $0.level == 4 }
            let result = ReleaseLedger.firstStoredSubtreeMismatch(kept, levels: truncated)
            #expect(result?.firstLeaf == 80, "\(what)")
            return
        }
        let result = ReleaseLedger.firstStoredSubtreeMismatch(kept, levels: levels)
        #expect(result?.firstLeaf == expectedFirst, "\(what)")
        #expect(result?.problem.contains("no longer matches its stored hash") == true)
    }
}
