import Foundation
import ShiplogCore
import ShiplogCrypto

extension ReleaseLedger {
    /// The root of the first `size` entries; the empty tree's root is SHA-256 of nothing (RFC 6962).
    func logRoot(size: Int64) throws(LedgerError) -> [UInt8] {
        size == 0 ? SHA256.hash([UInt8]()) : try store.logRoot(size: size)
    }

    /// Signs and keeps a checkpoint of the log as it is now.
    package func checkpoint(signer: LogSigner) throws(LedgerError) -> Checkpoint {
        let size = try store.logSize()
        let root = try logRoot(size: size)
        let body = Checkpoint.body(origin: signer.origin, treeSize: size, rootHash: root)
        let signature: [UInt8]
        do { signature = try SigningSession(signer.privateKey).sign(Array(body.utf8)) } catch {
            throw .storage("signing the checkpoint failed: \(error)")
        }
        let checkpoint = Checkpoint(origin: signer.origin, treeSize: size, rootHash: root,
                                    note: Checkpoint.note(body: body, origin: signer.origin, keyHash: signer.keyHash, signature: signature),
                                    createdAt: clock())
        try store.save(checkpoint)
        return checkpoint
    }

    /// Signs a checkpoint when the log has grown past the newest one kept (the server does, at start, on
    /// its timer and as it stops), so that what was written is soon covered by a signature.
    package func checkpointIfGrown(signer: LogSigner) throws(LedgerError) -> Checkpoint? {
        guard try store.latestCheckpoint()?.treeSize != store.logSize() else { return nil }
        return try checkpoint(signer: signer)
    }

    package func proveInclusion(index: Int64, size requested: Int64?) throws(LedgerError) -> InclusionProof {
        let current = try store.logSize()
        let size = requested ?? current
        guard size >= 1, size <= current else {
            throw .invalidInput(InvalidInput(field: "tree_size", value: String(size), reason: "the log has \(current) entries"))
        }
        guard index >= 0, index < size else {
            throw .invalidInput(InvalidInput(field: "entry", value: String(index), reason: "not in a tree of \(size) entries"))
        }
        let (leafHash, proof) = try store.logInclusionProof(index: index, size: size)
        return InclusionProof(leafIndex: index, treeSize: size, leafHash: leafHash, rootHash: try logRoot(size: size), proof: proof)
    }

    package func proveConsistency(from: Int64, to requested: Int64?) throws(LedgerError) -> ConsistencyProof {
        let current = try store.logSize()
        let to = requested ?? current
        guard to <= current else {
            throw .invalidInput(InvalidInput(field: "to", value: String(to), reason: "the log has \(current) entries"))
        }
        guard from >= 1, from <= to else {
            throw .invalidInput(InvalidInput(field: "from", value: String(from), reason: "must be from 1 to the --to size \(to)"))
        }
        return ConsistencyProof(fromSize: from, toSize: to, fromRoot: try logRoot(size: from), toRoot: try logRoot(size: to),
                                proof: try store.logConsistencyProof(from: from, to: to))
    }

