/// RFC 6962 (and RFC 9162 §2.1) Merkle tree hashing, proofs and proof verification.
///
/// leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right). Proofs are built from the hashes
/// of complete, aligned subtrees (`subtree(level, index)` covers leaves `[index·2^level, (index+1)·2^level)`),
/// which a log stores as it grows, so no proof rehashes the tree.
package enum MerkleTree {
    package typealias Hash = [UInt8]

    /// Looks up the stored hash of a complete subtree.
    package typealias SubtreeLookup = (_ level: Int, _ index: Int64) throws -> Hash

    /// `hasher`: pass one to reuse across many hashes (the log's appends).
    package static func leafHash(_ data: some Collection<UInt8>, hasher: PrefixedHasher = PrefixedHasher()) -> Hash {
        hasher.hash(prefix: 0x00, data)
    }

    package static func nodeHash(_ left: Hash, _ right: Hash, hasher: PrefixedHasher = PrefixedHasher()) -> Hash {
        hasher.hash(prefix: 0x01, left, right)
    }

    // MARK: - Building proofs from stored subtrees

    /// MTH(D[start:end]) from the complete subtrees that tile the range.
    package static func rangeHash(_ start: Int64, _ end: Int64, _ subtree: SubtreeLookup) throws -> Hash {
        precondition(start < end, "an empty range has no hash here")
        var parts: [Hash] = []
        var position = start
        while position < end {
            var level = 0
            // The largest aligned power of two that starts at `position` and fits before `end`.
            while position % (Int64(1) << (level + 1)) == 0, position + (Int64(1) << (level + 1)) <= end { level += 1 }
            parts.append(try subtree(level, position >> level))
            position += Int64(1) << level
        }
        // RFC 6962 splits at the largest power of two: the tiles fold from the right.
        var hash = parts.removeLast()
        while let left = parts.popLast() { hash = nodeHash(left, hash) }
        return hash
    }

    /// PATH(m, D[0:n]): the audit path of leaf `index` in the tree of `size` leaves.
    package static func inclusionProof(index: Int64, size: Int64, _ subtree: SubtreeLookup) throws -> [Hash] {
        var proof: [Hash] = []
        var start: Int64 = 0
        var end = size
        var m = index
        while end - start > 1 {
            let k = largestPowerOfTwo(below: end - start)
            let left = m < k
            proof.append(try narrow(&start, &end, &m, at: k, toLeft: left, subtree))
        }
        return proof.reversed()
    }

    /// PROOF(m, D[0:n]): the consistency proof between the trees of `from` and `to` leaves.
    package static func consistencyProof(from: Int64, to: Int64, _ subtree: SubtreeLookup) throws -> [Hash] {
        guard from > 0, from < to else { return [] }
        var proof: [Hash] = []
        var start: Int64 = 0
        var end = to
        var m = from
        var complete = true
        while true {
            if m == end - start {
                if !complete { proof.append(try rangeHash(start, end, subtree)) }
                break
            }
            let k = largestPowerOfTwo(below: end - start)
            let left = m <= k
            proof.append(try narrow(&start, &end, &m, at: k, toLeft: left, subtree))
            if !left { complete = false }
        }
        return proof.reversed()
    }

    /// The step both proofs repeat: [start, end) is split at `start + k`; the walk goes on in the side that
    /// holds `m` (the left one when `toLeft`), and the other side's hash is returned for the proof.
    private static func narrow(
        _ start: inout Int64, _ end: inout Int64, _ m: inout Int64, at k: Int64, toLeft: Bool, _ subtree: SubtreeLookup
    ) throws -> Hash {
        if toLeft {
            let right = try rangeHash(start + k, end, subtree)
            end = start + k
            return right
        }
        let left = try rangeHash(start, start + k, subtree)
        start += k
        m -= k
        return left
    }

    /// The largest power of two strictly less than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int64) -> Int64 {
        var k: Int64 = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    // MARK: - Verifying proofs (transparency-dev/merkle's algorithm, RFC 9162 §2.1.3–2.1.4)

    package enum ProofError: Error, Equatable, CustomStringConvertible {
        case indexBeyondSize(index: Int64, size: Int64)
        case wrongHashSize(Int)
        case wrongProofSize(got: Int, want: Int)
        case rootMismatch
        case sizesOutOfOrder(from: Int64, to: Int64)
        case nonEmptyProof
        case emptyTree

        package var description: String {
            switch self {
            case let .indexBeyondSize(index, size): "leaf \(index) is not in a tree of \(size) leaves"
            case let .wrongHashSize(size): "a hash has \(size) bytes, not 32"
            case let .wrongProofSize(got, want): "the proof has \(got) hashes, expected \(want)"
            case .rootMismatch: "the proof does not lead to the root"
            case let .sizesOutOfOrder(from, to): "tree size \(from) is larger than \(to)"
            case .nonEmptyProof: "the proof should be empty"
            case .emptyTree: "a consistency proof from the empty tree proves nothing"
            }
        }
    }

    package static func verifyInclusion(index: Int64, size: Int64, leafHash: Hash, proof: [Hash], root: Hash) throws(ProofError) {
        guard index >= 0, index < size else { throw .indexBeyondSize(index: index, size: size) }
        guard leafHash.count == 32 else { throw .wrongHashSize(leafHash.count) }
        let (inner, border) = decompose(index: UInt64(index), size: UInt64(size))
        guard proof.count == inner + border else { throw .wrongProofSize(got: proof.count, want: inner + border) }
        var hash = chainInner(leafHash, proof[..<inner], index: UInt64(index))
        hash = chainBorderRight(hash, proof[inner...])
        guard hash == root else { throw .rootMismatch }
    }

    package static func verifyConsistency(from size1: Int64, to size2: Int64, proof: [Hash], root1: Hash, root2: Hash) throws(ProofError) {
        guard size2 >= size1 else { throw .sizesOutOfOrder(from: size1, to: size2) }
        // Every tree is consistent with the empty one: a proof from size 0 proves nothing, so it is refused.
        guard size1 > 0 else { throw .emptyTree }
        if size1 == size2 {
            guard proof.isEmpty else { throw .nonEmptyProof }
            guard root1 == root2 else { throw .rootMismatch }
            return
        }
        guard !proof.isEmpty else { throw .wrongProofSize(got: 0, want: 1) }
        var (inner, border) = decompose(index: UInt64(size1 - 1), size: UInt64(size2))
        let shift = UInt64(size1).trailingZeroBitCount
        inner -= shift
        var seed = proof[0]
        var start = 1
        if size1 == Int64(1) << shift {
            seed = root1
            start = 0
        }
        guard proof.count == start + inner + border else { throw .wrongProofSize(got: proof.count, want: start + inner + border) }
        let rest = proof[start...]
        let innerPart = rest.prefix(inner)
        let borderPart = rest.dropFirst(inner)
        let mask = UInt64(size1 - 1) >> UInt64(shift)
        var hash1 = chainInnerRight(seed, innerPart, index: mask)
        hash1 = chainBorderRight(hash1, borderPart)
        guard hash1 == root1 else { throw .rootMismatch }
        var hash2 = chainInner(seed, innerPart, index: mask)
        hash2 = chainBorderRight(hash2, borderPart)
        guard hash2 == root2 else { throw .rootMismatch }
    }

    static func decompose(index: UInt64, size: UInt64) -> (inner: Int, border: Int) {
        let inner = 64 - (index ^ (size - 1)).leadingZeroBitCount
        let border = (index >> UInt64(inner)).nonzeroBitCount
        return (inner, border)
    }

    static func chainInner(_ seed: Hash, _ proof: ArraySlice<Hash>, index: UInt64) -> Hash {
        var hash = seed
        for (offset, sibling) in proof.enumerated() {
            hash = (index >> UInt64(offset)) & 1 == 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash)
        }
        return hash
    }

    static func chainInnerRight(_ seed: Hash, _ proof: ArraySlice<Hash>, index: UInt64) -> Hash {
        var hash = seed
        for (offset, sibling) in proof.enumerated() where (index >> UInt64(offset)) & 1 == 1 {
            hash = nodeHash(sibling, hash)
        }
        return hash
    }

    static func chainBorderRight(_ seed: Hash, _ proof: ArraySlice<Hash>) -> Hash {
        proof.reduce(seed) { nodeHash($1, $0) }
    }
}
