import Foundation
import ShiplogCrypto
import ShiplogTestSupport
import Testing

@Suite("RFC 6962 Merkle trees")
struct MerkleTreeTests {
    struct InclusionCase: Decodable, Sendable, CustomTestStringConvertible {
        var leafIdx: Int64
        var treeSize: Int64
        var root: String
        var leafHash: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
        var file: String?
        var testDescription: String { file ?? desc }
    }

    struct ConsistencyCase: Decodable, Sendable, CustomTestStringConvertible {
        var size1: Int64
        var size2: Int64
        var root1: String
        var root2: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
        var file: String?
        var testDescription: String { file ?? desc }
    }

    static func cases<T: Decodable>(_ folder: String, as type: T.Type, file: WritableKeyPath<T, String?>) -> [T] {
        let root = Fixtures.url("rfc6962/\(folder)")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [T] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            guard let data = try? Data(contentsOf: url), var item = try? JSONDecoder().decode(T.self, from: data) else { continue }
            item[keyPath: file] = String(url.path.dropFirst(root.path.count + 1))
            found.append(item)
        }
        return found.sorted { ($0[keyPath: file] ?? "") < ($1[keyPath: file] ?? "") }
    }

    static let inclusion = cases("inclusion", as: InclusionCase.self, file: \.file)
    static let consistency = cases("consistency", as: ConsistencyCase.self, file: \.file)

    static func bytes(_ base64: String) -> [UInt8] { Data(base64Encoded: base64).map(Array.init) ?? [] }

    @Test("all conformance vectors were found")
    func vectorsPresent() {
        #expect(Self.inclusion.count > 80)
        #expect(Self.consistency.count > 80)
        #expect(Self.inclusion.contains { !$0.wantErr })
        #expect(Self.inclusion.contains { $0.wantErr })
    }

    @Test("inclusion vectors: accept exactly the valid ones", arguments: inclusion)
    func inclusionVector(_ vector: InclusionCase) {
        let result = Result { () throws(MerkleTree.ProofError) in
            try MerkleTree.verifyInclusion(index: vector.leafIdx, size: vector.treeSize, leafHash: Self.bytes(vector.leafHash),
                                           proof: (vector.proof ?? []).map(Self.bytes), root: Self.bytes(vector.root))
        }
        if case let .failure(error) = result {
            #expect(vector.wantErr, "rejected a valid proof: \(error)")
        } else {
            #expect(!vector.wantErr, "accepted an invalid proof")
        }
    }

    @Test("consistency vectors: accept exactly the valid ones", arguments: consistency)
    func consistencyVector(_ vector: ConsistencyCase) {
        let result = Result { () throws(MerkleTree.ProofError) in
            try MerkleTree.verifyConsistency(from: vector.size1, to: vector.size2, proof: (vector.proof ?? []).map(Self.bytes),
                                             root1: Self.bytes(vector.root1), root2: Self.bytes(vector.root2))
        }
        if case let .failure(error) = result {
            #expect(vector.wantErr, "rejected a valid proof: \(error)")
        } else {
            #expect(!vector.wantErr, "accepted an invalid proof")
        }
    }

    /// MTH computed straight from RFC 6962's recursive definition, as an independent oracle.
    static func naiveRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.count == 1 { return MerkleTree.leafHash(leaves.first ?? []) }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let split = leaves.startIndex + k
        return MerkleTree.nodeHash(naiveRoot(leaves[..<split]), naiveRoot(leaves[split...]))
    }

    @Test("proofs built from stored subtrees verify, and roots match the recursive definition")
    func generatedProofs() throws {
        let leaves = (0 ..< 37).map { Array("entry \($0)".utf8) }
        // All complete aligned subtree hashes, as a log stores them.
        var levels: [[[UInt8]]] = [leaves.map { MerkleTree.leafHash($0) }]
        while let last = levels.last, last.count > 1 {
            levels.append(stride(from: 0, to: last.count - 1, by: 2).map { MerkleTree.nodeHash(last[$0], last[$0 + 1]) })
        }
        let lookup: MerkleTree.SubtreeLookup = { level, index in levels[level][Int(index)] }
        for size in 1 ... Int64(leaves.count) {
            let root = try MerkleTree.rangeHash(0, size, lookup)
            #expect(root == Self.naiveRoot(leaves[0 ..< Int(size)]))
            for index in 0 ..< size {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, lookup)
                try MerkleTree.verifyInclusion(index: index, size: size, leafHash: levels[0][Int(index)], proof: proof, root: root)
            }
            for older in 1 ... size {
                let proof = try MerkleTree.consistencyProof(from: older, to: size, lookup)
                try MerkleTree.verifyConsistency(from: older, to: size, proof: proof, root1: try MerkleTree.rangeHash(0, older, lookup),
                                                 root2: root)
            }
        }
        // The RFC's known answer for the empty-string leaf.
        #expect(MerkleTree.leafHash([]).map { String(format: "%02x", $0) }.joined()
            == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    }
}
