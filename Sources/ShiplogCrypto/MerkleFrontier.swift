/// The right edge of an RFC 6962 tree: per level, the complete subtree still waiting for a right sibling. With the
/// size, it is all an append needs; both stores keep one between writes and append through it.
package struct MerkleFrontier: Sendable, Hashable {
    package var size: Int64
    /// `pending[level]` is the hash of the complete subtree of 2^level leaves at the right edge, when there is one.
    package var pending: [MerkleTree.Hash?]

    package init(size: Int64 = 0) {
        self.size = size
        pending = Array(repeating: nil, count: 64)
    }

    /// Appends a leaf; `completed(level, index, hash)` is called, bottom up, for each complete subtree above the leaves
    /// that this leaf closes (the subtree over leaves `[index << level, (index + 1) << level)`).
    package mutating func append(_ leafHash: MerkleTree.Hash, hasher: PrefixedHasher,
                                 completed: (Int, Int64, MerkleTree.Hash) throws -> Void) rethrows {
        var hash = leafHash
        var level = 0
        var position = size
        while position & 1 == 1, let left = pending[level] {
            pending[level] = nil
            hash = MerkleTree.nodeHash(left, hash, hasher: hasher)
            level += 1
            position >>= 1
            try completed(level, position, hash)
        }
        pending[level] = hash
        size += 1
    }
}