    /// Recomputes the tree from the entries' data and compares it with the stored hashes and with every
    /// kept checkpoint (whose signature must verify with `logKey`); then replays the entries and compares
    /// the builds, deploys, signatures, keys and bad marks they describe with the tables.
    /// `auditTables: false` checks the tree and the checkpoints only (the rows of the log itself).
    /// Without `logKey`, signatures cannot be checked: that is a failure when `requireSignatures`, and said
    /// (`signatures_checked: false`) either way. `external` is a signed note kept elsewhere, held to the log.
    package func verifyLog(
        logKey: PublicKey?, auditTables: Bool = true, requireSignatures: Bool = true, external: String? = nil
    ) throws(LedgerError) -> LogVerification {
        let size = try store.logSize()
        var checkpoints = try store.checkpoints()
        if let external {
            checkpoints.append(try Self.parseCheckpoint(external))
        }
        let signaturesChecked = logKey != nil || checkpoints.isEmpty
        func bad(_ index: Int64?, _ problem: String) -> LogVerification {
            LogVerification(treeSize: size, checkpointsChecked: checkpoints.count, signaturesChecked: signaturesChecked,
                            firstBadIndex: index, problem: problem)
        }
        // Leaves: dense indexes, and each stored leaf hash recomputed from its data.
        var leaves: [[UInt8]] = []
        leaves.reserveCapacity(Int(size))
        var audit = TableAudit(expectedEntries: auditTables ? Int(size) : 0)
        var next: Int64 = 0
        while next < size {
            progress?("log verify: \(next) of \(size) entries")
            let page = try store.logEntries(from: next, limit: 20_000)
            guard !page.isEmpty else { break }
            for entry in page {
                guard entry.index == next else { return bad(next, "entry \(next) is missing (removed)") }
                let recomputed = MerkleTree.leafHash(entry.data)
                guard recomputed == entry.leafHash else {
                    return bad(next, "entry \(next) (\(entry.kind)) was changed: its data no longer hashes to its leaf")
                }
                leaves.append(recomputed)
                if auditTables { try audit.replay(entry, store: store) }
                next += 1
            }
        }
        // Levels above, computed from the leaves: every subtree hash the store keeps must be what they make.
        var levels: [[[UInt8]]] = [leaves]
        while let below = levels.last, below.count > 1 {
            levels.append(stride(from: 0, to: below.count - 1, by: 2).map { MerkleTree.nodeHash(below[$0], below[$0 + 1]) })
        }
        if let problem = Self.firstStoredSubtreeMismatch(try store.storedSubtrees(), levels: levels) {
            return bad(problem.firstLeaf, problem.problem)
        }
        let lookup: MerkleTree.SubtreeLookup = { level, index in levels[level][Int(index)] }
        // Checkpoints: what was signed must still be what the rows make.
        for checkpoint in checkpoints {
            guard checkpoint.treeSize <= size else {
                return bad(size, "the log has \(size) entries but a checkpoint was signed at \(checkpoint.treeSize): entries were removed")
            }
            let root = checkpoint.treeSize == 0 ? SHA256.hash([UInt8]()) : ((try? MerkleTree.rangeHash(0, checkpoint.treeSize, lookup)) ?? [])
            guard root == checkpoint.rootHash, checkpoint.note.hasPrefix(Checkpoint.body(origin: checkpoint.origin, treeSize: checkpoint.treeSize,
                                                                                           rootHash: root)) else {
                let which = checkpoint.note == external ? "the checkpoint given" : "the checkpoint of \(checkpoint.createdAt)"
                return bad(nil, "the first \(checkpoint.treeSize) entries no longer make the root signed in \(which): history was rewritten")
            }
            if let logKey, !Self.noteSignatureVerifies(checkpoint.note, with: logKey) {
                return bad(nil, "the checkpoint at size \(checkpoint.treeSize) is not signed by the log key")
            }
        }
        // Tables: what the log recorded must be what the tables hold now.
        if auditTables { progress?("log verify: \(size) entries; comparing the tables") }
        if auditTables, let difference = try audit.firstDifference(in: store) {
            return bad(difference.leaf, difference.problem)
        }
        if !signaturesChecked, requireSignatures {
            return bad(nil, "the checkpoints' signatures could not be checked: no log key here (give the log's public key, "
                + "or say that signatures are not to be checked)")
        }
        return LogVerification(treeSize: size, checkpointsChecked: checkpoints.count, signaturesChecked: signaturesChecked)
    }

    /// The first kept subtree hash that is not what the leaves make, or a gap in a level the store keeps
    /// (a kept hash removed): each means an entry under it was changed, removed or reordered.
    package static func firstStoredSubtreeMismatch(_ stored: [SubtreeHash], levels: [[[UInt8]]]) -> (firstLeaf: Int64, problem: String)? {
        func mismatch(_ level: Int, _ index: Int64) -> (firstLeaf: Int64, problem: String) {
            let first = index << level
            return (first, "the subtree of entries \(first)–\(first + (Int64(1) << level) - 1) no longer matches its stored hash "
                + "(an entry there was changed or reordered)")
        }
        var expectedIndex: [Int: Int64] = [:]
        for subtree in stored {
            let next = expectedIndex[subtree.level, default: 0]
            // The store keeps a level from its start, one hash per complete subtree.
            if subtree.index != next { return mismatch(subtree.level, min(next, subtree.index)) }
            expectedIndex[subtree.level] = next + 1
            // Bounds first: a row edited in the file may name any level or index.
            guard subtree.level >= 0, subtree.level < levels.count, subtree.index < Int64(levels[subtree.level].count),
                  levels[subtree.level][Int(subtree.index)] == subtree.hash else {
                return mismatch(subtree.level, subtree.index)
            }
        }
        // From the lowest level it keeps up, a store keeps every level: a level with none left was removed.
        guard let lowest = stored.first.map({ max($0.level, 0) }) else { return nil }
        for level in lowest ..< levels.count where expectedIndex[level, default: 0] < Int64(levels[level].count) {
            return mismatch(level, expectedIndex[level, default: 0])
        }
        return nil
    }

    /// A checkpoint note kept elsewhere: origin, tree size and base64 root on its first three lines.
    static func parseCheckpoint(_ note: String) throws(LedgerError) -> Checkpoint {
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, let size = Int64(lines[1]), size >= 0, let root = Base64.decode(String(lines[2])), root.count == 32 else {
            throw .invalidInput(InvalidInput(field: "checkpoint", value: String(note.prefix(80)),
                                             reason: "not a checkpoint note (origin, tree size and base64 root hash, then its signature)"))
        }
        return Checkpoint(origin: String(lines[0]), treeSize: size, rootHash: root, note: note, createdAt: Timestamp(secondsSinceEpoch: 0))
    }

    /// Checks a signed note's Ed25519 signature (after the 4-byte key hash) over its body.
    package static func noteSignatureVerifies(_ note: String, with key: PublicKey) -> Bool {
        guard let split = note.range(of: "\n\n") else { return false }
        let body = String(note[..<split.lowerBound]) + "\n"
        let signatureLine = note[split.upperBound...].split(separator: "\n").first ?? ""
        guard let encoded = signatureLine.split(separator: " ").last, let bytes = Base64.decode(String(encoded)), bytes.count > 4 else {
            return false
        }
        return key.isValidSignature(Array(bytes.dropFirst(4)), for: Array(body.utf8))
    }
}
